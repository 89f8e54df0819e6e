#include "runner/experiments/sweep.hpp"

#include "model/metrics.hpp"
#include "model/summary.hpp"
#include "runner/exec/cluster.hpp"
#include "runner/exec/journal.hpp"
#include "runner/output/run_output.hpp"
#include "runner/experiments/run.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"
#include "runner/output/sweep_output.hpp"
#include "runner/output/version.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <thread>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\', out += c;
        else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else
            out += c;
    }
    return out + "\"";
}

// Finished runs handed from TBB workers to the main thread, which alone
// journals them and talks MPI.
struct RunQueue {
    struct Item {
        std::uint32_t run;
        std::vector<double> values;
    };
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<Item> items;
    bool workers_finished = false;

    void push(Item item) {
        {
            std::lock_guard lock(mutex);
            items.push_back(std::move(item));
        }
        cv.notify_one();
    }
    void finish() {
        {
            std::lock_guard lock(mutex);
            workers_finished = true;
        }
        cv.notify_one();
    }
    // Waits briefly for work; returns what is queued and whether workers are done.
    std::deque<Item> take(bool& finished, std::chrono::milliseconds wait) {
        std::unique_lock lock(mutex);
        cv.wait_for(lock, wait, [&] { return !items.empty() || workers_finished; });
        finished = workers_finished;
        return std::exchange(items, {});
    }
};

// Points done / total, rate, ETA: a line on a terminal, or JSON lines.
class SweepProgress {
  public:
    SweepProgress(bool line, bool json, std::size_t points, int replications)
        : line_(line), json_(json), reps_(replications), done_reps_(points, 0),
          runs_total_(points * static_cast<std::size_t>(replications)) {}

    void count(std::uint32_t run, bool fresh) {
        const std::size_t p = run / static_cast<std::uint32_t>(reps_);
        ++runs_done_;
        if (fresh) ++runs_here_;
        if (++done_reps_[p] == reps_) {
            ++points_done_;
            // At most one JSON line a second (and the last point), however big the sweep.
            if (fresh && json_ &&
                (Clock::now() - last_event_ >= std::chrono::seconds(1) ||
                 points_done_ == done_reps_.size()))
                event("point", "\"point\":" + std::to_string(p) + ",");
        }
        if (fresh && line_ && Clock::now() - last_draw_ > std::chrono::milliseconds(200)) draw();
    }
    void start(const std::string& extra) {
        if (json_) event("start", extra);
        if (line_) draw();
    }
    void end(const std::string& status, const std::string& extra) {
        if (line_) {
            draw();
            std::fputc('\n', stderr);
        }
        if (json_) event(status, extra);
    }
    std::size_t points_done() const { return points_done_; }
    std::size_t runs_done() const { return runs_done_; }
    std::size_t runs_computed() const { return runs_here_; }

  private:
    double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    double rate() const { return elapsed() > 0 ? static_cast<double>(runs_here_) / elapsed() : 0; }
    double eta() const {
        const double r = rate();
        return r > 0 ? static_cast<double>(runs_total_ - runs_done_) / r : NAN;
    }
    void draw() {
        last_draw_ = Clock::now();
        std::fprintf(
            stderr,
            "\r[pbsim] sweep: %zu/%zu points  (%zu/%zu runs)  %.2f runs/s  elapsed %s  ETA %s   ",
            points_done_, done_reps_.size(), runs_done_, runs_total_, rate(),
            duration_text(elapsed()).c_str(), runs_here_ > 0 ? duration_text(eta()).c_str() : "--");
        std::fflush(stderr);
    }
    void event(const std::string& name, const std::string& extra) {
        last_event_ = Clock::now();
        const double e = eta();
        std::fprintf(stderr,
                     "{\"event\":\"%s\",%s\"points_done\":%zu,\"points_total\":%zu,"
                     "\"runs_done\":%zu,\"runs_total\":%zu,\"runs_per_s\":%.4g,\"elapsed_s\":%.3f,"
                     "\"eta_s\":%s}\n",
                     name.c_str(), extra.c_str(), points_done_, done_reps_.size(), runs_done_,
                     runs_total_, rate(), elapsed(),
                     std::isfinite(e) ? std::to_string(e).c_str() : "null");
        std::fflush(stderr);
    }

