// Unit tests of the scenario-file loader (runner/scenario_file.hpp): parsing,
// `extends` resolution, validation and its one-line error messages, command-line
// settings and the resolved TOML written into outputs.
#include "runner/input/scenario_file.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

using Catch::Matchers::Contains;
using pbsim::Month;
using pbsim::Scenario;
using pbsim::runner::apply_setting;
using pbsim::runner::load_scenario;
using pbsim::runner::parse_scenario;
using pbsim::runner::ScenarioError;
using pbsim::runner::to_toml;

namespace fs = std::filesystem;
using pbsim::testing::ScratchDir;

namespace {

// Runs f, which must throw ScenarioError; returns what().
template <class F> std::string scenario_error(F&& f) {
    try {
        f();
    } catch (const ScenarioError& e) {
        const std::string what = e.what();
        INFO("message: " << what);
        CHECK(what.find('\n') == std::string::npos); // one line
        return what;
    } catch (const std::exception& e) {
        FAIL("expected ScenarioError, got another exception: " << e.what());
    } catch (...) {
        FAIL("expected ScenarioError, got a non-standard exception");
    }
    FAIL("expected ScenarioError, nothing was thrown");
    return {};
}

std::string parse_error(const std::string& text, const fs::path& file = "/virtual/dir/case.toml") {
    return scenario_error([&] { parse_scenario(text, file); });
}

Scenario parse(const std::string& text, const fs::path& file = "/virtual/dir/case.toml") {
    return parse_scenario(text, file).scenario;
}

double value_at(const Scenario& s, std::string_view key, const std::string& month) {
    const int id = pbsim::find_parameter(key);
    REQUIRE(id >= 0);
    const auto m = pbsim::parse_month(month);
    REQUIRE(m);
    return pbsim::parameter_registry()[id].get(s.at(*m));
}

const pbsim::Timeline& timeline(const Scenario& s, std::string_view key) {
    const int id = pbsim::find_parameter(key);
    REQUIRE(id >= 0);
    return s.parameters[static_cast<std::size_t>(id)];
}

Month month(const char* text) {
    const auto m = pbsim::parse_month(text);
    REQUIRE(m);
    return *m;
}

// Every parameter agrees at every month from a.start to a.end.
void require_same_values(const Scenario& a, const Scenario& b) {
    REQUIRE(a.start == b.start);
    REQUIRE(a.end == b.end);
    const auto registry = pbsim::parameter_registry();
    std::size_t compared = 0;
    for (Month t = a.start; t <= a.end; t = t + 1) {
        const auto pa = a.at(t);
        const auto pb = b.at(t);
        for (const auto& spec : registry) {
            const double va = spec.get(pa);
            const double vb = spec.get(pb);
            if (va != vb) {
                FAIL(std::string(spec.key)
                     << " differs in " << t.to_string() << ": " << va << " vs " << vb);
            }
            ++compared;
        }
    }
    REQUIRE(compared == registry.size() * static_cast<std::size_t>(a.months()));
}

fs::path shipped(const char* name) {
    return fs::path(PBSIM_SOURCE_DIR) / "scenarios" / name;
}

} // namespace

TEST_CASE("scenario file: a minimal file parses and takes registry defaults", "[scenario_file]") {
    const Scenario s =
        parse("start = \"2003-02\"\nend = \"2004-01\"\n[request]\nbase_rate = 0.05\n",
              "/virtual/dir/minimal.toml");
    CHECK(s.name == "minimal");
    CHECK(s.start == Month::from_ym(2003, 2));
    CHECK(s.end == Month::from_ym(2004, 1));
    CHECK(s.months() == 12);
    REQUIRE(s.parameters.size() == pbsim::parameter_registry().size());
    CHECK(value_at(s, "request.base_rate", "2003-06") == 0.05);
    CHECK_FALSE(timeline(s, "request.base_rate").varies());
    // Everything else: the registry default.
    const auto registry = pbsim::parameter_registry();
    const auto p = s.at(s.start);
    for (const auto& spec : registry) {
        if (spec.key == "request.base_rate") continue;
        INFO(spec.key);
        CHECK(spec.get(p) == spec.default_value);
    }
    // The registry defaults themselves pass validation.
    CHECK_NOTHROW(pbsim::runner::validate(Scenario::defaults(), "defaults"));
}

TEST_CASE("scenario file: unknown keys are rejected with a suggestion", "[scenario_file]") {
    SECTION("unknown key in a group") {
        const auto what = parse_error("[request]\nbase_rat = 0.1\n", "/virtual/dir/typo.toml");
        CHECK_THAT(what, Contains("typo.toml:2"));
        CHECK_THAT(what, Contains("'request.base_rat'"));
        CHECK_THAT(what, Contains("did you mean 'request.base_rate'"));
    }
    SECTION("unknown key in a known group, nothing close") {
        const auto what = parse_error("[request]\nzzzzzzzzzzzz = 0.1\n", "/virtual/dir/far.toml");
        CHECK_THAT(what, Contains("far.toml:2"));
        CHECK_THAT(what, Contains("unknown key 'request.zzzzzzzzzzzz'"));
        CHECK_THAT(what, !Contains("did you mean"));
    }
    SECTION("unknown top-level key") {
        const auto what = parse_error("start = \"2001-01\"\ncolour = 3\n", "/virtual/dir/top.toml");
        CHECK_THAT(what, Contains("top.toml:2"));
        CHECK_THAT(what, Contains("unknown key 'colour'"));
        CHECK_THAT(what, Contains("top-level keys are"));
    }
    SECTION("unknown group") {
        const auto what = parse_error("[nonsense]\nx = 1\n", "/virtual/dir/group.toml");
        CHECK_THAT(what, Contains("group.toml"));
        CHECK_THAT(what, Contains("unknown key 'nonsense.x'"));
    }
    SECTION("misspelt group gets a suggestion") {
        const auto what = parse_error("[reqest]\nbase_rate = 0.1\n", "/virtual/dir/group2.toml");
        CHECK_THAT(what, Contains("group2.toml:2"));
        CHECK_THAT(what, Contains("'reqest.base_rate'"));
        CHECK_THAT(what, Contains("did you mean 'request.base_rate'"));
    }
}

