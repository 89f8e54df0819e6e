// `pbsim sensitivity`: Sobol or Morris indices of a sweep output's summary
// columns, printed as a ranked table and written under /sensitivity/<output>
// of a copy of the file renamed over it (or to --out): the sweep's data are
// never opened for writing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pbsim::analysis {

struct SensitivityOptions {
    std::filesystem::path file;
    std::filesystem::path out;        // empty: the file itself (replaced atomically)
    std::vector<std::string> outputs; // summary columns or unique prefixes/tokens
    int resamples = 1000;
    bool quiet = false;
};

// Returns the process exit status (0; 1 failure writing; 2 bad input).
int sensitivity_command(const SensitivityOptions& options);

// The summary column an output name means: an exact name, or the one column
// whose name contains the name's '_'-separated words in order
// ("uptake_2014" -> "uptake_share_2014_12"). Empty if none or several match.
std::string match_output(const std::string& wanted, const std::vector<std::string>& columns,
                         std::vector<std::string>& candidates);

} // namespace pbsim::analysis
