// End-to-end tests of the pbsim command line: exit statuses, messages, output
// files (never a partial one left behind) and reproducibility across threads.
#include "model/metrics.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using Catch::Matchers::Contains;

namespace fs = std::filesystem;
using pbsim::testing::ScratchDir;
using namespace pbsim::testing;

namespace {

long count_lines(const std::string& s) {
    return std::count(s.begin(), s.end(), '\n');
}

std::vector<std::string> partial_files(const fs::path& dir) {
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.path().filename().string().find(".partial") != std::string::npos)
            found.push_back(entry.path().string());
    return found;
}

std::size_t entries(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir))
        ++n;
    return n;
}

bool is_hdf5(const fs::path& file) {
    const std::string head = read_text(file).substr(0, 8);
    return head == std::string("\x89HDF\r\n\x1a\n", 8);
}

const std::string kTiny = "start = \"2001-01\"\nend = \"2002-12\"\n"
                          "[population]\nusers = 2000\ncouncils = 5\n";
const std::string kSmall = "start = \"2001-01\"\nend = \"2004-12\"\n"
                           "[population]\nusers = 3000\ncouncils = 10\n";
const std::string kLarge = "start = \"2001-01\"\nend = \"2020-12\"\n"
                           "[population]\nusers = 150000\ncouncils = 152\n";

} // namespace

TEST_CASE("cli: --version and --help", "[cli]") {
    ScratchDir dir;
    SECTION("--version") {
        const auto r = run_pbsim("--version", dir.path());
        CHECK(r.status == 0);
        CHECK_THAT(r.out, Contains("pbsim"));
    }
    SECTION("--help lists the subcommands") {
        const auto r = run_pbsim("--help", dir.path());
        CHECK(r.status == 0);
        CHECK_THAT(r.out, Contains("run"));
        CHECK_THAT(r.out, Contains("validate"));
        CHECK_THAT(r.out, Contains("bench"));
        CHECK_THAT(r.out, Contains("Exit status"));
    }
    SECTION("run --help lists the options") {
        const auto r = run_pbsim("run --help", dir.path());
        CHECK(r.status == 0);
        for (const char* option :
             {"--replications", "--seed", "--threads", "--scale", "--out", "--set", "--quiet"})
            CHECK_THAT(r.out, Contains(option));
    }
    CHECK(entries(dir.path()) == 0); // nothing written
}

TEST_CASE("cli: bad command lines exit with status 2", "[cli]") {
    ScratchDir dir;
    const fs::path tiny = dir.write("tiny.toml", kTiny);
    const std::string out = " --quiet --out " + quote(dir / "x.h5");
    SECTION("no subcommand") {
        const auto r = run_pbsim("", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("subcommand"));
    }
    SECTION("unknown subcommand") {
        const auto r = run_pbsim("frobnicate", dir.path());
        CHECK(r.status == 2);
        CHECK_FALSE(r.err.empty());
    }
    SECTION("unknown top-level option") {
        const auto r = run_pbsim("--bogus", dir.path());
        CHECK(r.status == 2);
        CHECK_FALSE(r.err.empty());
    }
    SECTION("unknown option of run") {
        const auto r = run_pbsim("run " + quote(tiny) + " --bogus" + out, dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("--bogus"));
    }
    SECTION("--replications 0") {
        const auto r = run_pbsim("run " + quote(tiny) + " --replications 0" + out, dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("--replications"));
    }
    SECTION("--scale -1") {
        const auto r = run_pbsim("run " + quote(tiny) + " --scale -1" + out, dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("--scale"));
    }
    SECTION("--threads not a number") {
        const auto r = run_pbsim("run " + quote(tiny) + " --threads many" + out, dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("--threads"));
    }
    SECTION("run without a scenario") {
        const auto r = run_pbsim("run" + out, dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("scenario"));
    }
    SECTION("docs with an unknown document") {
        const auto r = run_pbsim("docs bogus", dir.path());
        CHECK(r.status == 2);
    }
    CHECK_FALSE(fs::exists(dir / "x.h5"));
    CHECK(partial_files(dir.path()).empty());
}