    bool line_, json_;
    int reps_;
    std::vector<int> done_reps_;
    std::size_t runs_total_, runs_done_ = 0, runs_here_ = 0, points_done_ = 0;
    const Clock::time_point start_ = Clock::now();
    Clock::time_point last_draw_{}, last_event_{};
};

// Everything that determines the results: a journal is only resumed by the
// sweep that wrote it.
std::uint64_t fingerprint(const Sweep& s, const analysis::Matrix& values,
                          const std::vector<SummaryValue>& columns) {
    std::string text = std::string(kVersion) + "\n" + kSourceRevision + "\n" + to_toml(s.base) +
                       "\n" + std::string(analysis::design_name(s.design)) + "\n" +
                       std::to_string(s.replications) + " " + std::to_string(s.seed) + " " +
                       format_number(s.scale) + " " + (s.timeseries ? "timeseries" : "summary") +
                       "\n";
    for (const auto& f : s.factors) {
        text.append(f.factor.key);
        if (f.from) text.append("@").append(f.from->to_string());
        text.append("\n");
    }
    for (const auto& c : columns)
        text += c.name + "\n";
    return fnv1a(values.values.data(), values.values.size() * sizeof(double),
                 fnv1a(text.data(), text.size()));
}

// One run's journal record: its summary values, then (optionally) the
// national series of every metric, metric by metric.
std::vector<double> record(const ReplicationResult& result, const Scenario& scenario, double scale,
                           bool timeseries) {
    std::vector<double> values;
    for (const auto& v : summarise(result, scenario, scale))
        values.push_back(v.value);
    if (timeseries)
        for (std::size_t k = 0; k < kMetricCount; ++k)
            for (int t = 0; t < result.months; ++t)
                values.push_back(result.national(static_cast<Metric>(k), t));
    return values;
}

} // namespace

fs::path journal_path(const fs::path& out) {
    fs::path j = out;
    j += ".journal";
    return j;
}

