#include "model/workforce.hpp"

#include "model/population.hpp"

#include <algorithm>
#include <cmath>

namespace pbsim::workforce {

void step(MonthContext& m, const std::vector<Parameters>& params,
          const std::vector<std::uint8_t>& post_arm, const std::vector<std::uint32_t>& waiting,
          std::vector<std::uint32_t>& changed) {
    auto& cc = m.world.coordinators;
    const std::size_t councils = m.world.councils.size();
    // The parameters of a post: its council's, or its council's in the post arm.
    auto arm = [&](std::uint32_t post) {
        return cc.council[post] + (post_arm.empty() ? 0 : councils * post_arm[post]);
    };
    for (std::uint32_t post = 0; post < cc.size(); ++post) {
        const int council = cc.council[post];
        const auto& c = m.coefficients[arm(post)];
        const auto r = m.rng.uniform4(Purpose::turnover, post, m.key);
        if (m.t > 0 && r[0] < c.turnover) {
            hire_coordinator(m.world, params[arm(post)], m.rng, post, cc.generation[post] + 1, m.t);
            m.tally[council][Metric::coordinators_leaving] += 1;
            changed.push_back(post);
        }
        if (r[1] < c.training_rate) {
            const auto& tr = params[arm(post)].training;
            cc.knowledge[post] =
                static_cast<float>(std::min(1.0, cc.knowledge[post] + tr.knowledge_gain));
            cc.attitude[post] =
                static_cast<float>(logistic(logit(cc.attitude[post]) + tr.attitude_gain));
            m.tally[council][Metric::coordinators_trained] += 1;
            if (changed.empty() || changed.back() != post) changed.push_back(post);
        }
    }
    // Requests wait for the council's assessment capacity: the coordinators of a
    // council's teams share assessments. Capacity is per caseload of
    // `coordinator.caseload` users, so a sample keeps capacity per user, and it
    // is pooled per council so that small samples are not lumpier than England.
    auto& start_p = m.world.assessment_start_p;
    start_p.resize(m.world.councils.size());
    for (std::size_t council = 0; council < start_p.size(); ++council) {
        const float capacity = m.coefficients[council].assessment_capacity *
                               static_cast<float>(m.world.councils[council].user_count) /
                               static_cast<float>(params[council].coordinator.caseload);
        start_p[council] = waiting[council] == 0
                               ? 1.0f
                               : std::min(1.0f, capacity / static_cast<float>(waiting[council]));
    }
    // Coordinator factors for the user pass. Under the duty to offer, even a
    // coordinator who would not mention PBs is obliged to.
    for (std::uint32_t post = 0; post < cc.size(); ++post) {
        const auto& c = m.coefficients[arm(post)];
        const auto& rq = params[arm(post)].request;
        const float tells = cc.attitude[post] * cc.knowledge[post];
        cc.awareness_not[post] =
            1.0f - c.from_coordinator * (tells + c.active_offer * (1.0f - tells));
        cc.request_factor[post] =
            static_cast<float>(std::exp(rq.coordinator_effect * (cc.attitude[post] - 0.5)));
    }
}

} // namespace pbsim::workforce