TEST_CASE("scenario file: values of the wrong type are rejected", "[scenario_file]") {
    SECTION("string for a number") {
        const auto what = parse_error("[request]\nbase_rate = \"high\"\n", "/virtual/dir/str.toml");
        CHECK_THAT(what, Contains("str.toml:2"));
        CHECK_THAT(what, Contains("request.base_rate"));
        CHECK_THAT(what, Contains("a string"));
        CHECK_THAT(what, Contains("must be a number"));
    }
    SECTION("array for a number") {
        const auto what =
            parse_error("[request]\n\nbase_rate = [0.1, 0.2]\n", "/virtual/dir/arr.toml");
        CHECK_THAT(what, Contains("arr.toml:3"));
        CHECK_THAT(what, Contains("request.base_rate"));
        CHECK_THAT(what, Contains("an array"));
    }
    SECTION("boolean for a number") {
        const auto what = parse_error("[policy]\nactive_offer = true\n", "/virtual/dir/bool.toml");
        CHECK_THAT(what, Contains("bool.toml:2"));
        CHECK_THAT(what, Contains("policy.active_offer"));
        CHECK_THAT(what, Contains("a boolean"));
    }
    SECTION("string inside a timeline") {
        const auto what = parse_error("[policy]\nactive_offer = { \"2005-01\" = \"lots\" }\n",
                                      "/virtual/dir/tlstr.toml");
        CHECK_THAT(what, Contains("tlstr.toml:2"));
        CHECK_THAT(what, Contains("policy.active_offer at 2005-01"));
        CHECK_THAT(what, Contains("a string"));
    }
    SECTION("number for start") {
        const auto what = parse_error("start = 2001\n", "/virtual/dir/startnum.toml");
        CHECK_THAT(what, Contains("startnum.toml:1"));
        CHECK_THAT(what, Contains("start must be a string"));
        CHECK_THAT(what, Contains("a number"));
    }
}

TEST_CASE("scenario file: out-of-range values name key, value and range", "[scenario_file]") {
    SECTION("negative probability") {
        const auto what = parse_error("[request]\nbase_rate = -0.1\n", "/virtual/dir/neg.toml");
        CHECK_THAT(what, Contains("neg.toml"));
        CHECK_THAT(what, Contains("request.base_rate"));
        CHECK_THAT(what, Contains("-0.1"));
        CHECK_THAT(what, Contains("[0, 1]"));
        CHECK_THAT(what, Contains("probability/month"));
    }
    SECTION("probability above 1") {
        const auto what = parse_error("[policy]\nactive_offer = 1.5\n", "/virtual/dir/hi.toml");
        CHECK_THAT(what, Contains("hi.toml"));
        CHECK_THAT(what, Contains("policy.active_offer = 1.5"));
        CHECK_THAT(what, Contains("[0, 1]"));
    }
    SECTION("not a number at all: inf") {
        const auto what = parse_error("[request]\nbase_rate = inf\n", "/virtual/dir/inf.toml");
        CHECK_THAT(what, Contains("request.base_rate"));
        CHECK_THAT(what, Contains("[0, 1]"));
    }
    SECTION("not a number at all: nan") {
        const auto what = parse_error("[request]\nbase_rate = nan\n", "/virtual/dir/nan.toml");
        CHECK_THAT(what, Contains("request.base_rate"));
        CHECK_THAT(what, Contains("[0, 1]"));
    }
    SECTION("non-integer for an integer parameter") {
        const auto what = parse_error("[population]\nusers = 1.5\n", "/virtual/dir/whole.toml");
        CHECK_THAT(what, Contains("whole.toml"));
        CHECK_THAT(what, Contains("population.users"));
        CHECK_THAT(what, Contains("1.5"));
        CHECK_THAT(what, Contains("whole number"));
    }
    SECTION("integer parameter below its minimum") {
        const auto what = parse_error("[population]\nusers = 0\n", "/virtual/dir/zero.toml");
        CHECK_THAT(what, Contains("population.users = 0"));
        CHECK_THAT(what, Contains("[1, "));
    }
    SECTION("out of range inside a timeline shows the date") {
        const auto what =
            parse_error("[policy]\nactive_offer = { \"2001-01\" = 0, \"2010-06\" = 1.5 }\n",
                        "/virtual/dir/tl.toml");
        CHECK_THAT(what, Contains("tl.toml"));
        CHECK_THAT(what, Contains("policy.active_offer"));
        CHECK_THAT(what, Contains("1.5"));
        CHECK_THAT(what, Contains("2010-06"));
        CHECK_THAT(what, Contains("[0, 1]"));
    }
}

