// The commands that help a modeller find their way: `pbsim scenarios`,
// `pbsim docs parameter KEY` and the help of each command.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
namespace fs = std::filesystem;
using namespace pbsim::testing;

namespace {

long count_lines(const std::string& s) {
    return std::count(s.begin(), s.end(), '\n');
}

const fs::path kScenarios = fs::path(PBSIM_SOURCE_DIR) / "scenarios";

} // namespace

TEST_CASE("scenarios: lists the shipped scenarios with name, extends and description", "[cli]") {
    ScratchDir dir;
    // Default folder: scenarios/ of the working directory.
    const auto r = run_pbsim("scenarios", PBSIM_SOURCE_DIR);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, Contains("scenarios in scenarios"));
    for (const char* name :
         {"baseline", "dp_support_everywhere", "crisis_prevention", "combined_best"})
        CHECK_THAT(r.out, Contains(std::string("  ") + name + ".toml"));
    CHECK_THAT(r.out, Contains("History of England 2001-2014, then the status quo to 2020"));
    { // one row: file, name, what it extends, description
        const auto at = r.out.find("  dp_support_everywhere.toml");
        REQUIRE(at != std::string::npos);
        const std::string row = r.out.substr(at, r.out.find('\n', at) - at);
        CHECK_THAT(row,
                   Contains(" baseline.toml ") &&
                       EndsWith("DP support service reaching every eligible user from 2015-04"));
    }
    CHECK_THAT(r.out, Contains("validation/"));
    CHECK_THAT(r.out, !Contains("uncalibrated"));
    // Same listing with the folder given.
    CHECK(run_pbsim("scenarios " + quote(kScenarios), dir.path()).status == 0);
}

TEST_CASE("scenarios: a folder of my own, with a broken file and an uncalibrated one", "[cli]") {
    ScratchDir dir;
    fs::create_directory(dir / "mine");
    dir.write("mine/policy.toml", "name = \"my_policy\"\ndescription = \"My lever from 2016\"\n"
                                  "extends = " +
                                      quote((kScenarios / "baseline.toml").string()) + "\n");
    dir.write("mine/alone.toml", "description = \"Nothing extended\"\n");
    dir.write("mine/broken.toml", "[request]\nbase_rat = 0.1\n");
    dir.write("mine/notes.txt", "not a scenario\n");
    const auto r = run_pbsim("scenarios mine", dir.path());
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("2 scenarios in mine"));
    CHECK_THAT(r.out, Contains("policy.toml"));
    CHECK_THAT(r.out, Contains("my_policy"));
    CHECK_THAT(r.out, Contains("My lever from 2016"));
    CHECK_THAT(r.out, Contains("- (uncalibrated)"));
    CHECK_THAT(r.out, Contains("Not scenarios"));
    CHECK_THAT(r.out, Contains("broken.toml:"));
    CHECK_THAT(r.out, Contains("did you mean 'request.base_rate'"));
    CHECK_THAT(r.out, !Contains("notes.txt"));
}