TEST_CASE("cli: validate", "[cli]") {
    ScratchDir dir;
    SECTION("a good scenario") {
        const fs::path file = dir.write("tiny.toml", kTiny);
        const auto r = run_pbsim("validate " + quote(file), dir.path());
        CHECK(r.status == 0);
        CHECK_THAT(r.out, Contains("OK"));
        CHECK_THAT(r.out, Contains("tiny"));
        // It extends nothing, so it runs on the registry's uncalibrated defaults.
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains("warning: " + file.string() + " runs on uncalibrated defaults"));
    }
    SECTION("the shipped scenarios") {
        for (const char* name : {"baseline.toml", "dp_support_everywhere.toml"}) {
            const fs::path file = fs::path(PBSIM_SOURCE_DIR) / "scenarios" / name;
            const auto r = run_pbsim("validate " + quote(file), dir.path());
            CHECK(r.status == 0);
            CHECK_THAT(r.out, Contains("OK"));
        }
    }
    SECTION("--print writes a scenario that validates again") {
        const fs::path file =
            fs::path(PBSIM_SOURCE_DIR) / "scenarios" / "dp_support_everywhere.toml";
        const auto r = run_pbsim("validate --print " + quote(file), dir.path());
        REQUIRE(r.status == 0);
        CHECK_THAT(r.out, Contains("[dp_support_service]"));
        const fs::path printed = dir.write("printed.toml", r.out);
        const auto again = run_pbsim("validate " + quote(printed), dir.path());
        CHECK(again.status == 0);
        CHECK_THAT(again.out, Contains("OK"));
    }
    SECTION("an unknown key: status 2 and one line naming file and key") {
        const fs::path file = dir.write("typo.toml", "[request]\nbase_rat = 0.1\n");
        const auto r = run_pbsim("validate " + quote(file), dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains(file.string() + ":2"));
        CHECK_THAT(r.err, Contains("request.base_rat"));
        CHECK_THAT(r.err, Contains("did you mean 'request.base_rate'"));
        CHECK_THAT(r.out, !Contains("OK"));
    }
    SECTION("a negative probability") {
        const fs::path file = dir.write("neg.toml", "[request]\nbase_rate = -0.1\n");
        const auto r = run_pbsim("validate " + quote(file), dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains(file.string()));
        CHECK_THAT(r.err, Contains("request.base_rate"));
        CHECK_THAT(r.err, Contains("-0.1"));
        CHECK_THAT(r.err, Contains("[0, 1]"));
    }
    SECTION("a missing file") {
        const fs::path file = dir / "missing.toml";
        const auto r = run_pbsim("validate " + quote(file), dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains(file.string()));
        CHECK_THAT(r.err, Contains("not found"));
    }
}

TEST_CASE("cli: run a tiny scenario", "[cli]") {
    ScratchDir dir;
    const fs::path tiny = dir.write("tiny.toml", kTiny);
    const fs::path out = dir / "x.h5";
    const auto r =
        run_pbsim("run " + quote(tiny) + " --replications 2 --scale 1 --quiet --out " + quote(out),
                  dir.path());
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Contains(out.string()));
    REQUIRE(fs::exists(out));
    CHECK(fs::file_size(out) > 0);
    CHECK(is_hdf5(out));
    CHECK(partial_files(dir.path()).empty());
    CHECK(entries(dir.path()) == 2); // the scenario and the output, nothing else
}

