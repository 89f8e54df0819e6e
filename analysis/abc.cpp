#include "analysis/abc.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace pbsim::analysis {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Four uniforms in (0, 1) for (generation, candidate, attempt, block).
struct Draws {
    r123::Philox4x32::key_type key;
    std::array<double, 4> operator()(std::uint32_t generation, std::uint32_t candidate,
                                     std::uint32_t attempt, std::uint32_t block) const {
        const r123::Philox4x32::ctr_type ctr{{generation, candidate, attempt, block}};
        const auto r = r123::Philox4x32{}(ctr, key);
        std::array<double, 4> u;
        for (int i = 0; i < 4; ++i)
            u[i] = (static_cast<double>(r[i]) + 0.5) * 0x1p-32;
        return u;
    }
};

double normal(double u1, double u2) {
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

bool inside(const UniformPrior& prior, const std::vector<double>& theta) {
    for (std::size_t k = 0; k < prior.size(); ++k)
        if (theta[k] < prior.low[k] || theta[k] > prior.high[k]) return false;
    return true;
}

std::vector<double> from_prior(const UniformPrior& prior, const Draws& draws, std::uint32_t g,
                               std::uint32_t c) {
    std::vector<double> theta(prior.size());
    for (std::size_t k = 0; k < prior.size(); ++k) {
        const double u = draws(g, c, 0, static_cast<std::uint32_t>(k / 4))[k % 4];
        theta[k] = prior.low[k] + u * (prior.high[k] - prior.low[k]);
    }
    return theta;
}

// Kernel standard deviations: twice the weighted variance of the previous
// generation (Beaumont et al. 2009), floored at a sliver of the prior width.
std::vector<double> kernel_sd(const Generation& g, const UniformPrior& prior) {
    std::vector<double> sd(prior.size());
    for (std::size_t k = 0; k < prior.size(); ++k) {
        double mean = 0, var = 0;
        for (const auto& p : g.particles)
            mean += p.weight * p.theta[k];
        for (const auto& p : g.particles)
            var += p.weight * (p.theta[k] - mean) * (p.theta[k] - mean);
        sd[k] = std::max(std::sqrt(2.0 * var), 1e-6 * (prior.high[k] - prior.low[k]));
    }
    return sd;
}

// A particle drawn from the previous generation by weight and perturbed;
// redrawn until it lies inside the prior box.
std::vector<double> perturbed(const Generation& prev, const std::vector<double>& cumulative,
                              const std::vector<double>& sd, const UniformPrior& prior,
                              const Draws& draws, std::uint32_t g, std::uint32_t c) {
    const std::size_t dims = prior.size();
    for (std::uint32_t attempt = 0; attempt < 1000; ++attempt) {
        const auto pick = draws(g, c, attempt, 0);
        const auto j = static_cast<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), pick[0] * cumulative.back()) -
            cumulative.begin());
        std::vector<double> theta = prev.particles[std::min(j, cumulative.size() - 1)].theta;
        for (std::size_t k = 0; k < dims; ++k) {
            const auto u = draws(g, c, attempt, 1 + static_cast<std::uint32_t>(k / 2));
            theta[k] += sd[k] * normal(u[2 * (k % 2)], u[2 * (k % 2) + 1]);
        }
        if (inside(prior, theta)) return theta;
    }
    // Practically unreachable (the kernel is narrower than the box); stay put.
    return prev.particles[0].theta;
}

// Importance weights of generation g (uniform prior: constant density inside the box).
void weigh(Generation& next, const Generation& prev, const std::vector<double>& sd) {
    double total = 0;
    for (auto& p : next.particles) {
        double mixture = 0;
        for (const auto& q : prev.particles) {
            double log_k = 0;
            for (std::size_t k = 0; k < sd.size(); ++k) {
                const double z = (p.theta[k] - q.theta[k]) / sd[k];
                log_k -= 0.5 * z * z;
            }
            mixture += q.weight * std::exp(log_k);
        }
        p.weight = mixture > 0 ? 1.0 / mixture : 0.0;
        total += p.weight;
    }
    for (auto& p : next.particles)
        p.weight = total > 0 ? p.weight / total : 1.0 / next.particles.size();
}

