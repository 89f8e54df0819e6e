#include "analysis/design.hpp"

#include <Random123/philox.h>
#include <boost/random/sobol.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace pbsim::analysis {

namespace {

// Streams of design_uniform: one per use, so designs never share draws.
enum Stream : std::uint32_t {
    lhs_order = 1,
    lhs_jitter,
    sobol_shift,
    morris_base,
    morris_order,
    morris_sign
};

// A random permutation of 0..n-1: sort by Philox keys (ties broken by index).
std::vector<std::size_t> permutation(std::size_t n, std::uint64_t seed, std::uint32_t stream,
                                     std::uint32_t which) {
    std::vector<std::pair<double, std::size_t>> keyed(n);
    for (std::size_t i = 0; i < n; ++i)
        keyed[i] = {design_uniform(seed, stream, which, static_cast<std::uint32_t>(i)), i};
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = keyed[i].second;
    return order;
}

} // namespace

std::string_view design_name(DesignKind kind) {
    switch (kind) {
    case DesignKind::grid:
        return "grid";
    case DesignKind::lhs:
        return "lhs";
    case DesignKind::sobol:
        return "sobol";
    case DesignKind::morris:
        return "morris";
    }
    return "unknown";
}

bool parse_design(std::string_view name, DesignKind& kind) {
    for (DesignKind k : {DesignKind::grid, DesignKind::lhs, DesignKind::sobol, DesignKind::morris})
        if (design_name(k) == name) {
            kind = k;
            return true;
        }
    return false;
}

double design_uniform(std::uint64_t seed, std::uint32_t stream, std::uint32_t i, std::uint32_t j) {
    r123::Philox4x32 philox;
    const r123::Philox4x32::key_type key = {
        {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    // 0x5eed marks design draws apart from any simulation purpose.
    const r123::Philox4x32::ctr_type ctr = {{0x5eedu, stream, i, j}};
    const auto out = philox(ctr, key);
    return (static_cast<double>(out[0]) + 0.5) * 0x1p-32;
}

Matrix grid_design(const std::vector<int>& levels) {
    std::size_t rows = 1;
    for (int l : levels) {
        if (l < 1) throw std::invalid_argument("grid: every factor needs at least one level");
        rows *= static_cast<std::size_t>(l);
    }
    Matrix m(rows, levels.size());
    for (std::size_t r = 0; r < rows; ++r) {
        std::size_t rest = r;
        for (std::size_t j = levels.size(); j-- > 0;) {
            const auto L = static_cast<std::size_t>(levels[j]);
            const std::size_t level = rest % L;
            rest /= L;
            m(r, j) = L == 1 ? 0.5 : static_cast<double>(level) / static_cast<double>(L - 1);
        }
    }
    return m;
}

Matrix latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed) {
    Matrix m(n, k);
    for (std::size_t j = 0; j < k; ++j) {
        const auto stratum = permutation(n, seed, lhs_order, static_cast<std::uint32_t>(j));
        for (std::size_t i = 0; i < n; ++i)
            m(i, j) = (static_cast<double>(stratum[i]) +
                       design_uniform(seed, lhs_jitter, static_cast<std::uint32_t>(j),
                                      static_cast<std::uint32_t>(i))) /
                      static_cast<double>(n);
    }
    return m;
}

Matrix saltelli_design(std::size_t n, std::size_t k, std::uint64_t seed) {
    // A Sobol sequence of dimension 2k (columns 0..k-1 make A, k..2k-1 make
    // B), rotated by a seed-dependent shift per dimension (Cranley-Patterson)
    // so different seeds give different, equally well spread, samples.
    using Sobol =
        boost::random::sobol_engine<std::uint_least32_t, 32u, boost::random::default_sobol_table>;
    Sobol sobol(2 * k);
    sobol.seed(1); // skip the first point, the origin
    std::vector<double> shift(2 * k);
    for (std::size_t d = 0; d < 2 * k; ++d)
        shift[d] = design_uniform(seed, sobol_shift, static_cast<std::uint32_t>(d), 0);

    const std::size_t block = saltelli_block(k);
    Matrix m(n * block, k);
    std::vector<double> point(2 * k);
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t d = 0; d < 2 * k; ++d) {
            const double u = static_cast<double>(sobol()) * 0x1p-32 + shift[d];
            point[d] = u - std::floor(u);
        }
        const std::size_t a = j * block, b = a + k + 1;
        for (std::size_t c = 0; c < k; ++c) {
            m(a, c) = point[c];
            m(b, c) = point[k + c];
            for (std::size_t i = 0; i < k; ++i)
                m(a + 1 + i, c) = c == i ? point[k + c] : point[c];
        }
    }
    return m;
}

Matrix morris_design(std::size_t r, std::size_t k, int levels, std::uint64_t seed) {
    if (levels < 2 || levels % 2 != 0)
        throw std::invalid_argument("morris: levels must be even and at least 2");
    const double delta = morris_delta(levels);
    // Base values on the grid {0, 1/(p-1), ..., 1 - delta}: p/2 choices.
    const int base_choices = levels / 2;
    Matrix m(r * (k + 1), k);
    for (std::size_t t = 0; t < r; ++t) {
        const auto tt = static_cast<std::uint32_t>(t);
        std::vector<double> x(k);
        std::vector<bool> down(k);
        for (std::size_t i = 0; i < k; ++i) {
            const auto ii = static_cast<std::uint32_t>(i);
            const int choice = std::min(
                base_choices - 1,
                static_cast<int>(design_uniform(seed, morris_base, tt, ii) * base_choices));
            const double base = choice / static_cast<double>(levels - 1);
            down[i] = design_uniform(seed, morris_sign, tt, ii) < 0.5;
            x[i] = down[i] ? base + delta : base;
        }
        const auto order = permutation(k, seed, morris_order, tt);
        const std::size_t row0 = t * (k + 1);
        for (std::size_t c = 0; c < k; ++c)
            m(row0, c) = x[c];
        for (std::size_t s = 0; s < k; ++s) {
            const std::size_t i = order[s];
            x[i] += down[i] ? -delta : delta;
            for (std::size_t c = 0; c < k; ++c)
                m(row0 + s + 1, c) = x[c];
        }
    }
    return m;
}

double factor_value(const Factor& f, double u) {
    u = std::clamp(u, 0.0, 1.0);
    if (!f.values.empty()) {
        const std::size_t n = f.values.size();
        return f.values[std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)))];
    }
    const double v = f.low + u * (f.high - f.low);
    return f.integer ? std::clamp(std::round(v), std::ceil(f.low), std::floor(f.high)) : v;
}

} // namespace pbsim::analysis
