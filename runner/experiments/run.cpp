#include "runner/experiments/run.hpp"

#include "model/population.hpp"
#include "runner/output/run_output.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/output/version.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }


// A progress line on stderr, redrawn a few times a second while work runs.
class ProgressLine {
  public:
    ProgressLine(bool enabled, std::string label, long total_months, long users)
        : enabled_(enabled), label_(std::move(label)), total_(total_months), users_(users) {
        if (enabled_) thread_ = std::thread([this] { loop(); });
    }
    ~ProgressLine() { finish(); }
    void add(int months) { done_.fetch_add(months, std::memory_order_relaxed); }
    void finish() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        cv_.notify_all();
        thread_.join();
        draw();
        std::fputc('\n', stderr);
    }

  private:
    void loop() {
        std::unique_lock lock(mutex_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return finished_; }))
            draw();
    }
    void draw() {
        const long done = done_.load();
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double rate = elapsed > 0 ? done * static_cast<double>(users_) / elapsed : 0;
        const double eta = done > 0 ? elapsed * (total_ - done) / done : 0;
        std::fprintf(stderr, "\r[pbsim] %s: %5.1f%%  %.1f M agent-months/s  elapsed %s  ETA %s   ",
                     label_.c_str(), 100.0 * done / total_, rate / 1e6,
                     duration_text(elapsed).c_str(), duration_text(eta).c_str());
        std::fflush(stderr);
    }

    bool enabled_;
    std::string label_;
    long total_, users_;
    std::atomic<long> done_{0};
    const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool finished_ = false;
};

std::vector<std::string> month_labels(const Scenario& s) {
    std::vector<std::string> labels;
    for (int t = 0; t < s.months(); ++t) labels.push_back((s.start + t).to_string());
    return labels;
}

void print_summary(const std::vector<std::vector<SummaryValue>>& rows) {
    const char* shown[] = {"uptake_share_2008_12", "uptake_share_2012_03", "uptake_share_2014_12",
                           "uptake_share_end",     "pb_holders_end",       "crises_total",
                           "admissions_total",     "bed_days_total",       "cost_total_discounted",
                           "qalys_discounted"};
    std::printf("%-26s %16s %16s %16s\n", "summary (national)", "mean", "min", "max");
    for (const char* name : shown) {
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        int n = 0;
        for (const auto& row : rows)
            for (const auto& v : row)
                if (v.name == name && std::isfinite(v.value)) {
                    sum += v.value, lo = std::min(lo, v.value), hi = std::max(hi, v.value), ++n;
                }
        if (n == 0) continue;
        std::printf("%-26s %16.6g %16.6g %16.6g\n", name, sum / n, lo, hi);
    }
}

} // namespace

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string duration_text(double seconds) {
    char buf[32];
    const long s = std::isfinite(seconds) ? std::lround(seconds) : 0;
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop.load(); }

bool ReplicationRunner::run(int replications,
                            const std::function<void(int, int, ReplicationResult&&)>& done) const {
    std::atomic<bool> stopped{false};
    const int n_threads = threads > 0 ? threads : tbb::info::default_concurrency();
    const int n_scenarios = static_cast<int>(scenarios.size());
    tbb::task_arena arena(n_threads);
    arena.execute([&] {
        // Task k runs replication k / S of scenario k % S: scenarios advance together.
        tbb::parallel_for(
            tbb::blocked_range<int>(0, replications * n_scenarios, 1),
            [&](const tbb::blocked_range<int>& range) {
                for (int k = range.begin(); k != range.end(); ++k) {
                    if (stopped.load() || stop()) {
                        stopped = true;
                        return;
                    }
                    const int s = k % n_scenarios, r = k / n_scenarios;
                    auto result = simulate(scenarios[s], {seed, static_cast<std::uint32_t>(r), scale},
                                           [&](int) {
                                               if (on_progress) on_progress(1);
                                               if (stop()) stopped = true;
                                               return !stopped.load();
                                           });
                    if (stopped.load()) return;
                    done(s, r, std::move(result));
                }
            },
            tbb::simple_partitioner{});
    });
    return !stopped.load();
}