TEST_CASE("cli: run with an output path that cannot be written", "[cli]") {
    ScratchDir dir;
    const fs::path tiny = dir.write("tiny.toml", kTiny);
    const std::string run = "run " + quote(tiny) + " --replications 1 --quiet --out ";
    SECTION("a folder two levels up that does not exist") {
        const fs::path out = dir / "no_such_dir" / "deeper" / "x.h5";
        const auto r = run_pbsim(run + quote(out), dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains(out.string()));
        CHECK_THAT(r.err, Contains((dir / "no_such_dir").string()));
        CHECK_FALSE(fs::exists(dir / "no_such_dir"));
        CHECK(entries(dir.path()) == 1); // only the scenario
    }
    SECTION("a missing last folder is created (like mkdir, for outputs/)") {
        const fs::path out = dir / "outputs" / "x.h5";
        const auto r = run_pbsim(run + quote(out), dir.path());
        CHECK(r.status == 0);
        CHECK(fs::is_regular_file(out));
        CHECK(partial_files(dir / "outputs").empty());
    }
    SECTION("a parent that is a regular file") {
        const fs::path afile = dir.write("afile", "not a directory\n");
        const fs::path out = afile / "x.h5";
        const auto r = run_pbsim(run + quote(out), dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains(out.string()));
        CHECK(fs::is_regular_file(afile));
        CHECK(read_text(afile) == "not a directory\n");
        CHECK(entries(dir.path()) == 2);
    }
    SECTION("an existing directory as the output file") {
        const fs::path out = dir / "adir";
        fs::create_directory(out);
        const auto r = run_pbsim(run + quote(out), dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains(out.string()));
        CHECK(fs::is_directory(out));
        CHECK(fs::is_empty(out));
    }
    CHECK(partial_files(dir.path()).empty());
}

TEST_CASE("cli: run with a bad --set", "[cli]") {
    ScratchDir dir;
    const fs::path tiny = dir.write("tiny.toml", kTiny);
    const fs::path out = dir / "x.h5";
    const std::string run = "run " + quote(tiny) + " --replications 1 --quiet --out " + quote(out);
    SECTION("a good --set runs") {
        const auto r = run_pbsim(
            run + " --set request.base_rate=0.05 --set policy.active_offer=1@2002-01", dir.path());
        CHECK(r.status == 0);
        CHECK(fs::exists(out));
    }
    SECTION("unknown key") {
        const auto r = run_pbsim(run + " --set request.base_rat=0.05", dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains("--set"));
        CHECK_THAT(r.err, Contains("request.base_rat"));
        CHECK_FALSE(fs::exists(out));
    }
    SECTION("out of range") {
        const auto r = run_pbsim(run + " --set request.base_rate=2", dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains("request.base_rate"));
        CHECK_THAT(r.err, Contains("[0, 1]"));
        CHECK_FALSE(fs::exists(out));
    }
    SECTION("a date on a fixed parameter") {
        const auto r = run_pbsim(run + " --set population.users=1000@2002-01", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("population.users"));
        CHECK_FALSE(fs::exists(out));
    }
    CHECK(partial_files(dir.path()).empty());
}

TEST_CASE("cli: an interrupted run exits 130 and leaves no output", "[cli]") {
    ScratchDir dir;
    const fs::path large = dir.write("large.toml", kLarge);
    const fs::path out = dir / "large.h5";
    const fs::path out_log = dir / "stdout.txt";
    const fs::path err_log = dir / "stderr.txt";

    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = spawn_pbsim({"run", large.string(), "--replications", "8", "--threads", "1",
                                   "--quiet", "--out", out.string()},
                                  dir.path(), out_log, err_log);

    // Wait for the temporary output file (the run has started writing), and
    // for about a second in all, then interrupt.
    using namespace std::chrono_literals;
    int status = 0;
    pid_t done = 0;
    bool saw_partial = false;
    while (std::chrono::steady_clock::now() - started < 15s) {
        done = ::waitpid(pid, &status, WNOHANG);
        if (done != 0) break;
        if (!saw_partial && !partial_files(dir.path()).empty()) saw_partial = true;
        if (saw_partial && std::chrono::steady_clock::now() - started >= 1s) break;
        std::this_thread::sleep_for(20ms);
    }
    if (done == 0) {
        CHECK(saw_partial);
        REQUIRE(::kill(pid, SIGINT) == 0);
        const auto interrupted = std::chrono::steady_clock::now();
        while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 &&
               std::chrono::steady_clock::now() - interrupted < 20s)
            std::this_thread::sleep_for(20ms);
        if (done == 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            FAIL("pbsim did not stop within 20 s of SIGINT");
        }
    } else {
        FAIL("pbsim ended before it could be interrupted (status " << status << ")");
    }
    REQUIRE(done == pid);
    INFO("stderr: " << read_text(err_log));
    REQUIRE(WIFEXITED(status)); // a clean exit, not killed by the signal
    CHECK(WEXITSTATUS(status) == 130);
    CHECK_THAT(read_text(err_log), Contains("interrupted"));
    CHECK_FALSE(fs::exists(out));
    CHECK(partial_files(dir.path()).empty());
}

