#include "runner/exec/plan.hpp"

namespace pbsim::runner {

Job simulation_job(const RunPlan& plan, std::size_t record_size, RecordOf record_of) {
    Job job;
    job.tasks = plan.runs();
    job.record_size = record_size;
    job.ticks_per_task = plan.variants.empty() ? 1 : plan.variants.front().months();
    job.compute = [&plan, record_of = std::move(record_of)](std::size_t run,
                                                            std::vector<double>& record,
                                                            const std::function<bool()>& tick) {
        const Scenario& s = plan.variants[plan.variant(run)];
        bool abandoned = false;
        auto result = simulate(s, {plan.seed, plan.replication(run), plan.scale}, [&](int) {
            abandoned = !tick();
            return !abandoned;
        });
        if (abandoned) return; // the executor discards the record
        record_of(run, result, record);
    };
    return job;
}

} // namespace pbsim::runner
