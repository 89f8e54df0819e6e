// Experimental designs for parameter sweeps: matrices of points in the unit
// hypercube [0, 1]^k, one row per design point, one column per factor, and
// the map from unit coordinates to parameter values.
//
// Every design is a pure function of its sizes and a seed (Philox draws keyed
// by the seed), so the same sweep file and seed give the same points on any
// machine and any number of processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pbsim::analysis {

// Row-major rows x cols.
struct Matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<double> values;

    Matrix() = default;
    Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), values(r * c, 0.0) {}
    double& operator()(std::size_t r, std::size_t c) { return values[r * cols + c]; }
    double operator()(std::size_t r, std::size_t c) const { return values[r * cols + c]; }
};

enum class DesignKind { grid, lhs, sobol, morris };

std::string_view design_name(DesignKind kind);
// "grid", "lhs", "sobol" or "morris"; false if none.
bool parse_design(std::string_view name, DesignKind& kind);

// Full factorial: factor j takes levels[j] evenly spaced values in [0, 1]
// (0.5 if it has one level). The last factor varies fastest.
Matrix grid_design(const std::vector<int>& levels);

// Latin hypercube: n points, each factor cut into n equal strata with one
// point in each, jittered uniformly within its stratum.
Matrix latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed);

// Saltelli's sampling for Sobol indices from a base sample of n rows of two
// independent matrices A and B (a scrambled Sobol sequence of dimension 2k).
// Rows come in blocks of k + 2 per base row j: A_j, AB_j^1 .. AB_j^k, B_j,
// where AB^i is A with column i taken from B. n * (k + 2) rows in all.
Matrix saltelli_design(std::size_t n, std::size_t k, std::uint64_t seed);
inline std::size_t saltelli_block(std::size_t k) {
    return k + 2;
}

// Morris elementary-effect trajectories: r trajectories of k + 1 points on a
// grid of `levels` levels (even), each moving one factor at a time by
// delta = levels / (2 (levels - 1)), in a random order and direction.
Matrix morris_design(std::size_t r, std::size_t k, int levels, std::uint64_t seed);
inline double morris_delta(int levels) {
    return levels / (2.0 * (levels - 1));
}

// One varied parameter: a range [low, high] (rounded if whole-numbered) or a
// list of values, picked by the unit coordinate.
struct Factor {
    std::string key;
    double low = 0, high = 1;
    std::vector<double> values; // non-empty: a list instead of a range
    bool integer = false;
};

double factor_value(const Factor& f, double u);

// A uniform in (0, 1): a pure function of (seed, stream, i, j).
double design_uniform(std::uint64_t seed, std::uint32_t stream, std::uint32_t i, std::uint32_t j);

} // namespace pbsim::analysis