void check(const UniformPrior& prior, const AbcSettings& s) {
    if (prior.size() == 0) throw std::invalid_argument("no parameters to calibrate");
    if (prior.low.size() != prior.size() || prior.high.size() != prior.size())
        throw std::invalid_argument("prior bounds do not match the parameter names");
    for (std::size_t k = 0; k < prior.size(); ++k)
        if (!(prior.low[k] < prior.high[k]))
            throw std::invalid_argument("prior of " + prior.names[k] + ": low must be below high");
    if (s.particles < 2) throw std::invalid_argument("particles: accepted at least 2");
    if (s.generations < 1) throw std::invalid_argument("generations: accepted at least 1");
    if (!(s.quantile > 0 && s.quantile < 1))
        throw std::invalid_argument("quantile: accepted strictly between 0 and 1");
    if (!(s.min_acceptance > 0 && s.min_acceptance <= 1))
        throw std::invalid_argument("min_acceptance: accepted in (0, 1]");
    if (s.batch < 0) throw std::invalid_argument("batch: accepted 0 (= particles) or more");
}

} // namespace

double weighted_quantile(std::vector<double> values, std::vector<double> weights, double q) {
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    double cumulative = 0;
    for (const std::size_t i : order) {
        cumulative += weights[i];
        if (cumulative >= q * total) return values[i];
    }
    return values[order.back()];
}

