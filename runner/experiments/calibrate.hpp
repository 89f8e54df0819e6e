// `pbsim calibrate`: fits free parameters of a scenario to published targets
// by approximate Bayesian computation (analysis/abc.hpp), running every batch
// of candidate parameter sets x replications as one TBB pool. Every candidate
// is simulated with the same seed and replications (common random numbers),
// so candidates differ by their parameters, not by their luck. The file it
// reads: runner/input/calibration_file.hpp.
#pragma once

#include "analysis/abc.hpp"
#include "model/scenario.hpp"
#include "runner/input/calibration_file.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pbsim::runner {

// Mean over the spec's replications of each target's output, for each
// parameter vector (one pool of runs). Throws Interrupted if `stop` turns true.
struct Interrupted {};
std::vector<std::vector<double>> model_outputs(const CalibrationSpec& spec,
                                               const std::vector<std::vector<double>>& thetas,
                                               int threads, const std::function<bool()>& stop);

// The ABC distance of model outputs from the fitted targets.
double target_distance(const CalibrationSpec& spec, const std::vector<double>& outputs);

// Runs the calibration (throws Interrupted on stop).
analysis::AbcResult calibrate(const CalibrationSpec& spec, int threads,
                              const std::function<bool()>& stop,
                              const analysis::OnGeneration& on_generation = {},
                              const std::function<void(long evaluated)>& on_batch = {});

struct CalibrateOptions {
    std::filesystem::path file;
    std::filesystem::path out; // empty: outputs/calibration-<name>.h5
    int threads = 0;
    std::optional<int> particles, generations, replications;
    std::optional<double> scale;
    std::optional<std::uint64_t> seed;
    bool quiet = false;
    bool log_json = false; // progress as JSON lines on stderr
    std::string command_line;
};

int calibrate_command(const CalibrateOptions& options);

} // namespace pbsim::runner
