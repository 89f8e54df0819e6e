// pbsim calibrate: the calibration file's errors, and recovery of known
// parameters from synthetic targets made by the model itself.
#include "runner/experiments/calibrate.hpp"
#include "runner/input/scenario_file.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

using namespace pbsim;
using namespace pbsim::runner;
using Catch::Matchers::Contains;
using pbsim::testing::ScratchDir;

namespace {

const std::string kScenario = "start = \"2001-01\"\nend = \"2006-12\"\n"
                              "[population]\nusers = 150000\ncouncils = 10\n"
                              "[policy]\nactive_offer = 0.5\napplication_complexity = 0.7\n"
                              // refusals here are the coordinator's alone, so approval_base
                              // is what the refusals target identifies
                              "[boundary]\nrefusal = 0\n";
const std::string kTargets = "target,period,value,unit,tolerance,kind,source\n"
                             "requests,2006,1000,people,+-5%,count,synthetic\n"
                             "refusals,2006,100,people,+-5%,count,synthetic\n"
                             "contrast,2006,0.5,fraction,context,share,synthetic\n";
const std::string kCalibration = "scenario = \"s.toml\"\ntargets = \"t.csv\"\n"
                                 "seed = 5\nscale = 0.01\nreplications = 2\n"
                                 "particles = 60\ngenerations = 5\n"
                                 "[parameters]\n\"request.base_rate\" = [0.002, 0.05]\n"
                                 "\"assessment.approval_base\" = [-1.0, 4.0]\n"
                                 "[[target]]\nname = \"requests\"\nperiod = \"2006\"\n"
                                 "output = \"new_requests_total\"\n"
                                 "[[target]]\nname = \"refusals\"\nperiod = \"2006\"\n"
                                 "output = \"refusals_total\"\n"
                                 "[[target]]\nname = \"contrast\"\nperiod = \"2006\"\n"
                                 "output = \"uptake_share_end\"\n";

std::string load_error(const ScratchDir& dir, const std::string& calibration,
                       const std::string& targets = kTargets) {
    dir.write("s.toml", kScenario);
    dir.write("t.csv", targets);
    const auto file = dir.write("c.toml", calibration);
    try {
        load_calibration(file);
    } catch (const ScenarioError& e) {
        const std::string what = e.what();
        CHECK(what.find('\n') == std::string::npos);
        return what;
    }
    FAIL("expected a ScenarioError");
    return {};
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("calibrate: the file is read, and every mistake named with its line and range") {
    ScratchDir dir;
    dir.write("s.toml", kScenario);
    dir.write("t.csv", kTargets);
    const auto spec = load_calibration(dir.write("c.toml", kCalibration));
    CHECK(spec.prior.names ==
          std::vector<std::string>{"assessment.approval_base", "request.base_rate"});
    REQUIRE(spec.targets.size() == 3);
    CHECK(spec.targets[0].high == Approx(1050));
    CHECK_FALSE(spec.targets[2].fitted);
    CHECK(spec.outputs[1] == "refusals_total");
    CHECK(spec.abc.particles == 60);
    CHECK(spec.abc.seed != spec.seed); // the sampler's stream is not the simulations'

    CHECK_THAT(load_error(dir, "colour = \"red\"\n" + kCalibration),
               Contains("unknown key 'colour'"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "particles = 60", "particles = 1")),
               Contains("c.toml:6: particles = 1 is out of range"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "[0.002, 0.05]", "[0.05, 0.002]")),
               Contains("prior range [low, high] with low < high inside [0, 1]"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "request.base_rate", "request.base_rat")),
               Contains("did you mean 'request.base_rate'"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "\"refusals_total\"", "\"refusal_total\"")),
               Contains("output 'refusal_total' is not a summary column"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "name = \"requests\"", "name = \"nope\"")),
               Contains("no row with target nope and period 2006"));
    CHECK_THAT(load_error(dir, "method = \"mcmc\"\n" + kCalibration),
               Contains("\"abc-smc\" or \"rejection\""));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "s.toml", "missing.toml")),
               Contains("c.toml:1: scenario = \"missing.toml\": ") && Contains("does not exist"));
    // Links are regular files within the size caps, named with the key and line.
    CHECK_THAT(
        load_error(dir, replaced(kCalibration, "s.toml", "")),
        Contains("c.toml:1: scenario = \"\": empty path; give a scenario file relative to c.toml"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "t.csv", "/dev/zero")),
               Contains("c.toml:2: targets = \"/dev/zero\": /dev/zero is a character device, not a "
                        "regular file; accepted a regular targets CSV of at most 16 MiB"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "t.csv", ".")),
               Contains("c.toml:2: targets = \".\": ") &&
                   Contains("is a directory, not a targets CSV"));
    CHECK_THAT(load_error(dir, kCalibration, "target,value\n"), Contains("t.csv:1: header"));
    // A checkpoint after the run's end would make every candidate NaN.
    CHECK_THAT(
        load_error(dir, replaced(kCalibration, "\"refusals_total\"", "\"dp_holders_2008_12\"")),
        Contains("is read in 2008-12, outside the simulated months 2001-01 to 2006-12"));
    CHECK_THAT(load_error(dir, replaced(kCalibration, "seed = 5", "seed = 5.5")),
               Contains("seed = 5.5 is not accepted: a whole number"));
    CHECK_THAT(load_error(dir, "end = \"2030-01\"\n" + kCalibration), Contains("2006-12"));
}

