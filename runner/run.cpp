#include "runner/run.hpp"

#include "model/population.hpp"
#include "runner/output.hpp"
#include "runner/scenario_file.hpp"
#include "runner/version.hpp"

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
#include <thread>
#include <unistd.h>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

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
    const long s = std::lround(seconds);
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

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

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop.load(); }

bool ReplicationRunner::run(int replications,
                            const std::function<void(int, ReplicationResult&&)>& done) const {
    std::atomic<bool> stopped{false};
    const int n_threads = threads > 0 ? threads : tbb::info::default_concurrency();
    tbb::task_arena arena(n_threads);
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<int>(0, replications, 1),
                          [&](const tbb::blocked_range<int>& range) {
                              for (int r = range.begin(); r != range.end(); ++r) {
                                  if (stopped.load() || stop()) {
                                      stopped = true;
                                      return;
                                  }
                                  auto result = simulate(
                                      scenario, {seed, static_cast<std::uint32_t>(r), scale},
                                      [&](int) {
                                          if (on_progress) on_progress(1);
                                          if (stop()) stopped = true;
                                          return !stopped.load();
                                      });
                                  if (stopped.load()) return;
                                  done(r, std::move(result));
                              }
                          },
                          tbb::simple_partitioner{});
    });
    return !stopped.load();
}

int run_command(const RunOptions& o) {
    LoadedScenario loaded;
    try {
        loaded = load_scenario(o.scenario_file);
        for (const auto& setting : o.settings) apply_setting(loaded.scenario, setting, "--set");
    } catch (const ScenarioError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }
    const Scenario& scenario = loaded.scenario;
    const fs::path out = o.out.empty() ? fs::path("outputs") / (scenario.name + ".h5") : o.out;

    Provenance prov;
    prov.pbsim_version = kVersion;
    prov.source_revision = kSourceRevision;
    prov.scenario_name = scenario.name;
    prov.scenario_file = o.scenario_file.string();
    prov.scenario_toml = to_toml(scenario, "Resolved scenario written by pbsim " +
                                               std::string(kVersion) + " from " +
                                               o.scenario_file.string());
    prov.seed = o.seed;
    prov.replications = o.replications;
    prov.start_month = scenario.start.to_string();
    prov.months = scenario.months();
    prov.scale = o.scale;
    prov.created_utc = utc_now();
    prov.command_line = o.command_line;

    const Parameters p0 = scenario.at(scenario.start);
    const int users = simulated_users(scenario, o.scale);
    OutputLayout layout;
    layout.councils = make_councils(p0, users);
    layout.month_labels = month_labels(scenario);
    layout.summary_columns = summarise(ReplicationResult{}, scenario, o.scale);

    std::unique_ptr<H5Output> output;
    try {
        output = std::make_unique<H5Output>(out, prov, layout);
    } catch (const OutputError& e) {
        std::cerr << "pbsim: " << e.what() << "\n";
        return kExitBadInput;
    }

    install_stop_handlers();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<SummaryValue>> summaries(o.replications);
    try {
        ProgressLine progress(!o.quiet && isatty(STDERR_FILENO), scenario.name,
                              static_cast<long>(o.replications) * scenario.months(), users);
        ReplicationRunner runner{scenario, o.seed, o.scale, o.threads};
        runner.on_progress = [&](int months) { progress.add(months); };
        runner.stop = [] { return stop_requested(); };
        const bool complete = runner.run(o.replications, [&](int r, ReplicationResult&& result) {
            summaries[r] = summarise(result, scenario, o.scale);
            output->write_replication(r, result, summaries[r]);
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
    if (!o.quiet) print_summary(summaries);
    std::printf("wrote %s: scenario '%s', %d replications x %d months x %zu councils, %d users "
                "(scale %g), seed %llu, in %.1f s\n",
                out.string().c_str(), scenario.name.c_str(), o.replications, scenario.months(),
                layout.councils.size(), users, o.scale,
                static_cast<unsigned long long>(o.seed), seconds);
    return kExitOk;
}

} // namespace pbsim::runner
