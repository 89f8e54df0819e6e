// Faults and hostile input (docs/reliability.md): input files are read only if
// they are regular files within the size cap, keys are checked for depth and
// length before parsing, links (extends, base, scenario) name the referring
// file, line and key, and every message stays one short line.
#include "runner/input/scenario_file.hpp"
#include "runner/input/sweep_file.hpp"
#include "runner/input/toml_util.hpp"
#include "runner/input/trial_file.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <sys/stat.h>

using Catch::Matchers::Contains;
using namespace pbsim::runner;
using pbsim::testing::CliResult;
using pbsim::testing::run_pbsim;
using pbsim::testing::ScratchDir;
namespace fs = std::filesystem;

namespace {

const std::string kBase = "start = \"2001-01\"\nend = \"2004-12\"\n"
                          "[population]\nusers = 4000\ncouncils = 30\n";

const std::string kSweep =
    "base = \"base.toml\"\ndesign = \"lhs\"\npoints = 2\n"
    "[parameters]\n\"awareness.from_coordinator\" = { min = 0.01, max = 0.08 }\n";

const std::string kTrial = "scenario = \"base.toml\"\nclusters_per_arm = 3\n"
                           "participants_per_cluster = 10\nrecruitment = \"2003-01\"\n"
                           "follow_up_months = 12\ntrials = 2\n"
                           "[intervention]\npolicy.active_offer = 1\n";

// Runs f, which must throw ScenarioError with a one-line message; returns it.
template <class F> std::string error_of(F&& f) {
    try {
        f();
    } catch (const ScenarioError& e) {
        const std::string what = e.what();
        INFO("message: " << what);
        CHECK(what.find('\n') == std::string::npos);
        CHECK(what.size() < 1000);
        return what;
    } catch (const std::exception& e) {
        FAIL("expected ScenarioError, got another exception: " << e.what());
    }
    FAIL("expected ScenarioError, nothing was thrown");
    return {};
}

std::string scenario_error(const std::string& text,
                           const fs::path& file = "/virtual/dir/case.toml") {
    return error_of([&] { parse_scenario(text, file); });
}

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

// "a.a.a...": a dotted key of `parts` parts.
std::string deep_key(std::size_t parts) {
    return std::string("a") + repeat(".a", parts - 1);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

fs::path make_fifo(const ScratchDir& dir, const std::string& name) {
    const fs::path p = dir / name;
    REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
    return p;
}

} // namespace

TEST_CASE("input limits: deep dotted keys are refused before parsing", "[input_limits]") {
    SECTION("a dotted key of 50,000 parts") {
        const auto what = scenario_error(deep_key(50000) + " = 1\n");
        CHECK_THAT(what, Contains("/virtual/dir/case.toml:1: key 'a.a.a"));
        CHECK_THAT(what, Contains("(99999 characters)"));
        CHECK_THAT(what, Contains("has 50000 dotted parts; accepted at most 16"));
    }
    SECTION("a [table] header and an [[array]] header") {
        CHECK_THAT(scenario_error("start = \"2001-01\"\n\n[" + deep_key(40000) + "]\n"),
                   Contains("case.toml:3: table header [a.a.a") &&
                       Contains("has 40000 dotted parts; accepted at most 16"));
        CHECK_THAT(scenario_error("[[ " + deep_key(17) + " ]]\n"),
                   Contains("case.toml:1: table header [") && Contains("has 17 dotted parts"));
    }
    SECTION("quoted parts, blanks around dots, and inline tables") {
        CHECK_THAT(scenario_error(repeat("\"a\" . ", 30000) + "'b' = 1\n"),
                   Contains("has 30001 dotted parts"));
        CHECK_THAT(scenario_error("[policy]\nx = { y = 1, " + deep_key(100) + " = 2 }\n"),
                   Contains("case.toml:2: key 'a.a.a") && Contains("has 100 dotted parts"));
        CHECK_THAT(scenario_error("x = [\n  { " + deep_key(18) + " = 1 },\n]\n"),
                   Contains("case.toml:2: key") && Contains("has 18 dotted parts"));
    }
    SECTION("keys of 16 parts reach the parser, and dots in values, strings and comments do not "
            "count") {
        CHECK_THAT(scenario_error(deep_key(16) + " = 1\n"), Contains("unknown key 'a.a'"));
        const std::string dots = deep_key(50000);
        const auto s =
            parse_scenario("description = \"" + dots + "\"\n# " + dots + "\n" + "name = 'x' # " +
                               dots + "\n[policy] # " + dots + "\n" + "active_offer = 0.5\n",
                           "/virtual/dir/case.toml")
                .scenario;
        CHECK(s.description == dots);
        const auto doc =
            parse_toml("basic = \"\"\"\n[" + dots + "]\n" + dots + " = 1\n\\\"\"\" \"\"\"\"\"\n" +
                           "literal = '''\n" + dots + " = '''\n" + "single = '" + dots +
                           "' # \"\n" + "list = [\n  \"" + dots + "\", # " + dots + "\n  '" + dots +
                           "',\n]\n" + "table = { j = '" + dots + "', k = \"" + dots + "\" }\n",
                       "/virtual/dir/case.toml");
        CHECK(doc["basic"].value_or(std::string()) ==
              "[" + dots + "]\n" + dots + " = 1\n\"\"\" \"\"");
        CHECK(doc["literal"].value_or(std::string()) == dots + " = ");
        CHECK(doc["single"].value_or(std::string()) == dots);
        CHECK(doc["list"].as_array()->size() == 2);
        CHECK(doc["table"]["k"].value_or(std::string()) == dots);
    }
    SECTION("the line named counts the lines of multi-line strings") {
        CHECK_THAT(scenario_error("description = \"\"\"\none\ntwo\\\nthree\"\"\"\n" + deep_key(20) +
                                  " = 1\n"),
                   Contains("case.toml:5: key"));
    }
    SECTION("sweep and trial files") {
        ScratchDir dir;
        dir.write("base.toml", kBase);
        CHECK_THAT(
            error_of([&] { parse_sweep(kSweep + deep_key(30000) + " = 1\n", dir / "s.toml"); }),
            Contains("s.toml:6: key 'a.a.a") && Contains("has 30000 dotted parts"));
        CHECK_THAT(error_of([&] {
                       parse_sweep(kSweep + "[parameters." + deep_key(30000) + "]\n",
                                   dir / "s.toml");
                   }),
                   Contains("s.toml:6: table header [parameters.a.a") &&
                       Contains("has 30001 dotted parts"));
        CHECK_THAT(
            error_of([&] { parse_trial(kTrial + deep_key(30000) + " = 1\n", dir / "t.toml"); }),
            Contains("t.toml:9: key 'a.a.a") && Contains("has 30000 dotted parts"));
        CHECK_THAT(error_of([&] {
                       parse_trial(kTrial + "[intervention." + deep_key(30000) + "]\n",
                                   dir / "t.toml");
                   }),
                   Contains("t.toml:9: table header [intervention.a") && Contains("dotted parts"));
    }
    SECTION("the command line exits with status 2, not a crash") {
        ScratchDir dir;
        dir.write("base.toml", kBase);
        dir.write("dk.toml", deep_key(50000) + " = 1\n");
        dir.write("dh.toml", "[" + deep_key(50000) + "]\n");
        dir.write("sweep.toml", kSweep + deep_key(30000) + " = 1\n");
        dir.write("trial.toml", kTrial + "[intervention." + deep_key(30000) + "]\n");
        for (const std::string args :
             {"validate dk.toml", "validate dh.toml", "sweep sweep.toml", "trial trial.toml"}) {
            const CliResult r = run_pbsim(args, dir);
            CHECK(r.status == 2);
            CHECK_THAT(r.err, Contains("dotted parts; accepted at most 16"));
            CHECK(r.err.size() < 500);
        }
    }
}

TEST_CASE("input limits: long keys are answered fast with a shortened message", "[input_limits]") {
    const std::string huge(1 << 20, 'k');
    SECTION("a 1 MB key in a scenario file") {
        const auto t0 = std::chrono::steady_clock::now();
        const auto what = scenario_error("[policy]\n" + huge + " = 1\n");
        CHECK(seconds_since(t0) < 1.0);
        CHECK_THAT(what, Contains("case.toml:2: key '" + std::string(60, 'k') +
                                  "... (1048576 characters)' is 1048576 characters long; "
                                  "accepted at most 256"));
        CHECK(what.size() < 200);
    }
    SECTION("a 1 MB key on the command line (--set), compared with no registry key") {
        pbsim::Scenario s = pbsim::Scenario::defaults();
        const auto t0 = std::chrono::steady_clock::now();
        const auto what = error_of([&] { apply_setting(s, huge + "=1", "--set"); });
        CHECK(seconds_since(t0) < 1.0);
        CHECK_THAT(what,
                   Contains("unknown key '" + std::string(60, 'k') + "... (1048576 characters)'"));
        CHECK(what.size() < 300);
    }
    SECTION("a key within the cap is echoed shortened, and near misses are still suggested") {
        const auto what = scenario_error("[policy]\n" + std::string(200, 'x') + " = 1\n");
        CHECK_THAT(what, Contains("unknown key 'policy." + std::string(53, 'x') +
                                  "... (207 characters)'"));
        CHECK_THAT(scenario_error("[policy]\nactive_ofer = 1\n"),
                   Contains("did you mean 'policy.active_offer'?"));
        CHECK(suggestion("policy.active_offerxyz") == " (did you mean 'policy.active_offer'?)");
        CHECK(suggestion("policy.active_offerwxyz").empty());
    }
    SECTION("control characters in an echoed key are escaped: one line") {
        CHECK_THAT(scenario_error("[policy]\n\"bad\\nkey\\u0001\" = 1\n"),
                   Contains("unknown key 'policy.bad\\nkey\\x01'"));
    }
    SECTION("shorten() keeps whole UTF-8 characters") {
        const std::string euro = "\xE2\x82\xAC";
        CHECK(shorten(repeat(euro, 40)) == repeat(euro, 20) + "... (120 characters)");
        CHECK(shorten("a" + repeat(euro, 40)) == "a" + repeat(euro, 19) + "... (121 characters)");
        CHECK(shorten("short") == "short");
    }
}

TEST_CASE("input limits: only regular files within the size cap are read", "[input_limits]") {
    ScratchDir dir;
    SECTION("character devices are refused without reading: /dev/zero, /dev/urandom") {
        for (const std::string dev : {"/dev/zero", "/dev/urandom"}) {
            const auto t0 = std::chrono::steady_clock::now();
            const fs::path child =
                dir.write("child.toml", "# a device\nextends = \"" + dev + "\"\n");
            CHECK_THAT(error_of([&] { load_scenario(child); }),
                       Contains(child.string() + ":2: extends = \"" + dev + "\": " + dev +
                                " is a character device, not a regular file; accepted a regular "
                                "scenario file of at most 4 MiB (4194304 bytes)"));
            CHECK_THAT(error_of([&] { load_scenario(dev); }),
                       Contains(dev + ": is a character device, not a regular file"));
            CHECK(seconds_since(t0) < 1.0);
        }
    }
    SECTION("a FIFO is refused without waiting for a writer") {
        const fs::path fifo = make_fifo(dir, "fifo.toml");
        const fs::path child = dir.write("child.toml", "extends = \"fifo.toml\"\n");
        CHECK_THAT(error_of([&] { load_scenario(child); }),
                   Contains(child.string() + ":1: extends = \"fifo.toml\": " + fifo.string() +
                            " is a FIFO (named pipe), not a regular file"));
        CHECK_THAT(error_of([&] { load_scenario(fifo); }),
                   Contains(fifo.string() + ": is a FIFO (named pipe), not a regular file"));
        CHECK_THAT(error_of([&] { load_sweep(fifo); }),
                   Contains("not a regular file; accepted a regular sweep file"));
        CHECK_THAT(error_of([&] { load_trial(fifo); }),
                   Contains("not a regular file; accepted a regular trial file"));
        const CliResult r = run_pbsim("validate fifo.toml", dir);
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Contains("fifo.toml: is a FIFO (named pipe)"));
    }
    SECTION("a directory, an empty path, a missing file") {
        fs::create_directory(dir / "sub");
        const fs::path a = dir.write("a.toml", "extends = \"sub\"\n");
        CHECK_THAT(error_of([&] { load_scenario(a); }),
                   Contains(a.string() + ":1: extends = \"sub\": " + (dir / "sub").string() +
                            " is a directory, not a scenario file"));
        const fs::path x = dir.write("x.toml", "name = \"x\"\n\nextends = \"\"\n");
        CHECK(error_of([&] { load_scenario(x); }) ==
              x.string() +
                  ":3: extends = \"\": empty path; give a scenario file relative to x.toml");
        const fs::path m = dir.write("m.toml", "extends = \"nope/none.toml\"\n");
        CHECK(error_of([&] { load_scenario(m); }) ==
              m.string() +
                  ":1: extends = \"nope/none.toml\": " + (dir / "nope/none.toml").string() +
                  " does not exist; give a scenario file relative to m.toml");
    }
    SECTION("files larger than 4 MiB") {
        const std::string big = "# " + std::string(kMaxTomlBytes, '-') + "\n"; // 4 MiB + 3 bytes
        const fs::path file = dir.write("big.toml", big);
        const fs::path child = dir.write("child.toml", "extends = \"big.toml\"\n");
        CHECK_THAT(error_of([&] { load_scenario(file); }),
                   Contains(file.string() + ": is 4194307 bytes; accepted a scenario file of at "
                                            "most 4 MiB (4194304 bytes)"));
        CHECK_THAT(error_of([&] { load_scenario(child); }),
                   Contains(child.string() + ":1: extends = \"big.toml\": ") &&
                       Contains("is 4194307 bytes"));
        CHECK_THAT(scenario_error(big),
                   Contains("case.toml: 4194307 bytes of TOML; accepted at most 4 MiB"));
        // Exactly at the cap is still read.
        const std::string at_cap = "# " + std::string(kMaxTomlBytes - 3, '-') + "\n";
        CHECK(load_scenario(dir.write("cap.toml", at_cap)).scenario.name == "cap");
    }
    SECTION("a chain of extends more than 32 files deep") {
        for (int i = 0; i < 40; ++i) {
            std::string text; // s39.toml extends nothing
            if (i < 39)
                text.append("extends = \"s").append(std::to_string(i + 1)).append(".toml\"\n");
            dir.write(std::string("s").append(std::to_string(i)).append(".toml"), text);
        }
        CHECK_THAT(
            error_of([&] { load_scenario(dir / "s0.toml"); }),
            Contains("s31.toml:1: extends") &&
                Contains("makes a chain of more than 32 scenario files; accepted at most 32"));
        CHECK(load_scenario(dir / "s8.toml").scenario.name == "s8"); // 32 files
    }
}

