#include "model/summary.hpp"

#include "model/payers.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace pbsim {

double discount_factor(double annual_rate, int t) {
    return std::pow(1 + annual_rate, -t / 12.0);
}

namespace {

std::string suffix(std::string_view date) {
    std::string s(date);
    for (auto& ch : s)
        if (ch == '-') ch = '_';
    return s;
}

// Shares and shapes of the history that targets.csv checks (docs/validation.md).
void history_figures(const ReplicationResult& r, const Scenario& s,
                     std::vector<SummaryValue>& out) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto month = [&](int y, int m) { return Month::from_ym(y, m) - s.start; };
    auto inside = [&](int t) { return t >= 0 && t < r.months; };
    // Concentration: the share of DP holders in the 11 councils with most of
    // them (MODEL.md: in the mid-2000s 11 councils made over half of MH DPs).
    const int mid = month(2005, 12);
    double top = nan;
    if (inside(mid)) {
        const double* row =
            r.series(Metric::holding_dp) + static_cast<std::size_t>(mid) * r.councils;
        std::vector<double> held(row, row + r.councils);
        std::sort(held.begin(), held.end(), std::greater<>());
        double all = 0, most = 0;
        for (std::size_t c = 0; c < held.size(); ++c) {
            all += held[c];
            if (c < 11) most += held[c];
        }
        top = all > 0 ? most / all : nan;
    }
    out.push_back({"dp_top11_council_share_2005_12", "fraction",
                   "Share of direct-payment holders in the 11 councils with most of them, end of "
                   "2005",
                   top});
    // Assessments that led to a budget, financial year 2012-13 (HSCIC: 67% of
    // all groups' new assessments led to services).
    double approved = 0, decided = 0;
    for (int t = month(2012, 4); t <= month(2013, 3); ++t)
        if (inside(t)) {
            approved += r.national(Metric::approvals, t);
            // Boundary refusals are counted among refusals (metrics.hpp).
            decided += r.national(Metric::approvals, t) + r.national(Metric::refusals, t);
        }
    out.push_back({"assessment_approval_share_2012_13", "fraction",
                   "Share of completed PB assessments approved, April 2012 to March 2013",
                   inside(month(2012, 4)) && inside(month(2013, 3)) && decided > 0
                       ? approved / decided
                       : nan});
    // The shape of the 2000s: year-on-year growth of DP holders (December to
    // December) for 2002 to 2008, and its largest year over the median of the
    // others (a climb, not a step: validation fails above 2).
    std::vector<double> growth;
    for (int y = 2002; y <= 2008; ++y) {
        const int a = month(y - 1, 12), b = month(y, 12);
        if (!inside(a) || !inside(b)) break;
        const double before = r.national(Metric::holding_dp, a);
        growth.push_back(before > 0 ? r.national(Metric::holding_dp, b) / before - 1 : nan);
    }
    double jump = nan;
    const bool finite =
        std::all_of(growth.begin(), growth.end(), [](double g) { return std::isfinite(g); });
    if (growth.size() == 7 && finite) {
        const auto largest = std::max_element(growth.begin(), growth.end());
        const double max = *largest;
        std::vector<double> others(growth.begin(), growth.end());
        others.erase(others.begin() + (largest - growth.begin()));
        std::sort(others.begin(), others.end());
        const double median = (others[2] + others[3]) / 2;
        jump = median > 0 ? max / median : nan;
    }
    out.push_back({"dp_growth_jump_2002_2008", "ratio",
                   "Largest year-on-year growth of DP holders, 2002 to 2008 (December to "
                   "December), over the median of the other six years",
                   jump});
}

} // namespace

