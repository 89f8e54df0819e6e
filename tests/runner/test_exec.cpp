// The executor (runner/exec): one pool, journal and resume, stop, failures.
#include "runner/exec/executor.hpp"
#include "runner/exec/journal.hpp"
#include "runner/exec/plan.hpp"
#include "runner/output/stale.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <chrono>
#include <map>
#include <thread>

using namespace pbsim;
using namespace pbsim::runner;
using Catch::Matchers::Contains;
using pbsim::testing::ScratchDir;
namespace fs = std::filesystem;

namespace {

const ProgressOptions kQuiet{true, false};

// Every record of a plan's runs (the raw series), computed on `threads`.
std::map<std::size_t, std::vector<double>> run_all(const RunPlan& plan, int threads) {
    const Job job =
        simulation_job(plan, kMetricCount * static_cast<std::size_t>(plan.variants[0].months()) * 4,
                       [](std::size_t, ReplicationResult& r, std::vector<double>& record) {
                           REQUIRE(r.values.size() == record.size());
                           record = r.values;
                       });
    std::map<std::size_t, std::vector<double>> out;
    Cluster one = Cluster::local();
    Progress progress(kQuiet, "test", "runs", plan.runs());
    const auto outcome =
        Executor(one).run(job, {threads, {}, false}, progress,
                          [&](std::size_t t, std::vector<double>&& v) { out[t] = std::move(v); });
    REQUIRE(outcome.ok());
    CHECK(outcome.computed == plan.runs());
    return out;
}

// A job of n tasks whose record is {task, task^2}, counting calls; each
// task takes `ms` milliseconds.
Job squares(std::size_t n, std::atomic<int>& calls, int ms = 0) {
    Job job;
    job.tasks = n;
    job.record_size = 2;
    job.fingerprint = 99;
    job.compute = [&calls, ms](std::size_t t, std::vector<double>& r,
                               const std::function<bool()>& tick) {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        if (!tick()) return;
        r = {static_cast<double>(t), static_cast<double>(t * t)};
    };
    return job;
}

} // namespace

TEST_CASE("executor: records are bit-identical whatever the thread count") {
    const Scenario s = testing::small_scenario(2000, 4, 4);
    const RunPlan plan{{s}, 6, 77, 1.0};
    const auto one = run_all(plan, 1);
    const auto two = run_all(plan, 2);
    const auto four = run_all(plan, 4);
    REQUIRE(one.size() == 6);
    for (std::size_t r = 0; r < 6; ++r) {
        REQUIRE(one.at(r).size() == two.at(r).size());
        CHECK(std::memcmp(one.at(r).data(), two.at(r).data(), one.at(r).size() * sizeof(double)) ==
              0);
        CHECK(std::memcmp(one.at(r).data(), four.at(r).data(), one.at(r).size() * sizeof(double)) ==
              0);
    }
    CHECK(one.at(0) != one.at(1)); // replications differ from each other
}

TEST_CASE("executor: a run plan pairs replication r of every variant (common random numbers)") {
    Scenario a = testing::small_scenario(2000, 4, 4);
    const RunPlan plan{{a, a}, 3, 5, 1.0};
    const auto all = run_all(plan, 2);
    REQUIRE(all.size() == 6);
    for (std::size_t r = 0; r < 3; ++r)
        CHECK(all.at(r) == all.at(3 + r)); // same scenario, same r
    CHECK(plan.variant(4) == 1);
    CHECK(plan.replication(4) == 1);
}

TEST_CASE("executor: a stop request ends the job early and reports it as interrupted") {
    std::atomic<int> calls{0};
    const Job job = squares(50, calls);
    Cluster one = Cluster::local();
    Progress progress(kQuiet, "test", "runs", 50);
    std::size_t got = 0;
    const auto outcome = Executor(one).run(job, {1, {}, false, [] { return true; }}, progress,
                                           [&](std::size_t, std::vector<double>&&) { ++got; });
    CHECK(outcome.status == ExecOutcome::Status::interrupted);
    CHECK(outcome.exit_code() == 130);
    CHECK(got == 0);
}

TEST_CASE("executor: a failing task or sink fails the job with its message") {
    Job job;
    job.tasks = 8;
    job.record_size = 1;
    job.compute = [](std::size_t t, std::vector<double>& r, const std::function<bool()>&) {
        if (t == 5) throw std::runtime_error("task five broke");
        r[0] = 1;
    };
    Cluster one = Cluster::local();
    Progress progress(kQuiet, "test", "runs", 8);
    auto outcome =
        Executor(one).run(job, {2, {}, false}, progress, [](std::size_t, std::vector<double>&&) {});
    CHECK(outcome.status == ExecOutcome::Status::failed);
    CHECK(outcome.exit_code() == 1);
    CHECK_THAT(outcome.message, Contains("task five broke"));

    job.compute = [](std::size_t, std::vector<double>& r, const std::function<bool()>&) {
        r[0] = 1;
    };
    outcome =
        Executor(one).run(job, {2, {}, false}, progress, [](std::size_t t, std::vector<double>&&) {
            if (t == 3) throw std::runtime_error("disk full while writing task 3");
        });
    CHECK(outcome.status == ExecOutcome::Status::failed);
    CHECK_THAT(outcome.message, Contains("disk full"));
}