TEST_CASE("input limits: sweep and trial files name the file, line and key of their links",
          "[input_limits]") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    make_fifo(dir, "fifo.toml");
    auto with = [](std::string text, const std::string& from, const std::string& to) {
        return text.replace(text.find(from), from.size(), to);
    };
    const fs::path sweep = dir / "s.toml", trial = dir / "t.toml";
    CHECK(error_of([&] { parse_sweep(with(kSweep, "base.toml", ""), sweep); }) ==
          sweep.string() + ":1: base = \"\": empty path; give a scenario file relative to s.toml");
    CHECK_THAT(error_of([&] { parse_sweep(with(kSweep, "base.toml", "/dev/zero"), sweep); }),
               Contains("s.toml:1: base = \"/dev/zero\": /dev/zero is a character device"));
    CHECK_THAT(error_of([&] { parse_sweep(with(kSweep, "base.toml", "fifo.toml"), sweep); }),
               Contains("s.toml:1: base = \"fifo.toml\": ") && Contains("is a FIFO"));
    CHECK_THAT(error_of([&] { parse_sweep(with(kSweep, "base.toml", "nope.toml"), sweep); }),
               Contains("s.toml:1: base = \"nope.toml\": ") && Contains("does not exist"));
    CHECK(error_of([&] { parse_trial(with(kTrial, "base.toml", ""), trial); }) ==
          trial.string() +
              ":1: scenario = \"\": empty path; give a scenario file relative to t.toml");
    CHECK_THAT(
        error_of([&] { parse_trial(with(kTrial, "base.toml", "/dev/urandom"), trial); }),
        Contains("t.toml:1: scenario = \"/dev/urandom\": /dev/urandom is a character device"));
    CHECK_THAT(error_of([&] { parse_trial(with(kTrial, "base.toml", "."), trial); }),
               Contains("t.toml:1: scenario = \".\": ") &&
                   Contains("is a directory, not a scenario file"));
    // The valid files themselves load.
    CHECK(parse_sweep(kSweep, sweep).factors.size() == 1);
    CHECK(parse_trial(kTrial, trial).intervention.size() == 1);
}