namespace {

// Scenarios run into one file must share the period and the councils.
void check_comparable(const std::vector<LoadedScenario>& loaded, double scale) {
    const Scenario& first = loaded.front().scenario;
    const auto councils = make_councils(first.at(first.start), simulated_users(first, scale));
    std::set<std::string> names{first.name};
    for (std::size_t i = 1; i < loaded.size(); ++i) {
        const Scenario& s = loaded[i].scenario;
        const std::string pair = loaded[i].file.string() + " and " + loaded[0].file.string();
        if (!names.insert(s.name).second)
            throw ScenarioError(loaded[i].file.string() + ": scenario name '" + s.name +
                                "' is used twice in one run; give each a distinct name");
        if (s.start != first.start || s.end != first.end)
            throw ScenarioError(pair + " cover different periods (" + s.start.to_string() + " to " +
                                s.end.to_string() + " vs " + first.start.to_string() + " to " +
                                first.end.to_string() + "); scenarios compared in one run must " +
                                "share start and end");
        const auto other = make_councils(s.at(s.start), simulated_users(s, scale));
        bool same = other.size() == councils.size();
        for (std::size_t c = 0; same && c < councils.size(); ++c)
            same = other[c].user_count == councils[c].user_count &&
                   other[c].dp_culture == councils[c].dp_culture &&
                   other[c].amount_multiplier == councils[c].amount_multiplier &&
                   other[c].crisis_multiplier == councils[c].crisis_multiplier;
        if (!same)
            throw ScenarioError(pair + " generate different councils (population.* or council.* "
                                "parameters differ); scenarios compared in one run must share them");
    }
}

} // namespace

int run_command(const RunOptions& o) {
    std::vector<LoadedScenario> loaded;
    try {
        for (const auto& file : o.scenario_files) {
            loaded.push_back(load_scenario(file));
            if (!o.settings.empty()) apply_settings(loaded.back().scenario, o.settings, "--set");
        }
        check_comparable(loaded, o.scale);
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    std::vector<Scenario> scenarios;
    for (const auto& l : loaded) scenarios.push_back(l.scenario);
    const Scenario& first = scenarios.front();
    const fs::path out = !o.out.empty()          ? o.out
                         : scenarios.size() == 1 ? fs::path("outputs") / (first.name + ".h5")
                                                 : fs::path("outputs") / "comparison.h5";

    Provenance prov;
    prov.pbsim_version = kVersion;
    prov.source_revision = kSourceRevision;
    for (const auto& l : loaded)
        prov.scenarios.push_back(
            {l.scenario.name, l.file.string(),
             to_toml(l.scenario, "Resolved scenario written by pbsim " + std::string(kVersion) +
                                     " from " + l.file.string())});
    prov.seed = o.seed;
    prov.replications = o.replications;
    prov.start_month = first.start.to_string();
    prov.months = first.months();
    prov.scale = o.scale;
    prov.created_utc = utc_now();
    prov.command_line = o.command_line;

    const int users = simulated_users(first, o.scale);
    prov.to_national = first.at(first.start).population.users / static_cast<double>(users);
    OutputLayout layout;
    layout.councils = make_councils(first.at(first.start), users);
    layout.month_labels = month_labels(first);
    layout.summary_columns = summarise(ReplicationResult{}, first, o.scale);

    std::unique_ptr<H5Output> output;
    try {
        output = std::make_unique<H5Output>(out, prov, layout);
    } catch (const OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }

    install_stop_handlers();
    const auto start = std::chrono::steady_clock::now();
    const int n_scenarios = static_cast<int>(scenarios.size());
    std::vector<std::vector<std::vector<SummaryValue>>> summaries(
        n_scenarios, std::vector<std::vector<SummaryValue>>(o.replications));
    try {
        const std::string label =
            n_scenarios == 1 ? first.name : std::to_string(n_scenarios) + " scenarios";
        ProgressLine progress(!o.quiet && isatty(STDERR_FILENO), label,
                              static_cast<long>(o.replications) * n_scenarios * first.months(),
                              users);
        ReplicationRunner runner{scenarios, o.seed, o.scale, o.threads};
        runner.on_progress = [&](int months) { progress.add(months); };
        runner.stop = [] { return stop_requested(); };
        const bool complete =
            runner.run(o.replications, [&](int s, int r, ReplicationResult&& result) {
                summaries[s][r] = summarise(result, scenarios[s], o.scale);
                output->write_replication(s, r, result, summaries[s][r]);
            });
        progress.finish();
        if (!complete) {
            output.reset(); // removes the temporary file
            std::cerr << "pbsim: interrupted; no output written (" << out.string()
                      << " left as it was)\n";
            return kExitInterrupted;
        }
        output->commit();
    } catch (const OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "pbsim: run failed: " << e.what() << "\n";
        return kExitFailure;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!o.quiet)
        for (int s = 0; s < n_scenarios; ++s) {
            if (n_scenarios > 1) std::printf("\nscenario '%s'\n", scenarios[s].name.c_str());
            print_summary(summaries[s]);
        }
    std::string names;
    for (const auto& sc : scenarios) names += (names.empty() ? "'" : ", '") + sc.name + "'";
    std::printf("wrote %s: %s %s, %d replications x %d months x %zu councils, %d users "
                "(scale %g), seed %llu, in %.1f s\n",
                out.string().c_str(), n_scenarios == 1 ? "scenario" : "scenarios", names.c_str(),
                o.replications, first.months(), layout.councils.size(), users, o.scale,
                static_cast<unsigned long long>(o.seed), seconds);
    return kExitOk;
}

} // namespace pbsim::runner
