// Small HDF5 helpers shared by the analysis commands that read and annotate
// pbsim output files (compare, sensitivity): an owning identifier, a string
// attribute reader, and writers of attributes and 1-D datasets (each throws
// std::runtime_error naming what it could not write).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pbsim::analysis {

// Closes an HDF5 identifier on scope exit.
struct Id {
    hid_t id = -1;
    herr_t (*close)(hid_t) = nullptr;
    Id(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    ~Id() {
        if (id >= 0 && close) close(id);
    }
    operator hid_t() const { return id; }
};

// A string attribute (variable- or fixed-length), or "" if absent or unreadable.
std::string read_string_attr(hid_t obj, const char* name);

// Scalar attributes: UTF-8 variable-length string, float64, int32, int64.
void write_attr(hid_t obj, const char* name, const std::string& value);
void write_attr(hid_t obj, const char* name, double value);
void write_attr(hid_t obj, const char* name, std::int32_t value);
void write_attr(hid_t obj, const char* name, std::int64_t value);

// A float64 dataset [values.size()] with a `description` attribute.
void write_numbers(hid_t group, const char* name, const std::vector<double>& values,
                   const std::string& description);
// A fixed-length UTF-8 string dataset [values.size()].
void write_strings(hid_t group, const char* name, const std::vector<std::string>& values);

} // namespace pbsim::analysis