TEST_CASE("scenario file: malformed months and periods", "[scenario_file]") {
    SECTION("bad month in a timeline key") {
        const auto what = parse_error("[policy]\nactive_offer = { \"2010-13\" = 0.5 }\n",
                                      "/virtual/dir/tlmonth.toml");
        CHECK_THAT(what, Contains("tlmonth.toml:2"));
        CHECK_THAT(what, Contains("policy.active_offer"));
        CHECK_THAT(what, Contains("\"2010-13\""));
        CHECK_THAT(what, Contains("YYYY-MM"));
    }
    SECTION("free-text month in a timeline key") {
        const auto what = parse_error("[policy]\nactive_offer = { \"April 2010\" = 0.5 }\n",
                                      "/virtual/dir/tltext.toml");
        CHECK_THAT(what, Contains("\"April 2010\""));
        CHECK_THAT(what, Contains("YYYY-MM"));
    }
    SECTION("bad start") {
        const auto what = parse_error("start = \"2001-1\"\n", "/virtual/dir/start.toml");
        CHECK_THAT(what, Contains("start.toml:1"));
        CHECK_THAT(what, Contains("start = \"2001-1\""));
        CHECK_THAT(what, Contains("YYYY-MM"));
    }
    SECTION("bad end") {
        const auto what =
            parse_error("start = \"2001-01\"\nend = \"2020-00\"\n", "/virtual/dir/end.toml");
        CHECK_THAT(what, Contains("end.toml:2"));
        CHECK_THAT(what, Contains("end = \"2020-00\""));
        CHECK_THAT(what, Contains("YYYY-MM"));
    }
    SECTION("year outside the accepted span") {
        const auto what = parse_error("end = \"2300-01\"\n", "/virtual/dir/far.toml");
        CHECK_THAT(what, Contains("\"2300-01\""));
        CHECK_THAT(what, Contains("1900-01 to 2200-12"));
    }
    SECTION("end before start") {
        const auto what =
            parse_error("start = \"2010-01\"\nend = \"2005-12\"\n", "/virtual/dir/order.toml");
        CHECK_THAT(what, Contains("order.toml"));
        CHECK_THAT(what, Contains("2005-12"));
        CHECK_THAT(what, Contains("2010-01"));
        CHECK_THAT(what, Contains("before start"));
    }
    SECTION("evaluation_start must be a month inside the run") {
        const auto what = parse_error("start = \"2001-01\"\nend = \"2020-12\"\n"
                                      "evaluation_start = \"2021-01\"\n",
                                      "/virtual/dir/window.toml");
        CHECK_THAT(what, Contains("window.toml"));
        CHECK_THAT(what, Contains("evaluation_start = \"2021-01\""));
        CHECK_THAT(what, Contains("2001-01"));
        CHECK_THAT(what, Contains("2020-12"));
        CHECK_THAT(parse_error("evaluation_start = \"2015-4\"\n"), Contains("YYYY-MM"));
        CHECK(parse("evaluation_start = \"2015-04\"\n").evaluation_from() == month("2015-04"));
        CHECK(parse("start = \"2003-02\"\n").evaluation_from() == month("2003-02"));
    }
    SECTION("a one-month run is fine") {
        const Scenario s = parse("start = \"2010-01\"\nend = \"2010-01\"\n");
        CHECK(s.months() == 1);
    }
    SECTION("runs longer than 100 years are rejected") {
        const auto what =
            parse_error("start = \"1900-01\"\nend = \"2100-01\"\n", "/virtual/dir/long.toml");
        CHECK_THAT(what, Contains("long.toml"));
        CHECK_THAT(what, Contains("1200"));
    }
}

TEST_CASE("scenario file: fixed parameters cannot vary by date", "[scenario_file]") {
    SECTION("integer structural parameter") {
        const auto what =
            parse_error("[population]\nusers = { \"2005-01\" = 10 }\n", "/virtual/dir/fixed.toml");
        CHECK_THAT(what, Contains("fixed.toml:2"));
        CHECK_THAT(what, Contains("population.users"));
        CHECK_THAT(what, Contains("fixed"));
    }
    SECTION("real structural parameter") {
        const auto what = parse_error("[population]\nexit_rate = { \"2001-01\" = 0.01 }\n",
                                      "/virtual/dir/fixed2.toml");
        CHECK_THAT(what, Contains("population.exit_rate"));
        CHECK_THAT(what, Contains("fixed"));
    }
    SECTION("empty timeline") {
        const auto what = parse_error("[policy]\nactive_offer = {}\n", "/virtual/dir/empty.toml");
        CHECK_THAT(what, Contains("policy.active_offer"));
        CHECK_THAT(what, Contains("empty timeline"));
    }
}

TEST_CASE("scenario file: cross-parameter rules", "[scenario_file]") {
    SECTION("severity shares above 1") {
        const auto what =
            parse_error("[population]\nshare_severity_1 = 0.7\nshare_severity_3 = 0.4\n",
                        "/virtual/dir/sev.toml");
        CHECK_THAT(what, Contains("sev.toml"));
        CHECK_THAT(what, Contains("population.share_severity_1"));
        CHECK_THAT(what, Contains("population.share_severity_3"));
        CHECK_THAT(what, Contains("exceeds 1"));
    }
    SECTION("severity shares summing to exactly 1 are fine") {
        const Scenario s =
            parse("[population]\nshare_severity_1 = 0.75\nshare_severity_3 = 0.25\n");
        CHECK(value_at(s, "population.share_severity_1", "2005-01") == 0.75);
    }
    SECTION("crisis shares exceeding 1 from a date names the month") {
        const auto what =
            parse_error("start = \"2001-01\"\nend = \"2020-12\"\n[crisis]\nshare_admission = 0.3\n"
                        "share_home_treatment = { \"2001-01\" = 0.5, \"2012-06\" = 0.9 }\n",
                        "/virtual/dir/crisis.toml");
        CHECK_THAT(what, Contains("crisis.toml"));
        CHECK_THAT(what, Contains("crisis.share_admission"));
        CHECK_THAT(what, Contains("crisis.share_home_treatment"));
        CHECK_THAT(what, Contains("2012-06"));
    }
    SECTION("a crossing in the last simulated month is caught") {
        const auto what =
            parse_error("start = \"2001-01\"\nend = \"2012-06\"\n[crisis]\nshare_admission = 0.3\n"
                        "share_home_treatment = { \"2001-01\" = 0.5, \"2012-06\" = 0.9 }\n",
                        "/virtual/dir/crisis_end.toml");
        CHECK_THAT(what, Contains("crisis_end.toml"));
        CHECK_THAT(what, Contains("(in 2012-06)"));
    }
    SECTION("a crossing outside the simulated period is not an error") {
        CHECK_NOTHROW(
            parse("start = \"2001-01\"\nend = \"2010-12\"\n[crisis]\nshare_admission = 0.3\n"
                  "share_home_treatment = { \"2001-01\" = 0.5, \"2012-06\" = 0.9 }\n"));
    }
}

