// Reading datasets back in tests (HDF5 high-level API).
#pragma once

#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <filesystem>
#include <vector>

namespace pbsim::testing {

// Every value of a numeric dataset, flattened in row-major order.
inline std::vector<double> read_dataset(const std::filesystem::path& file, const char* name) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    int rank = 0;
    REQUIRE(H5LTget_dataset_ndims(f, name, &rank) >= 0);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5LTget_dataset_info(f, name, dims.data(), nullptr, nullptr);
    std::size_t n = 1;
    for (auto d : dims)
        n *= d;
    std::vector<double> v(n);
    REQUIRE(H5LTread_dataset_double(f, name, v.data()) >= 0);
    H5Fclose(f);
    return v;
}

} // namespace pbsim::testing
