#include "runner/results_file.hpp"

#include "runner/output.hpp"

#include <hdf5.h>
#include <unistd.h>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

// Closes an HDF5 identifier on scope exit.
struct Id {
    hid_t id;
    herr_t (*close)(hid_t);
    Id(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    ~Id() {
        if (id >= 0) close(id);
    }
    operator hid_t() const { return id; }
};

hid_t utf8_string_type(std::size_t size) {
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, size);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

} // namespace

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
    Id g(group(object), H5Oclose);
    Id type(utf8_string_type(H5T_VARIABLE), H5Tclose);
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(g, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* text = value.c_str();
    if (attr < 0 || H5Awrite(attr, type, &text) < 0) fail("cannot write attribute '" + name + "'");
}

void ResultsFile::attribute(const std::string& object, const std::string& name, double value) {
    Id g(group(object), H5Oclose);
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(g, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (attr < 0 || H5Awrite(attr, H5T_NATIVE_DOUBLE, &value) < 0)
        fail("cannot write attribute '" + name + "'");
}

void ResultsFile::attribute(const std::string& object, const std::string& name, std::int64_t value) {
    Id g(group(object), H5Oclose);
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(g, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (attr < 0 || H5Awrite(attr, H5T_NATIVE_INT64, &value) < 0)
        fail("cannot write attribute '" + name + "'");
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
    std::size_t size = 1;
    for (const auto& v : values) size = std::max(size, v.size());
    std::string buffer(size * values.size(), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) values[i].copy(buffer.data() + i * size, size);
    {
        Id g(group(parent), H5Oclose);
        Id type(utf8_string_type(size), H5Tclose);
        const hsize_t dims[1] = {values.size()};
        Id space(H5Screate_simple(1, dims, nullptr), H5Sclose);
        Id ds(H5Dcreate2(g, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
        if (ds < 0 || (!values.empty() &&
                       H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0))
            fail("cannot write '" + path + "'");
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