TEST_CASE("scenario file: TOML syntax errors give file and line", "[scenario_file]") {
    const auto what =
        parse_error("start = \"2001-01\"\nend = \"2020-12\"\n[request\nbase_rate = 0.1\n",
                    "/virtual/dir/syntax.toml");
    CHECK_THAT(what, Contains("syntax.toml:3"));
    CHECK_THAT(what, Contains("TOML syntax error"));
}

TEST_CASE("scenario file: missing files and broken extends chains", "[scenario_file]") {
    ScratchDir dir;
    SECTION("missing file") {
        const fs::path file = dir.path() / "nope.toml";
        const auto what = scenario_error([&] { load_scenario(file); });
        CHECK_THAT(what, Contains(file.string()));
        CHECK_THAT(what, Contains("not found"));
    }
    SECTION("a directory instead of a file") {
        const auto what = scenario_error([&] { load_scenario(dir.path()); });
        CHECK_THAT(what, Contains(dir.path().string()));
        CHECK_THAT(what, Contains("directory"));
    }
    SECTION("extends a missing file") {
        const fs::path child = dir.write("child.toml", "extends = \"missing_parent.toml\"\n");
        const auto what = scenario_error([&] { load_scenario(child); });
        CHECK_THAT(what, Contains(child.string() + ":1"));
        CHECK_THAT(what, Contains("missing_parent.toml"));
        CHECK_THAT(what, Contains("does not exist"));
    }
    SECTION("extends cycle of two files") {
        const fs::path a = dir.write("a.toml", "extends = \"b.toml\"\n");
        dir.write("b.toml", "extends = \"a.toml\"\n");
        const auto what = scenario_error([&] { load_scenario(a); });
        CHECK_THAT(what, Contains("cycle"));
        CHECK_THAT(what, Contains("a.toml"));
        CHECK_THAT(what, Contains("b.toml"));
    }
    SECTION("a file extending itself") {
        const fs::path self = dir.write("self.toml", "extends = \"./self.toml\"\n");
        const auto what = scenario_error([&] { load_scenario(self); });
        CHECK_THAT(what, Contains("self.toml"));
        CHECK_THAT(what, Contains("cycle"));
    }
    SECTION("an error in the parent names the parent file") {
        dir.write("parent.toml", "[request]\nbase_rat = 0.1\n");
        const fs::path child = dir.write("child.toml", "extends = \"parent.toml\"\n");
        const auto what = scenario_error([&] { load_scenario(child); });
        CHECK_THAT(what, Contains("parent.toml:2"));
        CHECK_THAT(what, Contains("request.base_rat"));
    }
    SECTION("extends must be a string") {
        const fs::path child = dir.write("child.toml", "extends = 3\n");
        const auto what = scenario_error([&] { load_scenario(child); });
        CHECK_THAT(what, Contains("extends must be a string"));
    }
}

TEST_CASE("scenario file: extends resolution", "[scenario_file]") {
    ScratchDir dir;
    dir.write("parent.toml",
              "name = \"the_parent\"\n"
              "description = \"parent description\"\n"
              "start = \"2003-01\"\n"
              "end = \"2012-12\"\n"
              "[request]\n"
              "base_rate = 0.03\n"
              "[policy]\n"
              "active_offer = { \"2001-01\" = 0.1, \"2005-01\" = 0.3, \"2009-01\" = 0.6 }\n"
              "budget_pressure = { \"2001-01\" = 0.2, \"2010-04\" = 0.5 }\n"
              "[information]\n"
              "campaign_intensity = { \"2001-01\" = 0.1, \"2004-01\" = 0.4, \"2008-01\" = 0.7 }\n");
    // The child lives in a subdirectory: extends is relative to the child file.
    const fs::path child =
        dir.write("sub/my_child.toml", "extends = \"../parent.toml\"\n"
                                       "[policy]\n"
                                       "budget_pressure = 0.9\n"
                                       "[information]\n"
                                       "campaign_intensity = { \"2006-01\" = 0.9 }\n");
    const auto loaded = load_scenario(child);
    const Scenario& s = loaded.scenario;
    CHECK(loaded.file == child);

    SECTION("name defaults to the file stem; description is not inherited") {
        CHECK(s.name == "my_child");
        CHECK(s.description.empty());
    }
    SECTION("start and end are inherited") {
        CHECK(s.start == Month::from_ym(2003, 1));
        CHECK(s.end == Month::from_ym(2012, 12));
    }
    SECTION("values the child does not set are inherited") {
        CHECK(value_at(s, "request.base_rate", "2003-01") == 0.03);
        CHECK(value_at(s, "request.base_rate", "2012-12") == 0.03);
        CHECK(value_at(s, "policy.active_offer", "2004-12") == 0.1);
        CHECK(value_at(s, "policy.active_offer", "2005-01") == 0.3);
        CHECK(value_at(s, "policy.active_offer", "2008-12") == 0.3);
        CHECK(value_at(s, "policy.active_offer", "2009-01") == 0.6);
        CHECK(value_at(s, "policy.active_offer", "2012-12") == 0.6);
    }
    SECTION("a child constant replaces the parent's timeline") {
        CHECK_FALSE(timeline(s, "policy.budget_pressure").varies());
        CHECK(value_at(s, "policy.budget_pressure", "2003-01") == 0.9);
        CHECK(value_at(s, "policy.budget_pressure", "2011-01") == 0.9);
    }
    SECTION("a child timeline keeps parent steps before its date and replaces those after") {
        CHECK(value_at(s, "information.campaign_intensity", "2003-01") == 0.1);
        CHECK(value_at(s, "information.campaign_intensity", "2003-12") == 0.1);
        CHECK(value_at(s, "information.campaign_intensity", "2004-01") == 0.4);
        CHECK(value_at(s, "information.campaign_intensity", "2005-12") == 0.4);
        CHECK(value_at(s, "information.campaign_intensity", "2006-01") == 0.9);
        CHECK(value_at(s, "information.campaign_intensity", "2008-01") == 0.9); // parent: 0.7
        CHECK(value_at(s, "information.campaign_intensity", "2012-12") == 0.9);
    }
    SECTION("the parent itself is unchanged and keeps its own name") {
        const auto parent = load_scenario(dir.path() / "parent.toml").scenario;
        CHECK(parent.name == "the_parent");
        CHECK(parent.description == "parent description");
        CHECK(value_at(parent, "information.campaign_intensity", "2008-01") == 0.7);
        CHECK(value_at(parent, "policy.budget_pressure", "2011-01") == 0.5);
    }
    SECTION("a grandchild can override start and name") {
        const fs::path grandchild =
            dir.write("sub/grandchild.toml", "extends = \"my_child.toml\"\n"
                                             "name = \"gc\"\n"
                                             "start = \"2007-06\"\n"
                                             "[information]\n"
                                             "campaign_intensity = { \"2010-01\" = 0.2 }\n");
        const Scenario g = load_scenario(grandchild).scenario;
        CHECK(g.name == "gc");
        CHECK(g.start == Month::from_ym(2007, 6));
        CHECK(g.end == Month::from_ym(2012, 12));
        CHECK(value_at(g, "information.campaign_intensity", "2009-12") == 0.9);
        CHECK(value_at(g, "information.campaign_intensity", "2010-01") == 0.2);
        CHECK(value_at(g, "policy.budget_pressure", "2011-01") == 0.9);
        CHECK(value_at(g, "request.base_rate", "2011-01") == 0.03);
    }
}