AbcResult abc(const UniformPrior& prior, const AbcSettings& s, const Evaluate& evaluate,
              const OnGeneration& on_generation) {
    check(prior, s);
    const Draws draws{
        {{static_cast<std::uint32_t>(s.seed), static_cast<std::uint32_t>(s.seed >> 32)}}};
    const int batch = s.batch > 0 ? s.batch : s.particles;
    AbcResult result;

    if (s.method == AbcSettings::Method::rejection) {
        const long draws_total = static_cast<long>(std::ceil(s.particles / s.quantile));
        std::vector<Particle> all;
        for (long c = 0; c < draws_total; c += batch) {
            std::vector<std::vector<double>> thetas;
            for (long i = c; i < std::min(draws_total, c + batch); ++i)
                thetas.push_back(from_prior(prior, draws, 0, static_cast<std::uint32_t>(i)));
            const auto evals = evaluate(thetas);
            result.evaluations += static_cast<long>(thetas.size());
            for (std::size_t i = 0; i < thetas.size(); ++i)
                all.push_back({thetas[i], 0, evals[i].distance, evals[i].outputs});
        }
        std::erase_if(all, [](const Particle& p) { return !std::isfinite(p.distance); });
        if (static_cast<int>(all.size()) < s.particles)
            throw std::runtime_error("rejection: only " + std::to_string(all.size()) + " of " +
                                     std::to_string(draws_total) + " prior draws have a finite " +
                                     "distance; " + std::to_string(s.particles) + " are needed");
        std::stable_sort(all.begin(), all.end(), [](const Particle& a, const Particle& b) {
            return a.distance < b.distance;
        });
        all.resize(static_cast<std::size_t>(s.particles));
        Generation g;
        g.candidates = draws_total;
        g.epsilon = all.back().distance;
        for (auto& p : all)
            p.weight = 1.0 / s.particles;
        g.particles = std::move(all);
        result.generations.push_back(std::move(g));
        result.stop_reason = "rejection: kept the closest " + std::to_string(s.particles) + " of " +
                             std::to_string(draws_total) + " prior draws";
        if (on_generation) on_generation(result.generations.back(), 0);
        return result;
    }

    for (int gi = 0; gi < s.generations; ++gi) {
        const auto g = static_cast<std::uint32_t>(gi);
        Generation next;
        const Generation* prev = gi > 0 ? &result.generations.back() : nullptr;
        std::vector<double> sd, cumulative;
        if (prev) {
            std::vector<double> d;
            for (const auto& p : prev->particles)
                d.push_back(p.distance);
            next.epsilon = weighted_quantile(d, std::vector<double>(d.size(), 1.0), s.quantile);
            sd = kernel_sd(*prev, prior);
            for (const auto& p : prev->particles)
                cumulative.push_back((cumulative.empty() ? 0 : cumulative.back()) + p.weight);
        } else {
            next.epsilon = kInfinity;
        }
        // Every generation, the prior sample too, gives up after particles /
        // min_acceptance candidates (a prior sample fails only when distances
        // are not finite, e.g. an output the run never reaches).
        const long limit = static_cast<long>(std::ceil(s.particles / s.min_acceptance));
        long c = 0;
        bool enough = false;
        while (!enough && c < limit) {
            std::vector<std::vector<double>> thetas;
            for (long i = c; i < std::min(limit, c + batch); ++i)
                thetas.push_back(prev ? perturbed(*prev, cumulative, sd, prior, draws, g,
                                                  static_cast<std::uint32_t>(i))
                                      : from_prior(prior, draws, g, static_cast<std::uint32_t>(i)));
            const auto evals = evaluate(thetas);
            result.evaluations += static_cast<long>(thetas.size());
            for (std::size_t i = 0; i < thetas.size() && !enough; ++i) {
                if (evals[i].distance <= next.epsilon && std::isfinite(evals[i].distance)) {
                    next.particles.push_back({thetas[i], 0, evals[i].distance, evals[i].outputs});
                    enough = static_cast<int>(next.particles.size()) == s.particles;
                    next.candidates = c + static_cast<long>(i) + 1; // as a one-at-a-time sampler
                }
            }
            c += static_cast<long>(thetas.size());
        }
        if (!enough) {
            result.stop_reason = "generation " + std::to_string(gi) + " accepted fewer than " +
                                 std::to_string(s.min_acceptance * 100) + "% of candidates; " +
                                 "kept generation " + std::to_string(gi - 1);
            if (!prev)
                result.stop_reason = "too few candidates of the prior sample had a finite distance";
            break;
        }
        if (prev)
            weigh(next, *prev, sd);
        else
            for (auto& p : next.particles)
                p.weight = 1.0 / s.particles;
        result.generations.push_back(std::move(next));
        const Generation& done = result.generations.back();
        if (on_generation && !on_generation(done, gi)) {
            result.stop_reason = "stopped after generation " + std::to_string(gi);
            return result;
        }
        double worst = 0;
        for (const auto& p : done.particles)
            worst = std::max(worst, p.distance);
        if (worst <= s.target_distance) {
            result.stop_reason =
                "every particle within distance " + std::to_string(s.target_distance);
            return result;
        }
    }
    if (result.stop_reason.empty())
        result.stop_reason = "completed " + std::to_string(s.generations) + " generations";
    if (result.generations.empty()) throw std::runtime_error(result.stop_reason);
    return result;
}

PosteriorSummary summarise(const Generation& g, const UniformPrior& prior) {
    PosteriorSummary out;
    std::vector<double> w;
    for (const auto& p : g.particles)
        w.push_back(p.weight);
    for (std::size_t k = 0; k < prior.size(); ++k) {
        std::vector<double> v;
        double mean = 0, var = 0;
        for (const auto& p : g.particles)
            v.push_back(p.theta[k]), mean += p.weight * p.theta[k];
        for (const auto& p : g.particles)
            var += p.weight * (p.theta[k] - mean) * (p.theta[k] - mean);
        const double width = prior.high[k] - prior.low[k];
        out.mean.push_back(mean);
        out.sd.push_back(std::sqrt(var));
        out.median.push_back(weighted_quantile(v, w, 0.5));
        out.low.push_back(weighted_quantile(v, w, 0.025));
        out.high.push_back(weighted_quantile(v, w, 0.975));
        out.contraction.push_back(1.0 - var / (width * width / 12.0));
    }
    for (std::size_t i = 1; i < g.particles.size(); ++i)
        if (g.particles[i].distance < g.particles[out.best].distance) out.best = i;
    return out;
}

} // namespace pbsim::analysis