TEST_CASE("input limits: TOML syntax errors are one line, whatever the parser saw",
          "[input_limits]") {
    CHECK_THAT(scenario_error("start = \"2001-01\"\nx = in\n"),
               Contains("case.toml:2: TOML syntax error: ") && Contains("\\n"));
    CHECK_THAT(scenario_error("x = \"a\x01b\"\n"), Contains("case.toml:1: TOML syntax error: "));
    CHECK_THAT(scenario_error("[a]\n[a]\n"), Contains("case.toml:2: TOML syntax error: "));
}

TEST_CASE("input limits: cross-parameter rules are checked wherever a parameter changes",
          "[input_limits]") {
    // Parameters are step functions of the month, so validation checks the
    // start and every step within the run instead of every month; the month
    // named is still the first that breaks a rule.
    const std::string head =
        "start = \"2001-01\"\nend = \"2020-12\"\n[crisis]\nshare_admission = 0.3\n";
    CHECK_THAT(scenario_error(head +
                              "share_home_treatment = { \"2001-01\" = 0.5, \"2005-03\" = 0.9, "
                              "\"2007-01\" = 0.5 }\n"),
               Contains("exceeds 1 (in 2005-03)"));
    CHECK_THAT(
        scenario_error(head + "share_home_treatment = { \"1995-01\" = 0.9, \"2007-01\" = 0.5 }\n"),
        Contains("exceeds 1 (in 2001-01)"));
    CHECK_NOTHROW(
        parse_scenario(head + "share_home_treatment = { \"1995-01\" = 0.9, \"2001-01\" = 0.5, "
                              "\"2021-01\" = 0.9 }\n",
                       "/virtual/dir/case.toml"));
    // Every design point of a sweep is validated, at a cost that does not grow
    // with the months of the run: 240 months take about as long as 24 (checking
    // every month made it ten times as long, 2.3 s for these 8,000 points).
    ScratchDir dir;
    auto seconds_for = [&](const std::string& end) {
        dir.write("base.toml", "start = \"2001-01\"\nend = \"" + end + "\"\n");
        const auto t0 = std::chrono::steady_clock::now();
        const Sweep s = parse_sweep(
            "base = \"base.toml\"\ndesign = \"sobol\"\npoints = 2000\n[parameters]\n"
            "\"crisis.share_admission\" = { min = 0.1, max = 0.5 }\n"
            "\"crisis.share_home_treatment\" = { min = 0.1, max = 0.5, from = \"2001-06\" }\n",
            dir / "s.toml");
        CHECK(unit_design(s).rows == 8000);
        return seconds_since(t0);
    };
    const double short_run = seconds_for("2002-12"), long_run = seconds_for("2020-12");
    INFO("24 months: " << short_run << " s, 240 months: " << long_run << " s");
    CHECK(long_run < 3 * short_run + 0.05);
}