TEST_CASE("scenario file: to_toml round trip", "[scenario_file]") {
    ScratchDir dir;
    SECTION("a scenario with timelines, a late start and steps after the end") {
        const fs::path file = dir.write(
            "rt.toml", "name = \"round-trip.test_1\"\n"
                       "description = \"quotes \\\" and backslash \\\\ and unicode \u00e9\"\n"
                       "start = \"2009-06\"\n"
                       "end = \"2016-03\"\n"
                       "[population]\nusers = 2000000\ncouncils = 17\nexit_rate = 0.0123456789\n"
                       "[request]\nbase_rate = 1e-5\n"
                       "[policy]\n"
                       "active_offer = { \"2001-01\" = 0.1, \"2009-06\" = 0.2, \"2011-02\" = 0.35, "
                       "\"2030-01\" = 1 }\n"
                       "budget_pressure = { \"2005-01\" = 0.3, \"2010-04\" = 0.123456789012345 }\n"
                       "[information]\ncampaign_intensity = { \"2016-03\" = 0.8 }\n"
                       "[outcome]\nutility_pb_gain = -0.25\n");
        const Scenario original = load_scenario(file).scenario;
        const std::string text = to_toml(original, "header comment");
        INFO(text);
        CHECK(text.rfind("# header comment\n", 0) == 0);
        const Scenario back = parse_scenario(text, dir.path() / "back.toml").scenario;
        CHECK(back.name == original.name);
        CHECK(back.description == original.description);
        require_same_values(original, back);
        // Writing it again gives the same text.
        CHECK(to_toml(back, "header comment") == text);
        // The timeline really is a timeline in the text (not collapsed to the start value).
        CHECK(value_at(back, "policy.active_offer", "2011-01") == 0.2);
        CHECK(value_at(back, "policy.active_offer", "2011-02") == 0.35);
        CHECK(value_at(back, "information.campaign_intensity", "2016-02") ==
              pbsim::parameter_registry()[static_cast<std::size_t>(pbsim::find_parameter(
                                              "information.campaign_intensity"))]
                  .default_value);
        CHECK(value_at(back, "information.campaign_intensity", "2016-03") == 0.8);
    }
    SECTION("the shipped scenarios") {
        for (const char* name : {"baseline.toml", "dp_support_everywhere.toml"}) {
            INFO(name);
            const Scenario original = load_scenario(shipped(name)).scenario;
            const std::string text = to_toml(original);
            const Scenario back = parse_scenario(text, dir.path() / name).scenario;
            CHECK(back.name == original.name);
            CHECK(back.evaluation_start == original.evaluation_start);
            require_same_values(original, back);
        }
        CHECK(load_scenario(shipped("baseline.toml")).scenario.evaluation_start ==
              month("2015-04"));
    }
}