TEST_CASE("cli: same seed gives identical time series for any thread count", "[cli]") {
    const char* h5diff = "/usr/bin/h5diff";
    REQUIRE(fs::exists(h5diff));
    ScratchDir dir;
    const fs::path small = dir.write("small.toml", kSmall);
    const std::string run = "run " + quote(small) + " --replications 4 --quiet";
    const fs::path a = dir / "a.h5", b = dir / "b.h5", c = dir / "c.h5";
    REQUIRE(run_pbsim(run + " --seed 5 --threads 1 --out " + quote(a), dir.path()).status == 0);
    REQUIRE(run_pbsim(run + " --seed 5 --threads 2 --out " + quote(b), dir.path()).status == 0);
    REQUIRE(run_pbsim(run + " --seed 6 --threads 2 --out " + quote(c), dir.path()).status == 0);

    auto diff = [&](const fs::path& x, const fs::path& y) {
        const std::string command = std::string(h5diff) + " -q " + quote(x) + " " + quote(y) +
                                    " /timeseries /timeseries >/dev/null 2>&1";
        const int raw = std::system(command.c_str());
        REQUIRE(raw != -1);
        REQUIRE(WIFEXITED(raw));
        return WEXITSTATUS(raw);
    };
    CHECK(diff(a, b) == 0); // same seed, 1 vs 2 threads: identical
    CHECK(diff(a, c) == 1); // another seed: different
}

TEST_CASE("cli: a killed run resumes from its journal to the same file", "[cli]") {
    ScratchDir dir;
    const std::string medium = "start = \"2001-01\"\nend = \"2010-12\"\n"
                               "[population]\nusers = 40000\ncouncils = 20\n";
    const fs::path scenario = dir.write("medium.toml", medium);
    const std::string run = "run medium.toml -r 6 --seed 4 -q ";
    REQUIRE(run_pbsim(run + "-t 2 -o full.h5", dir.path()).status == 0);
    CHECK_FALSE(fs::exists(dir / "full.h5.journal")); // removed once the file is complete

    const fs::path out = dir / "k.h5", journal = dir / "k.h5.journal";
    const pid_t pid = spawn_pbsim(
        {"run", scenario.string(), "-r", "6", "--seed", "4", "-t", "1", "-q", "-o", out.string()},
        dir.path(), dir / "k.out", dir / "k.err");
    // Kill once at least one replication (a record of its series) is journalled.
    using namespace std::chrono_literals;
    const auto started = std::chrono::steady_clock::now();
    const std::uintmax_t one_record =
        20 + 16 + 8 * (pbsim::kMetricCount * 120 * 20); // at least the series
    int status = 0;
    pid_t ended = 0;
    while (std::chrono::steady_clock::now() - started < 60s) {
        ended = ::waitpid(pid, &status, WNOHANG);
        if (ended != 0) break;
        std::error_code ec;
        if (fs::exists(journal, ec) && fs::file_size(journal, ec) > one_record) break;
        std::this_thread::sleep_for(5ms);
    }
    REQUIRE(ended == 0); // still running
    REQUIRE(::kill(pid, SIGKILL) == 0);
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK_FALSE(fs::exists(out)); // never a file that looks complete
    REQUIRE(fs::exists(journal));

    // Without --resume the journal is not silently discarded.
    const auto again = run_pbsim(run + "-o k.h5", dir.path());
    CHECK(again.status == 2);
    CHECK_THAT(again.err, Contains("--resume"));

    const auto resumed = run_pbsim(run + "-t 2 -o k.h5 --resume --log-json", dir.path());
    INFO(resumed.err);
    REQUIRE(resumed.status == 0);
    CHECK_THAT(resumed.err, Contains("resuming: "));
    CHECK_THAT(resumed.err, Contains("\"status\":\"complete\""));
    for (const char* object : {"/timeseries", "/summary"}) {
        const std::string command = "/usr/bin/h5diff -q " + quote(dir / "full.h5") + " " +
                                    quote(out) + " " + object + " " + object + " >/dev/null 2>&1";
        const int raw = std::system(command.c_str());
        REQUIRE(WIFEXITED(raw));
        CHECK(WEXITSTATUS(raw) == 0);
    }
    CHECK_FALSE(fs::exists(journal));
    CHECK(partial_files(dir.path()).empty());
}

