#include "analysis/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace pbsim::analysis {

namespace {

// Streams of design_uniform for bootstraps (apart from the design streams).
constexpr std::uint32_t kSobolBootstrap = 101, kMorrisBootstrap = 102;

// The percentile interval of a sample (sorted in place).
Interval percentile_interval(double estimate, std::vector<double>& sample, double level) {
    Interval out{estimate, estimate, estimate};
    if (sample.empty()) return out;
    std::sort(sample.begin(), sample.end());
    auto at = [&](double p) {
        const double pos = p * static_cast<double>(sample.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min(lo + 1, sample.size() - 1);
        return sample[lo] + (pos - static_cast<double>(lo)) * (sample[hi] - sample[lo]);
    };
    out.low = at((1 - level) / 2);
    out.high = at((1 + level) / 2);
    return out;
}

// Resample `n` indices with replacement, the b-th bootstrap of a stream.
std::vector<std::size_t> resample(std::size_t n, std::uint64_t seed, std::uint32_t stream, int b) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i)
        idx[i] = std::min(n - 1, static_cast<std::size_t>(
                                     design_uniform(seed, stream, static_cast<std::uint32_t>(b),
                                                    static_cast<std::uint32_t>(i)) *
                                     static_cast<double>(n)));
    return idx;
}

// S1 and ST of every factor from the base rows `rows` (indices into blocks).
void sobol_estimates(const std::vector<double>& y, std::size_t k,
                     const std::vector<std::size_t>& rows, std::vector<double>& first,
                     std::vector<double>& total) {
    const std::size_t block = saltelli_block(k);
    const double n = static_cast<double>(rows.size());
    double sum = 0, sum2 = 0;
    for (std::size_t j : rows) {
        const double a = y[j * block], b = y[j * block + k + 1];
        sum += a + b;
        sum2 += a * a + b * b;
    }
    const double mean = sum / (2 * n);
    const double variance = sum2 / (2 * n) - mean * mean;
    first.assign(k, 0.0);
    total.assign(k, 0.0);
    for (std::size_t i = 0; i < k; ++i) {
        double s1 = 0, st = 0;
        for (std::size_t j : rows) {
            const double a = y[j * block], b = y[j * block + k + 1], ab = y[j * block + 1 + i];
            // Centred on the mean: the same in expectation, but a large mean
            // (costs in GBP 10^10) no longer swamps the estimate with noise.
            s1 += (b - mean) * (ab - a);
            st += (a - ab) * (a - ab);
        }
        first[i] = variance > 0 ? s1 / n / variance : std::numeric_limits<double>::quiet_NaN();
        total[i] =
            variance > 0 ? st / (2 * n) / variance : std::numeric_limits<double>::quiet_NaN();
    }
}

} // namespace