TEST_CASE("scenario file: apply_setting", "[scenario_file]") {
    Scenario s = load_scenario(shipped("baseline.toml")).scenario;

    SECTION("key=value sets a constant") {
        REQUIRE(timeline(s, "policy.active_offer").varies());
        apply_setting(s, "policy.active_offer=0.8", "--set");
        CHECK_FALSE(timeline(s, "policy.active_offer").varies());
        CHECK(value_at(s, "policy.active_offer", "2001-01") == 0.8);
        CHECK(value_at(s, "policy.active_offer", "2020-12") == 0.8);
        apply_setting(s, "population.users=1234", "--set");
        CHECK(s.at(s.start).population.users == 1234);
    }
    SECTION("key=value@YYYY-MM sets from that month on") {
        const double before = value_at(s, "policy.active_offer", "2015-03");
        const double earlier = value_at(s, "policy.active_offer", "2008-04");
        REQUIRE(before != 1.0);
        apply_setting(s, "policy.active_offer=1@2015-04", "--set");
        CHECK(value_at(s, "policy.active_offer", "2015-03") == before);
        CHECK(value_at(s, "policy.active_offer", "2008-04") == earlier);
        CHECK(value_at(s, "policy.active_offer", "2015-04") == 1.0);
        CHECK(value_at(s, "policy.active_offer", "2020-12") == 1.0);
    }
    SECTION("a dated setting replaces later steps") {
        apply_setting(s, "policy.budget_pressure=0.1@2009-01", "--set");
        CHECK(value_at(s, "policy.budget_pressure", "2008-12") == 0.2);
        CHECK(value_at(s, "policy.budget_pressure", "2013-04") == 0.1); // baseline: 0.7
    }
    SECTION("unknown key") {
        const auto what =
            scenario_error([&] { apply_setting(s, "request.base_rat=0.1", "--set"); });
        CHECK_THAT(what, Contains("--set"));
        CHECK_THAT(what, Contains("'request.base_rat'"));
        CHECK_THAT(what, Contains("did you mean 'request.base_rate'"));
    }
    SECTION("bad number") {
        const auto what =
            scenario_error([&] { apply_setting(s, "request.base_rate=abc", "--set"); });
        CHECK_THAT(what, Contains("--set"));
        CHECK_THAT(what, Contains("\"abc\""));
        CHECK_THAT(what, Contains("not a number"));
    }
    SECTION("trailing garbage after the number") {
        const auto what =
            scenario_error([&] { apply_setting(s, "request.base_rate=0.1x", "--set"); });
        CHECK_THAT(what, Contains("\"0.1x\""));
    }
    SECTION("empty value") {
        const auto what = scenario_error([&] { apply_setting(s, "request.base_rate=", "--set"); });
        CHECK_THAT(what, Contains("not a number"));
    }
    SECTION("no '='") {
        const auto what = scenario_error([&] { apply_setting(s, "request.base_rate", "--set"); });
        CHECK_THAT(what, Contains("request.base_rate"));
        CHECK_THAT(what, Contains("key=value"));
    }
    SECTION("out of range") {
        const auto what =
            scenario_error([&] { apply_setting(s, "request.base_rate=2", "origin-x"); });
        CHECK_THAT(what, Contains("origin-x"));
        CHECK_THAT(what, Contains("request.base_rate = 2"));
        CHECK_THAT(what, Contains("[0, 1]"));
    }
    SECTION("nan is out of range") {
        const auto what =
            scenario_error([&] { apply_setting(s, "request.base_rate=nan", "--set"); });
        CHECK_THAT(what, Contains("request.base_rate"));
        CHECK_THAT(what, Contains("[0, 1]"));
    }
    SECTION("out of range from a date names the date") {
        const auto what =
            scenario_error([&] { apply_setting(s, "policy.active_offer=2@2016-01", "--set"); });
        CHECK_THAT(what, Contains("policy.active_offer"));
        CHECK_THAT(what, Contains("2016-01"));
        CHECK_THAT(what, Contains("[0, 1]"));
    }
    SECTION("non-integer for an integer parameter") {
        const auto what =
            scenario_error([&] { apply_setting(s, "population.councils=2.5", "--set"); });
        CHECK_THAT(what, Contains("population.councils"));
        CHECK_THAT(what, Contains("2.5"));
        CHECK_THAT(what, Contains("whole number"));
    }
    SECTION("a date on a fixed parameter") {
        const auto what =
            scenario_error([&] { apply_setting(s, "population.users=1000@2010-01", "--set"); });
        CHECK_THAT(what, Contains("population.users"));
        CHECK_THAT(what, Contains("fixed"));
    }
    SECTION("a bad date") {
        const auto what =
            scenario_error([&] { apply_setting(s, "policy.active_offer=1@2015-13", "--set"); });
        CHECK_THAT(what, Contains("\"2015-13\""));
        CHECK_THAT(what, Contains("YYYY-MM"));
    }
    SECTION("a setting that breaks a cross rule") {
        const auto what =
            scenario_error([&] { apply_setting(s, "population.share_severity_1=0.9", "--set"); });
        CHECK_THAT(what, Contains("population.share_severity_1"));
        CHECK_THAT(what, Contains("exceeds 1"));
    }
}

TEST_CASE("scenario file: the shipped scenarios", "[scenario_file]") {
    const auto baseline = load_scenario(shipped("baseline.toml")).scenario;
    const auto dps = load_scenario(shipped("dp_support_everywhere.toml")).scenario;
    CHECK(baseline.name == "baseline");
    CHECK(dps.name == "dp_support_everywhere");
    CHECK_FALSE(dps.description.empty());
    CHECK(baseline.description != dps.description);
    CHECK(baseline.start == Month::from_ym(2001, 1));
    CHECK(baseline.end == Month::from_ym(2020, 12));
    REQUIRE(dps.start == baseline.start);
    REQUIRE(dps.end == baseline.end);

    const int coverage = pbsim::find_parameter("dp_support_service.coverage");
    REQUIRE(coverage >= 0);
    const auto registry = pbsim::parameter_registry();
    const Month policy_start = month("2015-04");
    int differing_months = 0;
    for (Month t = baseline.start; t <= baseline.end; t = t + 1) {
        const auto pb = baseline.at(t);
        const auto pd = dps.at(t);
        for (std::size_t i = 0; i < registry.size(); ++i) {
            const double vb = registry[i].get(pb);
            const double vd = registry[i].get(pd);
            if (static_cast<int>(i) == coverage && t >= policy_start) {
                if (vd != 1.0 || vb == vd)
                    FAIL("coverage in " << t.to_string() << ": baseline " << vb << ", dps " << vd);
                ++differing_months;
            } else if (vb != vd) {
                FAIL(registry[i].key << " differs in " << t.to_string() << ": baseline " << vb
                                     << ", dps " << vd);
            }
        }
    }
    CHECK(differing_months == baseline.end - policy_start + 1);
    CHECK(value_at(baseline, "dp_support_service.coverage", "2015-03") ==
          value_at(dps, "dp_support_service.coverage", "2015-03"));
}