TEST_CASE("cli: a mistyped option or command gets one line with a suggestion", "[cli]") {
    ScratchDir dir;
    const fs::path tiny = dir.write("tiny.toml", kTiny);
    const std::string run = "run " + quote(tiny) + " --quiet --out " + quote(dir / "x.h5");
    SECTION("an option of run") {
        const auto r = run_pbsim(run + " --replication 3", dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err,
                   Contains("unknown option '--replication' (did you mean '--replications'?)"));
    }
    SECTION("an option given as --name=value") {
        const auto r = run_pbsim(run + " --sed=3", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("unknown option '--sed' (did you mean '--seed'?)"));
    }
    SECTION("an option of sweep") {
        const auto r = run_pbsim("sweep s.toml --resum", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err,
                   Contains("pbsim sweep: unknown option '--resum' (did you mean '--resume'?)"));
    }
    SECTION("nothing close: no guess") {
        const auto r = run_pbsim(run + " --frobnicate", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("unknown option '--frobnicate'"));
        CHECK_THAT(r.err, !Contains("did you mean"));
        const auto s = run_pbsim(run + " -x", dir.path());
        CHECK(s.status == 2);
        CHECK_THAT(s.err, Contains("unknown option '-x'"));
        CHECK_THAT(s.err, !Contains("did you mean"));
    }
    SECTION("a command") {
        const auto r = run_pbsim("rnu " + quote(tiny), dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains("unknown command 'rnu' (did you mean 'run'?)"));
        CHECK_THAT(r.err, Contains("sweep"));
        const auto s = run_pbsim("sweeep x.toml", dir.path());
        CHECK_THAT(s.err, Contains("(did you mean 'sweep'?)"));
    }
    SECTION("a top-level option") {
        const auto r = run_pbsim("--vesion", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("unknown option '--vesion' (did you mean '--version'?)"));
    }
    SECTION("a 100 kB argument: fast, and not echoed whole") {
        const std::string huge = "--replications" + std::string(100000, 's');
        const auto started = std::chrono::steady_clock::now();
        const auto r = run_pbsim(run + " " + huge, dir.path());
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK(r.err.size() < 300);
        CHECK_THAT(r.err, Contains("(100014 characters)"));
    }
    CHECK_FALSE(fs::exists(dir / "x.h5"));
}

