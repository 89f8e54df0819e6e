// `pbsim report`: the policy maker's HTML report of an output file. The
// figures and tables are drawn by analysis/report.py (Python 3 with Debian's
// h5py, numpy and matplotlib); this command finds it, runs `pbsim compare`
// first when the file has several scenarios and no /comparison yet, and can
// check the page in headless Chromium and keep a screenshot
// (analysis/browser.py).
#pragma once

#include <filesystem>
#include <string>

namespace pbsim::runner {

struct ReportOptions {
    std::filesystem::path file;
    std::filesystem::path out;        // empty: <file stem>-report.html next to the file
    std::filesystem::path screenshot; // empty: no browser check or screenshot
    std::string baseline;             // for the comparison, if it must be run
};

// Returns the process exit status (0, 1 failure, 2 bad input).
int report_command(const ReportOptions& options);

// The Python interpreter and the analysis scripts' folder: PBSIM_PYTHON and
// PBSIM_ANALYSIS_DIR if set, else /usr/bin/python3 and the source tree's analysis/.
std::filesystem::path python_interpreter();
std::filesystem::path analysis_dir();

} // namespace pbsim::runner
