// Small HDF5 helpers shared by the analysis commands that read and annotate
// pbsim output files (compare, sensitivity): an owning identifier and a
// string attribute reader.
#pragma once

#include <hdf5.h>

#include <string>

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

} // namespace pbsim::analysis
