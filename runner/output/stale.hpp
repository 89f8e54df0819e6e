// Temporary files left by dead processes. Every output is written as
// FINAL.partial-PID and renamed when complete; a process killed with -9 (or
// by SIGXFSZ, or a crash of the machine) leaves its temporary behind. The next
// command writing FINAL removes those whose process no longer exists and that
// no process holds locked (a live writer holds an flock on its temporary), and
// only HDF5 files: another host's or PID namespace's live job is left alone.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pbsim::runner {

// Removes FINAL.partial-PID files beside `final_path` whose PID is not a
// running process; returns the paths removed (for a message).
std::vector<std::filesystem::path>
remove_stale_temporaries(const std::filesystem::path& final_path);

} // namespace pbsim::runner
