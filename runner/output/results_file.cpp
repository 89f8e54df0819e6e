#include "runner/output/results_file.hpp"

#include "runner/output/h5io.hpp"
#include "runner/output/run_output.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <stdexcept>

namespace pbsim::runner {

namespace fs = std::filesystem;
using analysis::Id;

ResultsFile::ResultsFile(fs::path final_path) : final_path_(std::move(final_path)) {
    check_output_path(final_path_);
    temp_path_ = final_path_;
    temp_path_ += ".partial-" + std::to_string(::getpid());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    file_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file_ < 0) fail("cannot create it (as '" + temp_path_.string() + "')");
}

ResultsFile::~ResultsFile() {
    if (file_ >= 0) H5Fclose(file_);
    if (!committed_) {
        std::error_code ec;
        fs::remove(temp_path_, ec);
    }
}

void ResultsFile::fail(const std::string& what) const {
    throw OutputError("output file '" + final_path_.string() + "': " + what);
}

std::int64_t ResultsFile::group(const std::string& path) {
    if (path.empty() || path == "/") return H5Oopen(file_, "/", H5P_DEFAULT);
    if (H5Lexists(file_, path.c_str(), H5P_DEFAULT) > 0) return H5Oopen(file_, path.c_str(), H5P_DEFAULT);
    Id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl, 1);
    const hid_t g = H5Gcreate2(file_, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) fail("cannot create group '" + path + "'");
    return g;
}

void ResultsFile::attribute(const std::string& object, const std::string& name,
                            const std::string& value) {
    write(object, name, value);
}

void ResultsFile::attribute(const std::string& object, const std::string& name, double value) {
    write(object, name, value);
}

void ResultsFile::attribute(const std::string& object, const std::string& name, std::int64_t value) {
    write(object, name, value);
}

template <class T>
void ResultsFile::write(const std::string& object, const std::string& name, const T& value) {
    Id g(group(object), H5Oclose);
    try {
        analysis::write_attr(g, name.c_str(), value);
    } catch (const std::runtime_error&) {
        fail("cannot write attribute '" + name + "' of '" + object + "'");
    }
}

namespace {
std::pair<std::string, std::string> split(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return {"/", path};
    return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}
} // namespace

void ResultsFile::numbers(const std::string& path, const std::vector<double>& values,
                          const std::vector<std::size_t>& shape, const std::string& description,
                          const std::string& units) {
    const auto [parent, name] = split(path);
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    if (dims.empty()) dims.push_back(values.size());
    {
        Id g(group(parent), H5Oclose);
        Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
        Id ds(H5Dcreate2(g, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT),
              H5Dclose);
        if (ds < 0 ||
            (!values.empty() &&
             H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0))
            fail("cannot write '" + path + "'");
    }
    if (!description.empty()) attribute(path, "description", description);
    if (!units.empty()) attribute(path, "units", units);
}

void ResultsFile::strings(const std::string& path, const std::vector<std::string>& values,
                          const std::string& description) {
    const auto [parent, name] = split(path);
    {
        Id g(group(parent), H5Oclose);
        try {
            analysis::write_strings(g, name.c_str(), values);
        } catch (const std::runtime_error&) {
            fail("cannot write '" + path + "'");
        }
    }
    if (!description.empty()) attribute(path, "description", description);
}

void ResultsFile::commit() {
    if (committed_) fail("already committed");
    const herr_t flushed = H5Fflush(file_, H5F_SCOPE_GLOBAL);
    const herr_t closed = H5Fclose(file_);
    file_ = -1;
    if (flushed < 0 || closed < 0) fail("cannot write '" + temp_path_.string() + "'");
    std::error_code ec;
    fs::rename(temp_path_, final_path_, ec);
    committed_ = true; // either renamed, or the complete results stay in the temporary file
    if (ec)
        fail("cannot rename '" + temp_path_.string() + "' to it: " + ec.message() +
             "; the complete results are left in '" + temp_path_.string() + "'");
}

} // namespace pbsim::runner
