// The parallel runner and the generated reference documents.
#include "runner/cli/docs.hpp"
#include "runner/experiments/run.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

using namespace pbsim;
using namespace pbsim::runner;

namespace {

std::map<int, std::vector<double>> run_all(const Scenario& s, int threads, int reps) {
    std::map<int, std::vector<double>> out;
    std::mutex m;
    const std::vector<Scenario> one{s};
    ReplicationRunner runner{one, 77, 1.0, threads};
    REQUIRE(runner.run(reps, [&](int, int r, ReplicationResult&& result) {
        std::lock_guard lock(m);
        out[r] = std::move(result.values);
    }));
    return out;
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("replications are bit-identical whatever the thread count") {
    const Scenario s = testing::small_scenario(2000, 6, 4);
    const auto one = run_all(s, 1, 6);
    const auto two = run_all(s, 2, 6);
    const auto four = run_all(s, 4, 6);
    REQUIRE(one.size() == 6);
    for (int r = 0; r < 6; ++r) {
        REQUIRE(one.at(r).size() == two.at(r).size());
        CHECK(std::memcmp(one.at(r).data(), two.at(r).data(), one.at(r).size() * sizeof(double)) == 0);
        CHECK(std::memcmp(one.at(r).data(), four.at(r).data(), one.at(r).size() * sizeof(double)) == 0);
    }
    CHECK(one.at(0) != one.at(1)); // replications differ from each other
}

TEST_CASE("a stop request ends the run early and reports it") {
    const Scenario s = testing::small_scenario(2000, 6, 4);
    int completed = 0;
    const std::vector<Scenario> one{s};
    ReplicationRunner runner{one, 1, 1.0, 1};
    runner.stop = [] { return true; };
    CHECK_FALSE(runner.run(4, [&](int, int, ReplicationResult&&) { ++completed; }));
    CHECK(completed == 0);
}

TEST_CASE("docs/parameters.md and docs/hdf5-schema.md are current") {
    // Regenerate with: build/pbsim docs parameters > docs/parameters.md (and schema).
    CHECK(read(PBSIM_SOURCE_DIR "/docs/parameters.md") == parameters_markdown());
    CHECK(read(PBSIM_SOURCE_DIR "/docs/hdf5-schema.md") == schema_markdown());
}