TEST_CASE("scenario file: several --set values are validated together", "[scenario_file]") {
    Scenario s =
        parse_scenario("start = \"2001-01\"\nend = \"2001-12\"\n", "/virtual/order.toml").scenario;
    // Each alone would break the severity rule against the other's default; together they do not.
    const std::vector<std::string> a = {"population.share_severity_1=0.9",
                                        "population.share_severity_3=0.05"};
    const std::vector<std::string> b = {a[1], a[0]};
    Scenario s1 = s, s2 = s;
    pbsim::runner::apply_settings(s1, a, "--set");
    pbsim::runner::apply_settings(s2, b, "--set");
    CHECK(s1.at(s1.start).population.share_severity_1 == 0.9);
    CHECK(s2.at(s2.start).population.share_severity_1 == 0.9);
    // A rejected set of settings leaves the scenario unchanged.
    Scenario s3 = s;
    CHECK_THROWS_AS(
        pbsim::runner::apply_settings(
            s3, {"population.share_severity_1=0.9", "population.share_severity_3=0.5"}, "--set"),
        ScenarioError);
    CHECK(s3.at(s3.start).population.share_severity_1 == s.at(s.start).population.share_severity_1);
}

TEST_CASE("scenario file: names are safe for files and groups", "[scenario_file]") {
    for (const char* bad : {"../../pwned", "a/b", ".hidden", "with space", ""}) {
        INFO(bad);
        const std::string text = std::string("name = \"") + bad + "\"\n";
        CHECK_THROWS_WITH(parse_scenario(text, "/virtual/n.toml"),
                          Contains("not a valid scenario name"));
    }
    CHECK(parse_scenario("name = \"crisis_prevention-v2.1\"\n", "/virtual/n.toml").scenario.name ==
          "crisis_prevention-v2.1");
    // A default name from an awkward file name is made safe.
    CHECK(parse_scenario("", "/virtual/my policy (v2).toml").scenario.name == "my_policy__v2_");
}

TEST_CASE("scenario file: a group may be an inline table", "[scenario_file]") {
    const auto s =
        parse_scenario("policy = { active_offer = 0.5 }\n", "/virtual/inline.toml").scenario;
    CHECK(s.at(s.start).policy.active_offer == 0.5);
}

TEST_CASE("scenario file: ramps", "[scenario_file]") {
    SECTION("a ramp is reached linearly from the point before, month by month") {
        const Scenario s = parse("start = \"2001-01\"\nend = \"2020-12\"\n[policy]\n"
                                 "active_offer = { \"2001-01\" = 0.1, \"2003-04\" = 0, "
                                 "\"2013-04\" = { ramp = 0.8 } }\n");
        CHECK(value_at(s, "policy.active_offer", "2003-03") == 0.1);
        CHECK(value_at(s, "policy.active_offer", "2003-04") == 0);
        CHECK(value_at(s, "policy.active_offer", "2008-04") == Approx(0.4).epsilon(1e-12));
        CHECK(value_at(s, "policy.active_offer", "2013-04") == 0.8);
        CHECK(value_at(s, "policy.active_offer", "2019-01") == 0.8);
        CHECK(timeline(s, "policy.active_offer").ramps());
    }
    SECTION("a ramp extends an inherited timeline from its last point before") {
        ScratchDir dir;
        dir.write("parent.toml",
                  "[policy]\nactive_offer = { \"2001-01\" = 0, \"2008-04\" = 0.5 }\n");
        const fs::path child =
            dir.write("child.toml", "extends = \"parent.toml\"\n[policy]\n"
                                    "active_offer = { \"2012-04\" = { ramp = 1 } }\n");
        const Scenario s = load_scenario(child).scenario;
        CHECK(value_at(s, "policy.active_offer", "2008-03") == 0);
        CHECK(value_at(s, "policy.active_offer", "2010-04") == Approx(0.75).epsilon(1e-12));
        CHECK(value_at(s, "policy.active_offer", "2012-04") == 1);
    }
    SECTION("errors name the file, the key, the month and what is accepted") {
        auto what = parse_error("[policy]\nactive_offer = { \"2013-04\" = { ramp = 0.8 } }\n",
                                "/virtual/dir/undated.toml");
        CHECK_THAT(what, Contains("undated.toml:2"));
        CHECK_THAT(what, Contains("policy.active_offer at 2013-04"));
        CHECK_THAT(what, Contains("dated point before it"));
        what = parse_error(
            "[policy]\nactive_offer = { \"2003-01\" = 0, \"2013-04\" = { ramp = 1.5 } }\n");
        CHECK_THAT(what, Contains("policy.active_offer = 1.5 (at 2013-04) is out of range"));
        CHECK_THAT(what, Contains("[0, 1]"));
        what =
            parse_error("[policy]\nactive_offer = { \"2003-01\" = 0, \"2013-04\" = { to = 1 } }\n");
        CHECK_THAT(what, Contains("{ ramp = number }"));
        what = parse_error(
            "[policy]\nactive_offer = { \"2003-01\" = 0, \"2013-04\" = { ramp = 1, x = 2 } }\n");
        CHECK_THAT(what, Contains("{ ramp = number }"));
        what = parse_error(
            "[policy]\nactive_offer = { \"2003-01\" = 0, \"2013-04\" = { ramp = \"a\" } }\n");
        CHECK_THAT(what, Contains("ramp must be a number"));
        what = parse_error(
            "[population]\nexit_rate = { \"2003-01\" = 0, \"2013-04\" = { ramp = 1 } }\n");
        CHECK_THAT(what, Contains("cannot vary by date"));
    }
    SECTION("cross-parameter rules are checked in every month of a ramp") {
        const auto what =
            parse_error("start = \"2001-01\"\nend = \"2020-12\"\n[crisis]\nshare_admission = 0.3\n"
                        "share_home_treatment = { \"2001-01\" = 0.5, \"2010-01\" = 0.5, "
                        "\"2030-01\" = { ramp = 0.9 } }\n",
                        "/virtual/dir/ramp_rule.toml");
        CHECK_THAT(what, Contains("ramp_rule.toml"));
        // 0.5 + 0.4 (m / 240) first exceeds 0.7 at m = 121: 2020-02.
        CHECK_THAT(what, Contains("(in 2020-02)"));
    }
    SECTION("the resolved text keeps ramps through the start and past the end, bit for bit") {
        ScratchDir dir;
        const fs::path file =
            dir.write("rt.toml", "start = \"2006-07\"\nend = \"2011-05\"\n[policy]\n"
                                 "active_offer = { \"2001-01\" = 0.1, \"2003-04\" = 0.05, "
                                 "\"2008-07\" = { ramp = 0.83 }, \"2009-01\" = 0.2, "
                                 "\"2015-11\" = { ramp = 0.97 } }\n"
                                 "[information]\ncampaign_intensity = { \"2002-01\" = 0.3, "
                                 "\"2004-01\" = { ramp = 0.9 }, \"2010-01\" = { ramp = 0.1 } }\n");
        const Scenario original = load_scenario(file).scenario;
        const std::string text = to_toml(original);
        INFO(text);
        CHECK_THAT(text, Contains("\"2003-04\" = 0.05, \"2008-07\" = { ramp = 0.83 }"));
        CHECK_THAT(text, Contains("\"2015-11\" = { ramp = 0.97 }"));
        CHECK_THAT(text, Contains("# ramps "));
        const Scenario back = parse_scenario(text, dir.path() / "back.toml").scenario;
        require_same_values(original, back);
        CHECK(to_toml(back) == text);
    }
    SECTION("a setting inside a ramp stops it early; the text keeps every month bit for bit") {
        Scenario s = parse("start = \"2001-01\"\nend = \"2020-12\"\n[policy]\n"
                           "active_offer = { \"2001-01\" = 0.1, \"2003-04\" = 0.05, "
                           "\"2013-04\" = { ramp = 0.83 } }\n");
        const Scenario before = s;
        apply_setting(s, "policy.active_offer=0.6@2007-02", "--set");
        for (Month t = month("2001-01"); t < month("2007-02"); t = t + 1)
            REQUIRE(value_at(s, "policy.active_offer", t.to_string()) ==
                    value_at(before, "policy.active_offer", t.to_string()));
        CHECK(value_at(s, "policy.active_offer", "2007-02") == 0.6);
        const std::string text = to_toml(s);
        INFO(text);
        CHECK_THAT(text, Contains("\"2007-01\" = { ramp = 0.83, toward = \"2013-04\" }"));
        CHECK_THAT(text, Contains("stopped at 2007-01"));
        ScratchDir dir;
        const Scenario back = parse_scenario(text, dir.path() / "back.toml").scenario;
        require_same_values(s, back);
        CHECK(to_toml(back) == text);
        const auto what = parse_error("[policy]\nactive_offer = { \"2003-01\" = 0, \"2013-04\" = "
                                      "{ ramp = 1, toward = \"2012-01\" } }\n");
        CHECK_THAT(what, Contains("toward = \"2012-01\" must be after 2013-04"));
    }
}

