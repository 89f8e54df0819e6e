// What every pbsim output file shares, without HDF5 in the interface: the
// error type, the output-path check and the provenance common to every kind
// of file. The HDF5 side (one handle type, the atomic file, the attribute and
// table writers) is in runner/output/h5.hpp.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace pbsim::runner {

// Raised for any failure to create or write an output file; what() is one
// line naming the file and the reason.
struct OutputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws OutputError unless a file can be created at `path`. A missing last
// folder is created (like `mkdir`, not `mkdir -p`: `outputs/x.h5` creates
// `outputs`, but `a/b/x.h5` with no `a` is refused, naming `a`); the folder
// must then be writable, and `path` itself must not be a folder.
void check_output_path(const std::filesystem::path& path);

// Root attributes common to every kind of file. The writer adds the netCDF /
// CF globals (Conventions, title, source, history) and `kind`.
struct CommonProvenance {
    std::string pbsim_version;
    std::string source_revision;
    std::string created_utc; // ISO 8601
    std::string command_line;
};

} // namespace pbsim::runner
