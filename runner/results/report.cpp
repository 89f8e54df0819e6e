#include "runner/results/report.hpp"

#include "runner/results/compare_file.hpp"
#include "runner/experiments/run.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

namespace pbsim::runner {

namespace fs = std::filesystem;

fs::path python_interpreter() {
    const char* env = std::getenv("PBSIM_PYTHON");
    return env && *env ? fs::path(env) : fs::path("/usr/bin/python3");
}

fs::path analysis_dir() {
    const char* env = std::getenv("PBSIM_ANALYSIS_DIR");
    return env && *env ? fs::path(env) : fs::path(PBSIM_ANALYSIS_DIR);
}

namespace {

// Runs argv[0] with its arguments and waits; returns its exit status, or -1
// if it could not be started (errno-style message on stderr).
int run_program(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::cout.flush();
    const pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execv(argv[0], argv.data());
        std::fprintf(stderr, "pbsim: cannot run %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

} // namespace

int report_command(const ReportOptions& o) {
    std::error_code ec;
    if (!fs::is_regular_file(o.file, ec)) {
        std::cerr << "pbsim: " << o.file.string() << ": no such file\n";
        return kExitBadInput;
    }
    const fs::path python = python_interpreter();
    const fs::path script = analysis_dir() / "report.py";
    if (!fs::is_regular_file(python, ec)) {
        std::cerr << "pbsim: report: " << python.string() << " not found; install python3 with "
                  << "python3-h5py, python3-numpy, python3-scipy and python3-matplotlib "
                     "(scripts/setup.sh does) "
                  << "or set PBSIM_PYTHON\n";
        return kExitFailure;
    }
    if (!fs::is_regular_file(script, ec)) {
        std::cerr << "pbsim: report: " << script.string() << " not found; set PBSIM_ANALYSIS_DIR "
                  << "to the analysis/ folder of the pbsim source tree\n";
        return kExitFailure;
    }
    const fs::path out =
        !o.out.empty() ? o.out : o.file.parent_path() / (o.file.stem().string() + "-report.html");

    if (pbsim::analysis::needs_comparison(o.file, o.baseline)) {
        pbsim::analysis::CompareOptions compare;
        compare.file = o.file;
        compare.baseline = o.baseline;
        compare.quiet = true;
        if (const int status = pbsim::analysis::compare_command(compare); status != 0)
            return status;
    }
    std::vector<std::string> args{python.string(), script.string(), o.file.string(), "--out",
                                  out.string()};
    if (!o.baseline.empty()) args.insert(args.end(), {"--baseline", o.baseline});
    const int status = run_program(args);
    if (status != 0) {
        if (status < 0) std::cerr << "pbsim: report: cannot run " << python.string() << "\n";
        return status == 2 ? kExitBadInput : kExitFailure;
    }
    if (!o.screenshot.empty()) {
        const int shot = run_program({python.string(), (analysis_dir() / "browser.py").string(),
                                      out.string(), "--screenshot", o.screenshot.string()});
        if (shot != 0) {
            std::cerr << "pbsim: report: the browser check of " << out.string() << " failed\n";
            return kExitFailure;
        }
    }
    return kExitOk;
}

} // namespace pbsim::runner