TEST_CASE("scenario file: councils_converge is a month, kept in the resolved text",
          "[scenario_file]") {
    const Scenario s = parse("councils_converge = \"2015-04\"\n[council]\nadoption_spread = 2\n");
    REQUIRE(s.councils_converge);
    CHECK(*s.councils_converge == month("2015-04"));
    const std::string text = to_toml(s);
    CHECK_THAT(text, Contains("councils_converge = \"2015-04\""));
    ScratchDir dir;
    CHECK(parse_scenario(text, dir.path() / "back.toml").scenario.councils_converge ==
          s.councils_converge);
    CHECK_FALSE(parse("").councils_converge);
    const auto what = parse_error("councils_converge = \"2015\"\n", "/virtual/dir/conv.toml");
    CHECK_THAT(what, Contains("conv.toml"));
    CHECK_THAT(what, Contains("councils_converge"));
    CHECK_THAT(what, Contains("YYYY-MM"));
    CHECK_THAT(parse_error("[council]\nadoption_spread = 11\n"),
               Contains("council.adoption_spread = 11 is out of range: accepted [0, 10]"));
}

TEST_CASE("scenario file: parameter references name a constant or a dated point of a timeline",
          "[scenario_file]") {
    Scenario s = parse("start = \"2001-01\"\nend = \"2020-12\"\n[policy]\n"
                       "active_offer = { \"2001-01\" = 0, \"2003-04\" = 0, "
                       "\"2007-12\" = { ramp = 0.2 }, \"2013-04\" = 0.8 }\n");
    const auto point = pbsim::runner::parameter_ref(s, "policy.active_offer@2007-12", "cal.toml");
    REQUIRE(point.point);
    pbsim::runner::set_parameter(s, point, 0.4);
    // The ramp stays a ramp, to the new value; other points keep theirs.
    CHECK(value_at(s, "policy.active_offer", "2005-08") == Approx(0.2).epsilon(1e-12));
    CHECK(value_at(s, "policy.active_offer", "2007-12") == 0.4);
    CHECK(value_at(s, "policy.active_offer", "2013-04") == 0.8);
    const auto constant = pbsim::runner::parameter_ref(s, "request.base_rate", "cal.toml");
    CHECK_FALSE(constant.point);
    pbsim::runner::set_parameter(s, constant, 0.02);
    CHECK(value_at(s, "request.base_rate", "2010-01") == 0.02);
    auto what = scenario_error(
        [&] { pbsim::runner::parameter_ref(s, "policy.active_offer@2008-01", "cal.toml:7"); });
    CHECK_THAT(what, Contains("cal.toml:7"));
    CHECK_THAT(what, Contains("no point at 2008-01"));
    CHECK_THAT(what, Contains("2003-04, 2007-12, 2013-04"));
    what = scenario_error(
        [&] { pbsim::runner::parameter_ref(s, "request.base_rate@2008-01", "cal.toml"); });
    CHECK_THAT(what, Contains("it is constant"));
    what = scenario_error(
        [&] { pbsim::runner::parameter_ref(s, "policy.active_offer@2008", "cal.toml"); });
    CHECK_THAT(what, Contains("is not a month"));
    what =
        scenario_error([&] { pbsim::runner::parameter_ref(s, "policy.activ_offer", "cal.toml"); });
    CHECK_THAT(what, Contains("unknown parameter"));
}
