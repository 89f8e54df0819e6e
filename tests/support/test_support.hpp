// Small worlds for fast, exact tests of model behaviour.
#pragma once

#include "model/simulation.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <fcntl.h>
#include <random>
#include <csignal>
#include <sstream>
#include <sys/wait.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace pbsim::testing {

// A small world (default parameters) over a shortened history.
inline Scenario small_scenario(int users = 3000, int councils = 10, int years = 10) {
    Scenario s = Scenario::defaults();
    s.set_constant("population.users", users);
    s.set_constant("population.councils", councils);
    s.start = Month::from_ym(2001, 1);
    s.end = Month::from_ym(2001 + years - 1, 12);
    return s;
}

// National total of a metric over the whole run.
inline double run_total(const ReplicationResult& r, Metric m) {
    double sum = 0;
    for (int t = 0; t < r.months; ++t)
        sum += r.national(m, t);
    return sum;
}

// A replication's outcome, for comparisons between runs.
using Outcome = std::function<double(const ReplicationResult&)>;

// Share of users holding a budget in the last month.
inline double uptake_at_end(const ReplicationResult& r) {
    const int t = r.months - 1;
    return (r.national(Metric::holding_dp, t) + r.national(Metric::holding_managed, t)) /
           r.national(Metric::population, t);
}

// A metric's national total over the run.
inline Outcome total(Metric m) {
    return [m](const ReplicationResult& r) { return run_total(r, m); };
}

inline double mean(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

inline double standard_error(const std::vector<double>& v) {
    const double m = mean(v);
    double ss = 0;
    for (double x : v)
        ss += (x - m) * (x - m);
    return std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}

// Paired differences outcome(hi) - outcome(lo) over replications, the lever
// `key` set to lo and hi as constants in `base` (common random numbers).
inline std::vector<double> paired_lever(const Scenario& base, const std::string& key, double lo,
                                        double hi, const Outcome& outcome, int replications,
                                        std::uint32_t seed) {
    Scenario a = base, b = base;
    a.set_constant(key, lo);
    b.set_constant(key, hi);
    std::vector<double> diff;
    for (int r = 0; r < replications; ++r) {
        const RunSettings settings{seed, static_cast<std::uint32_t>(r), 1.0};
        diff.push_back(outcome(simulate(b, settings)) - outcome(simulate(a, settings)));
    }
    return diff;
}

// The mean paired difference is positive and at least 3 standard errors from zero.
inline void require_increase(const std::vector<double>& diff) {
    INFO("mean difference " << mean(diff) << ", standard error " << standard_error(diff));
    REQUIRE(mean(diff) > 0);
    REQUIRE(mean(diff) > 3 * standard_error(diff));
}

inline void require_decrease(std::vector<double> diff) {
    for (double& d : diff)
        d = -d;
    require_increase(diff);
}

// A fresh directory under the system temp directory, removed with its contents.
class ScratchDir {
  public:
    ScratchDir() {
        static std::atomic<int> counter{0};
        std::random_device rd;
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path_ = std::filesystem::temp_directory_path() /
                ("pbsim_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                 "_" + std::to_string(stamp ^ rd()));
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& name) const {
        return path_ / name;
    }

    // Writes a file (creating its folders) and returns its path.
    std::filesystem::path write(const std::filesystem::path& name, const std::string& text) const {
        const std::filesystem::path file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream out(file, std::ios::binary);
        out << text;
        out.close();
        REQUIRE(out.good());
        return file;
    }

  private:
    std::filesystem::path path_;
};

// The whole text of a file ("" if it cannot be read).
inline std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A string as one single-quoted shell word.
inline std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}
inline std::string quote(const std::filesystem::path& p) {
    return quote(p.string());
}

struct CliResult {
    int status = -1; // exit status; -1000 - signal if killed by a signal
    std::string out;
    std::string err;
};

// Runs `pbsim ARGS` with the working directory `cwd`; stdout and stderr go to
// files in a private directory (so they never show up in `cwd`).
inline CliResult run_pbsim(const std::string& args, const std::filesystem::path& cwd) {
    static ScratchDir logs;
    static int call = 0;
    const auto out = logs / ("stdout_" + std::to_string(call));
    const auto err = logs / ("stderr_" + std::to_string(call));
    ++call;
    const std::string command = "cd " + quote(cwd) + " && exec " +
                                quote(std::string(PBSIM_BINARY)) + " " + args + " >" + quote(out) +
                                " 2>" + quote(err) + " </dev/null";
    const int raw = std::system(command.c_str());
    CliResult r;
    REQUIRE(raw != -1);
    if (WIFEXITED(raw))
        r.status = WEXITSTATUS(raw);
    else if (WIFSIGNALED(raw))
        r.status = -1000 - WTERMSIG(raw);
    r.out = read_text(out);
    r.err = read_text(err);
    UNSCOPED_INFO("$ pbsim " << args << "\nstatus " << r.status << "\nstdout:\n"
                             << r.out << "\nstderr:\n"
                             << r.err);
    return r;
}

// Starts `pbsim ARGS` in `cwd` as a child process, with SIGINT at its default
// action and no signal blocked, stdout and stderr to the given files; returns
// its pid (the caller signals and waits for it).
inline pid_t spawn_pbsim(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::filesystem::path& out = "/dev/null",
                         const std::filesystem::path& err = "/dev/null") {
    // Everything the child needs is prepared before fork().
    std::vector<std::string> words{PBSIM_BINARY};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    const std::string dir = cwd.string(), out_name = out.string(), err_name = err.string();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        ::sigaction(SIGINT, &dfl, nullptr);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        const int o = ::open(out_name.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err_name.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || ::chdir(dir.c_str()) != 0) ::_exit(126);
        ::dup2(o, STDOUT_FILENO);
        ::dup2(e, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

inline CliResult run_pbsim(const std::string& args, const ScratchDir& cwd) {
    return run_pbsim(args, cwd.path());
}

} // namespace pbsim::testing