std::vector<SummaryValue> summarise(const ReplicationResult& r, const Scenario& s, double scale) {
    std::vector<SummaryValue> out;
    // Scale up by the users actually simulated (every council has at least one).
    const double to_national =
        s.at(s.start).population.users / static_cast<double>(simulated_users(s, scale));
    const double nan = std::numeric_limits<double>::quiet_NaN();

    auto checkpoint = [&](std::string label, int t) {
        const bool inside = t >= 0 && t < r.months;
        const double dp = inside ? r.national(Metric::holding_dp, t) : nan;
        const double pb = inside ? dp + r.national(Metric::holding_managed, t) : nan;
        const double pop = inside ? r.national(Metric::population, t) : nan;
        out.push_back({"uptake_share_" + label, "fraction",
                       "Share of users holding a PB (DP or managed) at the end of " + label,
                       pb / pop});
        out.push_back({"pb_holders_" + label, "people",
                       "People holding a PB at the end of " + label + ", national",
                       pb * to_national});
        out.push_back({"dp_holders_" + label, "people",
                       "People holding a direct payment at the end of " + label + ", national",
                       dp * to_national});
    };
    for (const char* date : kCheckpoints)
        checkpoint(suffix(date), *parse_month(date) - s.start);
    checkpoint("end", r.months - 1);
    history_figures(r, s, out);

    const double rate = s.at(s.start).outcome.discount_rate;
    // National total of a metric from month `from` to the end, discounted to `from`.
    auto total_from = [&](Metric m, bool discounted, int from) {
        double sum = 0;
        for (int t = from; t < r.months; ++t)
            sum += r.national(m, t) * (discounted ? discount_factor(rate, t - from) : 1.0);
        return sum * to_national;
    };
    auto total = [&](Metric m, bool discounted) { return total_from(m, discounted, 0); };
    // The policy evaluation window, from evaluation_start to the end, with
    // costs and outcomes discounted to its first month: what a policy starting
    // then costs and gains, in present values at its start.
    const int t0 = std::clamp(s.evaluation_from() - s.start, 0, r.months);
    auto window_total = [&](Metric m, bool discounted) { return total_from(m, discounted, t0); };
    for (Metric m : {Metric::new_requests, Metric::approvals, Metric::refusals, Metric::new_pbs,
                     Metric::hand_backs, Metric::crises, Metric::admissions,
                     Metric::home_treatments, Metric::a_and_e_attendances, Metric::bed_days}) {
        const auto& spec = kMetrics[index(m)];
        out.push_back({std::string(spec.name) + "_total",
                       std::string(spec.unit.substr(0, spec.unit.find('/'))),
                       std::string(spec.description) + ", whole run, national", total(m, false)});
    }
    double cost = 0, cost_discounted = 0;
    for (std::size_t k = 0; k < kMetricCount; ++k) {
        if (kMetrics[k].kind != MetricKind::cost) continue;
        const auto m = static_cast<Metric>(k);
        const double u = total(m, false), d = total(m, true);
        cost += u;
        cost_discounted += d;
        const std::string name(kMetrics[k].name), desc(kMetrics[k].description);
        out.push_back({name + "_total", "GBP", desc + ", whole run, national, undiscounted", u});
        out.push_back({name + "_discounted", "GBP", desc + ", whole run, national, discounted", d});
    }
    out.push_back({"cost_total", "GBP", "All costs, whole run, national, undiscounted", cost});
    out.push_back({"cost_total_discounted", "GBP", "All costs, whole run, national, discounted",
                   cost_discounted});
    // The same totals by payer (they add up to cost_total), and the NICE
    // reference case perspective: NHS and personal social services.
    double nhs_pss = 0, nhs_pss_discounted = 0;
    for (const Metric m : kPayerMetrics) {
        const auto& spec = kMetrics[index(m)];
        const double u = total(m, false), d = total(m, true);
        if (m != Metric::cost_person) nhs_pss += u, nhs_pss_discounted += d;
        const std::string name(spec.name), desc(spec.description);
        out.push_back({name + "_total", "GBP", desc + ", whole run, national, undiscounted", u});
        out.push_back({name + "_discounted", "GBP", desc + ", whole run, national, discounted", d});
    }
    out.push_back({"cost_nhs_pss_total", "GBP",
                   "Costs to the NHS and personal social services (NICE reference case), whole "
                   "run, national, undiscounted",
                   nhs_pss});
    out.push_back({"cost_nhs_pss_discounted", "GBP",
                   "Costs to the NHS and personal social services (NICE reference case), whole "
                   "run, national, discounted",
                   nhs_pss_discounted});
    out.push_back({"qalys_total", "QALYs",
                   "Health-related QALYs, whole run, national, undiscounted",
                   total(Metric::qalys, false)});
    out.push_back({"qalys_discounted", "QALYs",
                   "Health-related QALYs, whole run, national, discounted",
                   total(Metric::qalys, true)});

    // Care-related quality of life: population-weighted mean, and
    // ASCOT-weighted person-years (discounted) for comparisons.
    double ascot_sum = 0, person_months = 0, ascot_years = 0, eval_ascot_years = 0;
    for (int t = 0; t < r.months; ++t)
        for (int c = 0; c < r.councils; ++c) {
            const double pop = r.at(Metric::population, t, c);
            const double q = r.at(Metric::care_related_qol, t, c) * pop;
            ascot_sum += q;
            person_months += pop;
            ascot_years += q / 12.0 * discount_factor(rate, t);
            if (t >= t0) eval_ascot_years += q / 12.0 * discount_factor(rate, t - t0);
        }
    out.push_back({"care_related_qol_mean", "ASCOT score (0-1)",
                   "Mean care-related quality of life over all user-months",
                   ascot_sum / person_months});
    out.push_back({"care_related_qol_years_discounted", "ASCOT-years",
                   "Care-related quality-of-life-weighted person-years, national, discounted",
                   ascot_years * to_national});

    // The evaluation window's columns (window_total above).
    const std::string window = "from " + s.evaluation_from().to_string() + " to the end, national";
    for (Metric m : {Metric::new_pbs, Metric::crises, Metric::admissions, Metric::bed_days}) {
        const auto& spec = kMetrics[index(m)];
        out.push_back({"eval_" + std::string(spec.name),
                       std::string(spec.unit.substr(0, spec.unit.find('/'))),
                       std::string(spec.description) + ", " + window, window_total(m, false)});
    }
    double eval_cost = 0;
    for (std::size_t k = 0; k < kMetricCount; ++k) {
        if (kMetrics[k].kind != MetricKind::cost) continue;
        const double d = window_total(static_cast<Metric>(k), true);
        eval_cost += d;
        out.push_back({"eval_" + std::string(kMetrics[k].name) + "_discounted", "GBP",
                       std::string(kMetrics[k].description) + ", " + window +
                           ", discounted to the window's start",
                       d});
    }
    out.push_back({"eval_cost_total_discounted", "GBP",
                   "All costs, " + window + ", discounted to the window's start", eval_cost});
    double eval_nhs_pss = 0;
    for (const Metric m : kPayerMetrics) {
        const auto& spec = kMetrics[index(m)];
        const std::string name(spec.name), desc(spec.description);
        const double u = window_total(m, false), d = window_total(m, true);
        if (m != Metric::cost_person) eval_nhs_pss += d;
        out.push_back(
            {"eval_" + name + "_total", "GBP", desc + ", " + window + ", undiscounted", u});
        out.push_back({"eval_" + name + "_discounted", "GBP",
                       desc + ", " + window + ", discounted to the window's start", d});
    }
    out.push_back({"eval_cost_nhs_pss_discounted", "GBP",
                   "Costs to the NHS and personal social services (NICE reference case), " +
                       window + ", discounted to the window's start",
                   eval_nhs_pss});
    out.push_back({"eval_qalys_discounted", "QALYs",
                   "Health-related QALYs, " + window + ", discounted to the window's start",
                   window_total(Metric::qalys, true)});
    out.push_back({"eval_care_related_qol_years_discounted", "ASCOT-years",
                   "Care-related quality-of-life-weighted person-years, " + window +
                       ", discounted to the window's start",
                   eval_ascot_years * to_national});
    return out;
}

} // namespace pbsim