SobolIndices sobol_indices(const std::vector<double>& y, std::size_t k, int resamples, double level,
                           std::uint64_t seed) {
    const std::size_t block = saltelli_block(k);
    if (k == 0 || y.size() % block != 0)
        throw std::invalid_argument(
            "sobol_indices: outputs are not whole Saltelli blocks of k + 2");
    std::vector<std::size_t> rows;
    for (std::size_t j = 0; j < y.size() / block; ++j) {
        bool finite = true;
        for (std::size_t m = 0; m < block; ++m)
            finite = finite && std::isfinite(y[j * block + m]);
        if (finite) rows.push_back(j);
    }
    SobolIndices out;
    out.n = rows.size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (rows.size() < 2) {
        out.first.assign(k, {nan, nan, nan});
        out.total.assign(k, {nan, nan, nan});
        out.variance = nan;
        return out;
    }
    std::vector<double> first, total;
    sobol_estimates(y, k, rows, first, total);
    {
        double sum = 0, sum2 = 0;
        for (std::size_t j : rows)
            for (double v : {y[j * block], y[j * block + k + 1]})
                sum += v, sum2 += v * v;
        const double n2 = 2.0 * static_cast<double>(rows.size());
        out.variance = sum2 / n2 - (sum / n2) * (sum / n2);
    }
    std::vector<std::vector<double>> boot_first(k), boot_total(k);
    std::vector<double> bf, bt;
    for (int b = 0; b < resamples; ++b) {
        const auto pick = resample(rows.size(), seed, kSobolBootstrap, b);
        std::vector<std::size_t> sample(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            sample[i] = rows[pick[i]];
        sobol_estimates(y, k, sample, bf, bt);
        for (std::size_t i = 0; i < k; ++i) {
            if (std::isfinite(bf[i])) boot_first[i].push_back(bf[i]);
            if (std::isfinite(bt[i])) boot_total[i].push_back(bt[i]);
        }
    }
    for (std::size_t i = 0; i < k; ++i) {
        out.first.push_back(percentile_interval(first[i], boot_first[i], level));
        out.total.push_back(percentile_interval(total[i], boot_total[i], level));
    }
    return out;
}

MorrisIndices morris_indices(const Matrix& unit, const std::vector<double>& y, int resamples,
                             double level, std::uint64_t seed) {
    const std::size_t k = unit.cols, steps = k + 1;
    if (k == 0 || unit.rows % steps != 0 || y.size() != unit.rows)
        throw std::invalid_argument(
            "morris_indices: design is not whole trajectories of k + 1 rows");
    // effects[t][i]: the elementary effect of factor i in trajectory t.
    std::vector<std::vector<double>> effects;
    for (std::size_t t = 0; t < unit.rows / steps; ++t) {
        std::vector<double> ee(k, std::numeric_limits<double>::quiet_NaN());
        bool ok = true;
        for (std::size_t s = 0; s < k; ++s) {
            const std::size_t r = t * steps + s;
            // The factor that moved: the column that changes most.
            std::size_t moved = 0;
            double step = 0;
            for (std::size_t c = 0; c < k; ++c) {
                const double d = unit(r + 1, c) - unit(r, c);
                if (std::abs(d) > std::abs(step)) step = d, moved = c;
            }
            if (step == 0)
                throw std::invalid_argument("morris_indices: a trajectory step moves no factor");
            const double e = (y[r + 1] - y[r]) / step;
            ok = ok && std::isfinite(e);
            ee[moved] = e;
        }
        for (double e : ee)
            ok = ok && std::isfinite(e);
        if (ok) effects.push_back(std::move(ee));
    }
    MorrisIndices out;
    out.trajectories = effects.size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double n = static_cast<double>(effects.size());
    auto mu_star_of = [&](const std::vector<std::size_t>& pick, std::size_t i) {
        double s = 0;
        for (std::size_t t : pick)
            s += std::abs(effects[t][i]);
        return s / static_cast<double>(pick.size());
    };
    std::vector<std::size_t> all(effects.size());
    for (std::size_t t = 0; t < all.size(); ++t)
        all[t] = t;
    for (std::size_t i = 0; i < k; ++i) {
        if (effects.empty()) {
            out.mu.push_back(nan), out.sigma.push_back(nan), out.mu_star.push_back({nan, nan, nan});
            continue;
        }
        double sum = 0;
        for (const auto& ee : effects)
            sum += ee[i];
        const double mu = sum / n;
        double ss = 0;
        for (const auto& ee : effects)
            ss += (ee[i] - mu) * (ee[i] - mu);
        out.mu.push_back(mu);
        out.sigma.push_back(effects.size() > 1 ? std::sqrt(ss / (n - 1)) : nan);
        std::vector<double> boot;
        for (int b = 0; b < resamples; ++b)
            boot.push_back(mu_star_of(resample(effects.size(), seed, kMorrisBootstrap, b), i));
        out.mu_star.push_back(percentile_interval(mu_star_of(all, i), boot, level));
    }
    return out;
}

double ishigami(double u1, double u2, double u3, double a, double b) {
    const double pi = std::numbers::pi;
    const double x1 = -pi + 2 * pi * u1, x2 = -pi + 2 * pi * u2, x3 = -pi + 2 * pi * u3;
    return std::sin(x1) + a * std::sin(x2) * std::sin(x2) + b * std::pow(x3, 4) * std::sin(x1);
}

AnalyticIndices ishigami_indices(double a, double b) {
    const double pi4 = std::pow(std::numbers::pi, 4), pi8 = pi4 * pi4;
    const double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5);
    const double v2 = a * a / 8;
    const double v13 = b * b * pi8 * 8 / 225;
    const double v = v1 + v2 + v13;
    return {{v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}};
}

} // namespace pbsim::analysis
