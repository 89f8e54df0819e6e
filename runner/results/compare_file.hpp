// `pbsim compare`: paired comparison of every scenario in a pbsim output file
// with its baseline, printed, written to /comparison and to CSV. The input is
// only read: /comparison is added to a copy that is renamed over the file (or
// to --out), so a failure or a kill never damages the run's data.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pbsim::analysis {

struct CompareOptions {
    std::filesystem::path file;
    std::string baseline;        // empty: the first scenario in the file
    std::filesystem::path out;   // empty: the file itself (replaced atomically)
    std::filesystem::path csv;   // empty: next to the output, <stem>-comparison.csv
    std::vector<std::string> at; // extra months (YYYY-MM) for uptake share and PB holders
    bool quiet = false;
};

// Returns the process exit status (0; 1 failure writing; 2 bad input, the
// file untouched).
int compare_command(const CompareOptions& options);

// True when `file` is a pbsim output of several scenarios without /comparison,
// or with one made against another baseline than `baseline` (if given).
bool needs_comparison(const std::filesystem::path& file, const std::string& baseline = {});

} // namespace pbsim::analysis