TEST_CASE("cli: a scenario that extends no calibrated file gets a warning", "[cli]") {
    ScratchDir dir;
    const fs::path scenarios = fs::path(PBSIM_SOURCE_DIR) / "scenarios";
    const fs::path out = dir / "x.h5";
    const std::string opts = " -r 1 --scale 0.01 --quiet --out " + quote(out);
    const std::string window = "start = \"2001-01\"\nend = \"2001-03\"\n";
    SECTION("extends nothing: warned on stderr, still runs") {
        const fs::path file = dir.write("alone.toml", window);
        const auto r = run_pbsim("run " + quote(file) + opts, dir.path());
        CHECK(r.status == 0);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains("warning: " + file.string() + " runs on uncalibrated defaults"));
        CHECK_THAT(r.err, Contains("5 calibrated parameters"));
        CHECK_THAT(r.err, Contains("request.base_rate"));
        CHECK_THAT(r.err, Contains("extends = \"baseline.toml\""));
        CHECK(fs::exists(out));
    }
    SECTION("extends the baseline (through a chain): no warning") {
        dir.write("mid.toml", "extends = " + quote((scenarios / "baseline.toml").string()) + "\n");
        const fs::path file = dir.write("leaf.toml", "extends = \"mid.toml\"\n" + window +
                                                         "evaluation_start = \"2001-02\"\n");
        const auto r = run_pbsim("run " + quote(file) + opts, dir.path());
        CHECK(r.status == 0);
        CHECK(r.err.empty());
    }
    SECTION("extends a file that itself extends nothing: warned") {
        dir.write("root.toml", window);
        const fs::path file = dir.write("child.toml", "extends = \"root.toml\"\n");
        const auto r = run_pbsim("run " + quote(file) + opts, dir.path());
        CHECK(r.status == 0);
        CHECK_THAT(r.err, Contains("runs on uncalibrated defaults"));
    }
    SECTION("sets the calibrated values itself (as validate --print does): no warning") {
        const auto printed =
            run_pbsim("validate --print " + quote(scenarios / "baseline.toml"), dir.path());
        REQUIRE(printed.status == 0);
        const fs::path file = dir.write("resolved.toml", printed.out);
        const auto r = run_pbsim("validate " + quote(file), dir.path());
        CHECK(r.status == 0);
        CHECK(r.err.empty());
    }
    SECTION("--set of some of them: the rest are named") {
        const fs::path file = dir.write("alone.toml", window);
        const auto r =
            run_pbsim("run " + quote(file) + opts + " --set request.base_rate=0.02", dir.path());
        CHECK(r.status == 0);
        CHECK_THAT(r.err, Contains("4 calibrated parameters"));
        CHECK_THAT(r.err, !Contains("request.base_rate"));
    }
    SECTION("every shipped scenario is calibrated") {
        for (const auto& entry : fs::directory_iterator(scenarios)) {
            if (entry.path().extension() != ".toml") continue;
            const auto r = run_pbsim("validate " + quote(entry.path()), dir.path());
            CHECK(r.status == 0);
            CHECK(r.err.empty());
        }
    }
}

TEST_CASE("cli: --dry-run prints the plan and its estimate and writes nothing", "[cli]") {
    ScratchDir dir;
    dir.write("tiny.toml", kTiny);
    const auto r = run_pbsim("run tiny.toml -r 3 --dry-run -o x.h5", dir.path());
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Contains("3 runs of 2000 users x 24 months"));
    CHECK_THAT(r.out, Contains("estimate: about"));
    CHECK_THAT(r.out, Contains("of memory"));
    CHECK_THAT(r.out, Contains("of disk"));
    CHECK_FALSE(fs::exists(dir / "x.h5"));
    CHECK_FALSE(fs::exists(dir / "x.h5.journal"));
    // The estimate grows with the job: ten times the replications, about ten times the disk.
    const auto big = run_pbsim("run tiny.toml -r 30 --dry-run -o x.h5", dir.path());
    auto disk = [](const std::string& text) { // "... of memory, 141 kB of disk" in bytes
        const auto at = text.find(" of memory, ") + 12;
        std::size_t used = 0;
        const double value = std::stod(text.substr(at), &used);
        const char unit = text.at(at + used + 1);
        return value * (unit == 'G' ? 1e9 : unit == 'M' ? 1e6 : 1e3);
    };
    CHECK(disk(big.out) > 5 * disk(r.out));
}

TEST_CASE("cli: a job larger than the free disk is refused before it starts, naming --force",
          "[cli]") {
    ScratchDir dir;
    dir.write("large.toml", kLarge);
    // 100,000 national replications need terabytes of journal and output.
    const auto r = run_pbsim("run large.toml -r 100000 -o x.h5", dir.path());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("of disk is free"));
    CHECK_THAT(r.err, Contains("--force"));
    CHECK(entries(dir.path()) == 1); // only the scenario file: nothing was written
}
