#include "runner/output/results_file.hpp"

#include "runner/output/h5.hpp"

#include <mutex>

namespace pbsim::runner {

namespace fs = std::filesystem;

// Used from one thread; each call still holds the HDF5 lock, as every caller of the library must.
ResultsFile::ResultsFile(fs::path final_path)
    : file_(std::make_unique<h5::AtomicFile>(std::move(final_path))) {}

ResultsFile::~ResultsFile() {
    {
        std::lock_guard lock(h5::mutex());
        group_.reset();
    }
    file_.reset();
}

void ResultsFile::provenance(const layout::File& kind, const CommonProvenance& p) {
    std::lock_guard lock(h5::mutex());
    h5::write_provenance(*file_, kind, p);
}

template <class T>
void ResultsFile::set(const std::string& object, const std::string& name, const T& value) {
    std::lock_guard lock(h5::mutex());
    if (object.empty() || object == "/") return h5::attribute(*file_, file_->root(), name, value);
    if (!h5::exists(file_->root(), object))
        file_->fail("internal error: no group '" + object + "'");
    h5::Id obj(file_->check(H5Oopen(file_->root(), object.c_str(), H5P_DEFAULT),
                            "cannot open '" + object + "'"));
    h5::attribute(*file_, obj, name, value);
}

void ResultsFile::attribute(const std::string& o, const std::string& n, const std::string& v) {
    set(o, n, std::string_view(v));
}
void ResultsFile::attribute(const std::string& o, const std::string& n, double v) {
    set(o, n, v);
}
void ResultsFile::attribute(const std::string& o, const std::string& n, std::int32_t v) {
    set(o, n, v);
}
void ResultsFile::attribute(const std::string& o, const std::string& n, std::int64_t v) {
    set(o, n, v);
}
void ResultsFile::attribute(const std::string& o, const std::string& n, std::uint64_t v) {
    set(o, n, v);
}

void ResultsFile::finish() {
    std::lock_guard lock(h5::mutex());
    group_.reset();
}

ResultsFile::Table& ResultsFile::table(const layout::Group& decl, const std::string& path) {
    finish();
    std::lock_guard lock(h5::mutex());
    group_ = std::make_unique<h5::GroupWriter>(*file_, decl, path);
    if (!table_) table_.reset(new Table(*this));
    return *table_;
}

void ResultsFile::Table::index(const std::string& c, std::size_t n) {
    std::lock_guard lock(h5::mutex());
    file_.group_->index(c, n);
}
void ResultsFile::Table::coordinate(const std::string& name, const std::vector<std::string>& v) {
    std::lock_guard lock(h5::mutex());
    file_.group_->coordinate(name, v);
}
void ResultsFile::Table::numbers(const std::string& name, const std::vector<double>& v) {
    std::lock_guard lock(h5::mutex());
    file_.group_->write(name, v);
}
void ResultsFile::Table::strings(const std::string& name, const std::vector<std::string>& v) {
    std::lock_guard lock(h5::mutex());
    file_.group_->write(name, v);
}
void ResultsFile::Table::attribute(const std::string& name, const std::string& value) {
    std::lock_guard lock(h5::mutex());
    h5::attribute(*file_.file_, file_.group_->id(), name, std::string_view(value));
}
void ResultsFile::Table::attribute(const std::string& name, double value) {
    std::lock_guard lock(h5::mutex());
    h5::attribute(*file_.file_, file_.group_->id(), name, value);
}
void ResultsFile::Table::attribute(const std::string& name, std::int32_t value) {
    std::lock_guard lock(h5::mutex());
    h5::attribute(*file_.file_, file_.group_->id(), name, value);
}

void ResultsFile::commit() {
    finish();
    file_->commit();
}

} // namespace pbsim::runner