TEST_CASE("executor: --resume hands back journalled records and computes only the rest") {
    ScratchDir dir;
    const fs::path journal = dir / "x.h5.journal";
    std::atomic<int> calls{0};
    Job job = squares(10, calls, 20);
    Cluster one = Cluster::local();
    {
        // Stop after about four records: they stay in the journal.
        Progress progress(kQuiet, "test", "runs", 10);
        std::atomic<int> seen{0};
        const auto outcome =
            Executor(one).run(job, {1, journal, false, [&] { return seen.load() >= 4; }}, progress,
                              [&](std::size_t, std::vector<double>&&) { ++seen; });
        CHECK(outcome.status == ExecOutcome::Status::interrupted);
        REQUIRE(fs::exists(journal));
    }
    // Without --resume an existing journal is refused, not overwritten.
    {
        Progress progress(kQuiet, "test", "runs", 10);
        const auto outcome = Executor(one).run(job, {1, journal, false}, progress,
                                               [](std::size_t, std::vector<double>&&) {});
        CHECK(outcome.status == ExecOutcome::Status::bad_input);
        CHECK_THAT(outcome.message, Contains("--resume"));
    }
    calls = 0;
    Progress progress(kQuiet, "test", "runs", 10);
    std::map<std::size_t, std::vector<double>> got;
    Executor executor(one);
    const auto outcome = executor.run(job, {2, journal, true}, progress,
                                      [&](std::size_t t, std::vector<double>&& v) { got[t] = v; });
    REQUIRE(outcome.ok());
    CHECK(outcome.resumed >= 4);
    CHECK(outcome.resumed + outcome.computed == 10);
    CHECK(calls.load() == static_cast<int>(outcome.computed));
    REQUIRE(got.size() == 10);
    for (std::size_t t = 0; t < 10; ++t)
        CHECK(got[t] == std::vector<double>{double(t), double(t * t)});
    executor.discard_journal();
    CHECK_FALSE(fs::exists(journal));
}

TEST_CASE(
    "journal: a torn last record is cut off, a damaged one is reported and the good ones after "
    "it are kept, another job's journal is refused, a second process is locked out") {
    ScratchDir dir;
    const fs::path path = dir / "out.h5.journal";
    {
        Journal j(path, 42, 3, false);
        j.append(5, {1.0, 2.0, 3.0});
        j.append(6, {7.0, 8.0, 9.0});
        j.append(7, {4.0, 5.0, 6.0});
        // The same journal cannot be opened twice at once (flock).
        CHECK_THROWS_WITH(Journal(path, 42, 3, true), Contains("in use by another pbsim process"));
    }
    CHECK_THROWS_WITH(Journal(path, 42, 3, false), Contains("--resume"));
    CHECK_THROWS_WITH(Journal(path, 43, 3, true), Contains("different job"));
    CHECK_THROWS_WITH(Journal(path, 42, 4, true), Contains("different job"));
    {
        // Damage one value of the middle record (header 20 bytes, record 40).
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(20 + 40 + 12);
        f.put('\x7f');
    }
    fs::resize_file(path, fs::file_size(path) + 17); // a crash in the middle of an append
    {
        Journal j(path, 42, 3, true);
        CHECK(j.damaged() == 1);
        CHECK(j.torn());
        REQUIRE(j.loaded() == std::vector<std::uint32_t>{5, 7});
        std::vector<double> v;
        j.read(1, v);
        CHECK(v == std::vector<double>{4.0, 5.0, 6.0});
        j.append(6, {7.0, 8.0, 9.5});
    }
    {
        Journal j(path, 42, 3, true);
        CHECK_FALSE(j.torn());
        REQUIRE(j.loaded() == std::vector<std::uint32_t>{5, 7, 6});
        std::vector<double> v;
        j.read(2, v);
        CHECK(v[2] == 9.5);
        j.remove();
    }
    CHECK_FALSE(fs::exists(path));
}

TEST_CASE("stale temporaries: only unlocked HDF5 files of dead processes are removed") {
    ScratchDir dir;
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    REQUIRE(child > 0);
    REQUIRE(::waitpid(child, nullptr, 0) == child); // `child` is now a dead process
    const std::string dead = std::to_string(child);
    const std::string hdf5 = std::string("\x89HDF\r\n\x1a\n", 8) + "rest of a file";
    const fs::path out = dir / "x.h5";
    const auto stale = dir.write("x.h5.partial-" + dead, hdf5);
    const auto text = dir.write("y.h5.partial-" + dead, "not an HDF5 file");
    const auto alive = dir.write("x.h5.partial-" + std::to_string(::getppid()), hdf5);
    const auto other = dir.write("x.h5.partial-" + dead + "0", hdf5); // maybe alive elsewhere
    // A writer in another PID namespace or on another host holds its lock.
    const int fd = ::open(other.c_str(), O_RDONLY);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    const auto removed = remove_stale_temporaries(out);
    ::close(fd);
    CHECK(removed == std::vector<fs::path>{stale});
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(alive));
    CHECK(fs::exists(other));
    CHECK(remove_stale_temporaries(dir / "y.h5").empty()); // not HDF5: not ours to remove
    CHECK(fs::exists(text));
}
