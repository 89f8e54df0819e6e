#include "analysis/h5io.hpp"

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

} // namespace pbsim::analysis