TEST_CASE("scenarios: a missing folder or a file is bad input", "[cli]") {
    ScratchDir dir;
    const auto r = run_pbsim("scenarios nowhere", dir.path());
    CHECK(r.status == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK_THAT(r.err, Contains("no such folder 'nowhere'"));
    CHECK(r.out.empty());
    // Without an argument, in a folder without scenarios/.
    const auto d = run_pbsim("scenarios", dir.path());
    CHECK(d.status == 2);
    CHECK_THAT(d.err, Contains("no such folder 'scenarios'"));
    const fs::path file = dir.write("a.toml", "\n");
    const auto f = run_pbsim("scenarios " + quote(file), dir.path());
    CHECK(f.status == 2);
    CHECK_THAT(f.err, Contains("is not a folder"));
}

TEST_CASE("docs parameter: one parameter from the registry", "[cli]") {
    ScratchDir dir;
    SECTION("a real key") {
        const auto r = run_pbsim("docs parameter population.users", dir.path());
        REQUIRE(r.status == 0);
        CHECK_THAT(r.out, Contains("population.users\n"));
        CHECK_THAT(r.out, Contains("default   150000\n"));
        CHECK_THAT(r.out, Contains("unit      people\n"));
        CHECK_THAT(r.out, Contains("range     1 to 10000000 (whole number)\n"));
        CHECK_THAT(r.out, Contains("varies    no"));
        CHECK_THAT(r.out, Contains("source    evidence.md"));
        CHECK_THAT(r.out, Contains("--set population.users=v"));
    }
    SECTION("a calibrated, time-varying key") {
        const auto r = run_pbsim("docs parameter request.base_rate", dir.path());
        REQUIRE(r.status == 0);
        CHECK_THAT(r.out, Contains("range     0 to 1\n"));
        CHECK_THAT(r.out, Contains("varies    yes"));
        CHECK_THAT(r.out, Contains("source    calibrated"));
    }
    SECTION("a group lists its keys") {
        const auto r = run_pbsim("docs parameter awareness", dir.path());
        REQUIRE(r.status == 0);
        CHECK_THAT(r.out, Contains("awareness.from_peer\n"));
        CHECK_THAT(r.out, !Contains("request.base_rate"));
    }
    SECTION("a near miss: did you mean, exit 2") {
        const auto r = run_pbsim("docs parameter request.base_rat", dir.path());
        CHECK(r.status == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK_THAT(r.err, Contains("unknown parameter 'request.base_rat' (did you mean "
                                   "'request.base_rate'?)"));
        CHECK(r.out.empty());
    }
    SECTION("nothing close") {
        const auto r = run_pbsim("docs parameter happiness.level", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("unknown parameter 'happiness.level'"));
        CHECK_THAT(r.err, !Contains("did you mean"));
    }
    SECTION("no key, or a mistyped document") {
        CHECK(run_pbsim("docs parameter", dir.path()).status == 2);
        const auto r = run_pbsim("docs paramters", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("(did you mean 'parameters'?)"));
        CHECK(run_pbsim("docs schema extra", dir.path()).status == 2);
    }
    SECTION("the documents are unchanged") {
        const auto r = run_pbsim("docs parameters", dir.path());
        REQUIRE(r.status == 0);
        CHECK(r.out == read_text(fs::path(PBSIM_SOURCE_DIR) / "docs" / "parameters.md"));
    }
}

TEST_CASE("help: every command has examples; pbsim --help lists each in one line", "[cli]") {
    ScratchDir dir;
    const auto top = run_pbsim("--help", dir.path());
    REQUIRE(top.status == 0);
    CHECK_THAT(top.out, Contains("Examples:\n  pbsim run scenarios/baseline.toml"));
    for (const char* command : {"run", "validate", "bench", "compare", "report", "calibrate",
                                "sweep", "sensitivity", "trial", "docs", "scenarios"}) {
        INFO(command);
        CHECK_THAT(top.out, Contains(std::string("\n  ") + command + " "));
        const auto r = run_pbsim(std::string(command) + " --help", dir.path());
        CHECK(r.status == 0);
        CHECK_THAT(r.out, Contains("Examples:\n  pbsim " + std::string(command)));
    }
    // The summaries are one line each: the details are only in CMD --help.
    CHECK_THAT(top.out, !Contains("common random numbers"));
    const auto run = run_pbsim("run --help", dir.path());
    CHECK_THAT(run.out, Contains("common random numbers"));
    CHECK_THAT(run.out,
               Contains("pbsim run scenarios/baseline.toml scenarios/crisis_prevention.toml"));
}

TEST_CASE("bench: speed, memory per user and scaling of a small run", "[cli]") {
    ScratchDir dir;
    const auto r =
        run_pbsim("bench " + quote(std::string(PBSIM_SOURCE_DIR) + "/scenarios/baseline.toml") +
                      " --scale 0.02 --replications 2 --threads 2",
                  dir.path());
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("3000 users x 240 months (scale 0.02), 2 cores"));
    CHECK_THAT(r.out, Contains("M agent-months/s (simulation loop)"));
    CHECK_THAT(r.out, Contains("bytes per simulated user"));
    CHECK_THAT(r.out, Contains("scaling 1 -> 2 threads"));
}
