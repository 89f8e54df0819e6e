#include "runner/output/h5io.hpp"

#include <algorithm>
#include <stdexcept>

namespace pbsim::analysis {

std::string read_string_attr(hid_t obj, const char* name) {
    if (H5Aexists(obj, name) <= 0) return {};
    Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    Id type(H5Aget_type(attr), H5Tclose);
    if (H5Tis_variable_str(type) > 0) {
        Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5T_CSET_UTF8);
        char* value = nullptr;
        if (H5Aread(attr, mem, &value) < 0) return {};
        std::string out = value ? value : "";
        Id space(H5Aget_space(attr), H5Sclose);
        H5Dvlen_reclaim(mem, space, H5P_DEFAULT, &value);
        return out;
    }
    if (H5Tget_class(type) != H5T_STRING) return {};
    std::string out(H5Tget_size(type), '\0');
    if (H5Aread(attr, type, out.data()) < 0) return {};
    return out.substr(0, out.find('\0'));
}

void write_attr(hid_t obj, const char* name, const std::string& value) {
    Id str(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    Id scalar(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(obj, name, str, scalar, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* p = value.c_str();
    if (attr < 0 || H5Awrite(attr, str, &p) < 0)
        throw std::runtime_error(std::string("cannot write attribute ") + name);
}

namespace {
void write_scalar(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, const void* value) {
    Id scalar(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(obj, name, file_type, scalar, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (attr < 0 || H5Awrite(attr, mem_type, value) < 0)
        throw std::runtime_error(std::string("cannot write attribute ") + name);
}
} // namespace

void write_attr(hid_t obj, const char* name, double value) {
    write_scalar(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_attr(hid_t obj, const char* name, std::int32_t value) {
    write_scalar(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

void write_attr(hid_t obj, const char* name, std::int64_t value) {
    write_scalar(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void write_numbers(hid_t group, const char* name, const std::vector<double>& values,
                   const std::string& description) {
    const hsize_t dims[1] = {values.size()};
    Id space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Id ds(H5Dcreate2(group, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          H5Dclose);
    if (ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        throw std::runtime_error(std::string("cannot write dataset ") + name);
    write_attr(ds, "description", description);
}

void write_strings(hid_t group, const char* name, const std::vector<std::string>& values) {
    std::size_t size = 1;
    for (const auto& v : values) size = std::max(size, v.size());
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, size);
    H5Tset_cset(type, H5T_CSET_UTF8);
    std::string buffer(size * values.size(), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) values[i].copy(buffer.data() + i * size, size);
    const hsize_t dims[1] = {values.size()};
    Id space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Id ds(H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    if (ds < 0 ||
        (!values.empty() && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0))
        throw std::runtime_error(std::string("cannot write dataset ") + name);
}

} // namespace pbsim::analysis