// Targets made by the model at known parameters (same seeds): ABC-SMC must
// find them again. With two targets at +-5% and 60 particles the posterior
// is narrow; the checks allow for its Monte Carlo error.
TEST_CASE("calibrate: recovers known parameters from synthetic targets made by the model") {
    ScratchDir dir;
    dir.write("s.toml", kScenario);
    dir.write("t.csv", kTargets);
    auto spec = load_calibration(dir.write("c.toml", kCalibration));
    const std::vector<double> truth{1.5, 0.012}; // approval_base, base_rate
    const auto made = model_outputs(spec, {truth}, 2, [] { return false; })[0];
    REQUIRE(made[0] > 100);
    REQUIRE(made[1] > 10);
    for (int k = 0; k < 2; ++k) {
        spec.targets[k].value = made[k];
        spec.targets[k].low = made[k] * 0.95;
        spec.targets[k].high = made[k] * 1.05;
    }
    CHECK(target_distance(spec, made) == 0);

    const auto result = calibrate(spec, 2, [] { return false; });
    const auto post = analysis::summarise(result.posterior(), spec.prior);
    INFO(result.stop_reason);
    for (std::size_t k = 0; k < 2; ++k) {
        INFO(spec.prior.names[k] << ": median " << post.median[k] << " [" << post.low[k] << ", "
                                 << post.high[k] << "], truth " << truth[k]);
        CHECK(post.low[k] <= truth[k]);
        CHECK(truth[k] <= post.high[k]);
        const double width = spec.prior.high[k] - spec.prior.low[k];
        CHECK(std::abs(post.median[k] - truth[k]) < 0.1 * width);
        CHECK(post.contraction[k] > 0.7); // 0.76-0.78 for approval_base, above 0.9 for base_rate
    }
    // The closest particle reproduces the targets within tolerance.
    const auto& best = result.posterior().particles[post.best];
    CHECK(std::abs(best.outputs[0] / made[0] - 1) < 0.05);
    CHECK(std::abs(best.outputs[1] / made[1] - 1) < 0.05);

    // Same seed, other thread count: the same posterior.
    spec.abc.generations = 2;
    const auto a = calibrate(spec, 1, [] { return false; });
    const auto b = calibrate(spec, 2, [] { return false; });
    for (std::size_t i = 0; i < a.posterior().particles.size(); ++i) {
        REQUIRE(a.posterior().particles[i].theta == b.posterior().particles[i].theta);
        REQUIRE(a.posterior().particles[i].outputs == b.posterior().particles[i].outputs);
    }
}