int sweep_command(const SweepOptions& o) {
    Cluster cluster;
    const bool root = cluster.root();
    auto say = [&](const std::string& message) {
        if (root) std::cerr << "pbsim: " << message << "\n";
    };

    Sweep sweep;
    try {
        sweep = load_sweep(o.file, o.overrides);
    } catch (const ScenarioError& e) {
        say(e.what());
        return kExitBadInput;
    }
    const analysis::Matrix unit = unit_design(sweep);
    const std::size_t P = unit.rows, K = sweep.factors.size();
    const auto R = static_cast<std::size_t>(sweep.replications);
    analysis::Matrix values(P, K);
    std::vector<Scenario> scenarios;
    for (std::size_t p = 0; p < P; ++p) {
        const auto v = point_values(sweep, unit, p);
        for (std::size_t j = 0; j < K; ++j)
            values(p, j) = v[j];
        scenarios.push_back(point_scenario(sweep, v));
    }
    const std::vector<SummaryValue> columns =
        summarise(ReplicationResult{}, sweep.base, sweep.scale);
    const std::size_t C = columns.size();
    const auto M = static_cast<std::size_t>(sweep.base.months());
    const std::size_t per_run = C + (sweep.timeseries ? kMetricCount * M : 0);
    const std::size_t runs = P * R;
    const fs::path out =
        !o.out.empty() ? o.out : fs::path("outputs") / (o.file.stem().string() + ".h5");

    // Rank 0 opens the journal and tells everyone what is already done.
    std::unique_ptr<Journal> journal;
    std::vector<std::vector<double>> results(runs);
    std::vector<std::uint8_t> done(runs, 0);
    int status = kExitOk;
    if (root) {
        try {
            check_output_path(out); // before any work is done
        } catch (const OutputError& e) {
            say(e.what());
            status = kExitBadInput;
        }
        if (status == kExitOk) {
            try {
                journal = std::make_unique<Journal>(journal_path(out),
                                                    fingerprint(sweep, values, columns),
                                                    static_cast<std::uint32_t>(per_run), o.resume);
                for (const auto& [run, v] : journal->loaded())
                    if (run < runs) results[run] = v, done[run] = 1;
            } catch (const JournalError& e) {
                say(e.what());
                status = kExitBadInput;
            }
        }
    }
    status = cluster.broadcast(status);
    if (status != kExitOk) return status;
    cluster.broadcast(done);

    // This rank's share: every size-th missing run, in order.
    std::vector<std::uint32_t> mine;
    std::size_t missing = 0, already = 0;
    for (std::size_t run = 0; run < runs; ++run) {
        if (done[run]) {
            ++already;
            continue;
        }
        if (missing++ % static_cast<std::size_t>(cluster.size()) ==
            static_cast<std::size_t>(cluster.rank()))
            mine.push_back(static_cast<std::uint32_t>(run));
    }

    const bool tty = isatty(STDERR_FILENO);
    SweepProgress progress(root && !o.quiet && !o.log_json && tty, root && o.log_json, P,
                           sweep.replications);
    if (root) {
        for (std::size_t run = 0; run < runs; ++run)
            if (done[run]) progress.count(static_cast<std::uint32_t>(run), false);
        if (already > 0 && !o.quiet)
            std::cerr << "pbsim: resuming: " << already << " of " << runs << " runs already in "
                      << journal->path().string() << "; running the other " << runs - already
                      << "\n";
        progress.start("\"resumed_runs\":" + std::to_string(already) +
                       ",\"ranks\":" + std::to_string(cluster.size()) + ",");
    }

    install_stop_handlers();
    const auto started = Clock::now();
    RunQueue queue;
    std::atomic<bool> abandon{false};
    std::exception_ptr worker_error;
    std::thread workers([&] {
        try {
            const int n_threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
            tbb::task_arena arena(n_threads);
            arena.execute([&] {
                tbb::parallel_for(
                    tbb::blocked_range<std::size_t>(0, mine.size(), 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t i = range.begin(); i != range.end(); ++i) {
                            if (abandon.load() || stop_requested()) return;
                            const std::uint32_t run = mine[i];
                            const std::size_t p = run / R;
                            const auto rep = static_cast<std::uint32_t>(run % R);
                            // Replication r of every point shares its random numbers.
                            auto result =
                                simulate(scenarios[p], {sweep.seed, rep, sweep.scale},
                                         [&](int) { return !abandon.load() && !stop_requested(); });
                            if (abandon.load() || stop_requested()) return;
                            queue.push(
                                {run, record(result, scenarios[p], sweep.scale, sweep.timeseries)});
                        }
                    },
                    tbb::simple_partitioner{});
            });
        } catch (...) {
            worker_error = std::current_exception();
        }
        queue.finish();
    });

    // The main thread: journal runs (rank 0) or send them to rank 0.
    std::size_t ranks_done = 1;
    bool all_complete = true, workers_finished = false;
    std::string failure;
    try {
        while (true) {
            auto items = queue.take(workers_finished, std::chrono::milliseconds(root ? 20 : 100));
            for (auto& item : items) {
                if (root) {
                    journal->append(item.run, item.values);
                    results[item.run] = std::move(item.values);
                    done[item.run] = 1;
                    progress.count(item.run, true);
                } else {
                    cluster.send_run(item.run, item.values);
                }
            }
            if (root)
                while (auto m = cluster.poll()) {
                    if (m->done) {
                        ++ranks_done;
                        all_complete = all_complete && m->complete;
                        continue;
                    }
                    if (m->run >= runs || m->values.size() != per_run)
                        throw std::runtime_error("rank " + std::to_string(m->from) +
                                                 " sent a malformed run");
                    journal->append(m->run, m->values);
                    results[m->run] = std::move(m->values);
                    done[m->run] = 1;
                    progress.count(m->run, true);
                }
            if (workers_finished && items.empty()) {
                if (!root) {
                    // Anything queued before `finish` was taken above.
                    bool finished = false;
                    auto last = queue.take(finished, std::chrono::milliseconds(0));
                    for (auto& item : last)
                        cluster.send_run(item.run, item.values);
                    cluster.send_done(!stop_requested() && !worker_error);
                    break;
                }
                if (ranks_done == static_cast<std::size_t>(cluster.size())) break;
            }
        }
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        abandon = true;
        workers.join();
        say(failure);
        cluster.abort(kExitFailure);
    }
    workers.join();
    if (worker_error) {
        try {
            std::rethrow_exception(worker_error);
        } catch (const std::exception& e) {
            if (root)
                say(std::string("sweep failed: ") + e.what());
            else
                std::cerr << "pbsim (rank " << cluster.rank() << "): sweep failed: " << e.what()
                          << "\n";
        }
        cluster.abort(kExitFailure);
    }

    if (root) {
        const std::size_t have = progress.runs_done();
        if (have < runs) {
            progress.end("interrupted", "");
            say("interrupted: " + std::to_string(have) + " of " + std::to_string(runs) +
                " runs are saved in " + journal->path().string() +
                "; continue with the same command and --resume");
            status = kExitInterrupted;
        } else {
            SweepProvenance prov;
            prov.pbsim_version = kVersion;
            prov.source_revision = kSourceRevision;
            prov.sweep_file = o.file.string();
            prov.sweep_toml = sweep.text;
            prov.base_scenario_file = sweep.base_file.string();
            prov.base_scenario_toml = to_toml(
                sweep.base, "Base scenario of the sweep, resolved by pbsim " +
                                std::string(kVersion) + " from " + sweep.base_file.string());
            prov.design = std::string(analysis::design_name(sweep.design));
            prov.design_size = sweep.points;
            prov.levels = sweep.design == analysis::DesignKind::morris ? sweep.levels : 0;
            prov.seed = sweep.seed;
            prov.replications = sweep.replications;
            prov.scale = sweep.scale;
            prov.start_month = sweep.base.start.to_string();
            prov.months = sweep.base.months();
            prov.created_utc = utc_now();
            prov.command_line = o.command_line;
            prov.mpi_ranks = cluster.size();

            SweepResults res;
            for (const auto& f : sweep.factors)
                res.factors.push_back({f.factor.key, f.unit, f.factor.low, f.factor.high,
                                       f.factor.values, f.from ? f.from->to_string() : ""});
            res.unit = unit;
            res.values = values;
            res.columns = columns;
            res.summary.resize(C * runs);
            for (std::size_t run = 0; run < runs; ++run)
                for (std::size_t c = 0; c < C; ++c)
                    res.summary[c * runs + run] = results[run][c];
            res.timeseries = sweep.timeseries;
            for (int t = 0; t < sweep.base.months(); ++t)
                res.month_labels.push_back((sweep.base.start + t).to_string());
            if (sweep.timeseries) {
                res.series.resize(kMetricCount * runs * M);
                for (std::size_t run = 0; run < runs; ++run)
                    for (std::size_t k = 0; k < kMetricCount; ++k)
                        std::copy_n(results[run].begin() + static_cast<long>(C + k * M), M,
                                    res.series.begin() + static_cast<long>((k * runs + run) * M));
            }
            try {
                write_sweep_file(out, prov, res);
                journal->remove();
                const double seconds =
                    std::chrono::duration<double>(Clock::now() - started).count();
                progress.end("complete", "\"out\":" + json_string(out.string()) + ",");
                std::printf("wrote %s: %s design, %zu parameters, %zu points x %zu replication%s "
                            "(%zu runs, %zu resumed from the journal), seed %llu, scale %g, %d "
                            "process%s, in %.1f s\n",
                            out.string().c_str(), prov.design.c_str(), K, P, R, R == 1 ? "" : "s",
                            runs, already, static_cast<unsigned long long>(sweep.seed), sweep.scale,
                            cluster.size(), cluster.size() == 1 ? "" : "es", seconds);
                if (!o.quiet)
                    std::printf("next: pbsim sensitivity %s --output uptake_share_2014_12\n",
                                out.string().c_str());
            } catch (const OutputError& e) {
                say(std::string(e.what()) + "; the runs are kept in " + journal->path().string() +
                    ": fix the problem and rerun with --resume");
                status = kExitFailure;
            }
        }
    }
    return cluster.broadcast(status);
}

} // namespace pbsim::runner
