// Who pays: every cost category belongs to the NHS, the council (adult social
// care) or the person, in shares set by the payer.* parameters, except a
// budget's two parts, whose payers follow from the mechanism that made them.
// One table (payers.cpp) maps categories to payers; docs/parameters.md shows it.
#pragma once

#include "model/metrics.hpp"
#include "model/parameters.hpp"

#include <array>
#include <span>
#include <string_view>

namespace pbsim {

enum class Payer { nhs, council, person };
inline constexpr std::array<Metric, 3> kPayerMetrics = {Metric::cost_nhs, Metric::cost_council,
                                                        Metric::cost_person};

struct PayerRule {
    Metric category;
    // NHS share: a payer.* parameter, or fixed when null.
    double PayerParams::*nhs_share;
    double fixed_nhs_share;
    bool person_contributes; // the holder pays payer.person_contribution of the council part
    std::string_view rule;   // how the category is paid, for the docs
};

std::span<const PayerRule> payer_rules();

// Shares (NHS, council, person) of one category under these parameters.
std::array<double, 3> payer_shares(const PayerRule& rule, const Parameters& p);

// Sets cost_nhs, cost_council and cost_person from the month's cost categories.
void apportion_to_payers(std::array<double, kMetricCount>& metric, const Parameters& p);

} // namespace pbsim
