// Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC;
// Toni et al. 2009, with an adaptive tolerance, each generation's being a
// quantile of the last one's distances, and the Beaumont et al. 2009 kernel of
// twice the weighted variance),
// and plain rejection ABC, over a box of uniform priors.
//
// The model is a black box `evaluate` that takes a batch of parameter vectors
// and returns a distance (and any outputs to keep) for each, so the caller can
// run the whole batch as one parallel pool. Every random draw is
// counter-based (Philox keyed by the seed; counter = generation, candidate,
// attempt), and candidates are accepted in candidate order, so the result is
// the same whatever the batch size or thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pbsim::analysis {

struct UniformPrior {
    std::vector<std::string> names;
    std::vector<double> low, high;
    std::size_t size() const { return names.size(); }
};

struct AbcSettings {
    enum class Method { smc, rejection };
    Method method = Method::smc;
    int particles = 100;          // accepted per generation (rejection: kept)
    int generations = 5;          // SMC: generation 0 is a prior sample
    double quantile = 0.5;        // next tolerance: this quantile of the current distances
                                  // (rejection: share of prior draws kept)
    double min_acceptance = 0.02; // SMC: stop when a generation accepts fewer
    double target_distance = 0;   // SMC: stop once every particle is within this
    int batch = 0;                // candidates evaluated together; 0 = particles
    std::uint64_t seed = 1;
};

struct Evaluation {
    double distance;
    std::vector<double> outputs;
};

struct Particle {
    std::vector<double> theta;
    double weight = 0; // normalised within its generation
    double distance = 0;
    std::vector<double> outputs;
};

struct Generation {
    double epsilon = 0; // tolerance the particles met (infinity for a prior sample)
    long candidates = 0;
    std::vector<Particle> particles;
    double acceptance() const {
        return candidates > 0 ? static_cast<double>(particles.size()) / candidates : 0;
    }
};

struct AbcResult {
    std::vector<Generation> generations;
    std::string stop_reason;
    long evaluations = 0;
    const Generation& posterior() const { return generations.back(); }
};

using Evaluate = std::function<std::vector<Evaluation>(const std::vector<std::vector<double>>&)>;
// Called after each generation; returning false stops (the result so far is kept).
using OnGeneration = std::function<bool(const Generation&, int index)>;

// Throws std::invalid_argument for bad settings or priors, and passes on what
// `evaluate` throws.
AbcResult abc(const UniformPrior& prior, const AbcSettings& settings, const Evaluate& evaluate,
              const OnGeneration& on_generation = {});

// Weighted summaries of a generation's particles, per parameter.
struct PosteriorSummary {
    std::vector<double> mean, sd, median, low, high; // low/high: 2.5% and 97.5%
    std::vector<double> contraction;                 // 1 - posterior variance / prior variance
    std::size_t best = 0; // index of the particle with the smallest distance
};
PosteriorSummary summarise(const Generation& g, const UniformPrior& prior);

// Weighted quantile (0..1) of values.
double weighted_quantile(std::vector<double> values, std::vector<double> weights, double q);

} // namespace pbsim::analysis
