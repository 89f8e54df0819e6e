#include "runner/exec/executor.hpp"

#include "runner/exec/status.hpp"
#include "runner/exec/stop.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <new>
#include <thread>

namespace pbsim::runner {

namespace {

// Finished records handed from TBB workers to the calling thread, which alone
// journals them, hands them to the sink and talks MPI. Bounded: a worker
// waits while `capacity` records are queued (the writer is slower than the
// simulations when records are large), so memory stays at a few records per
// thread.
struct RecordQueue {
    std::size_t capacity = 4;
    bool released = false; // workers stop waiting (the job is being abandoned)
    struct Item {
        std::uint32_t task;
        std::vector<double> values;
    };
    std::mutex mutex;
    std::condition_variable cv, space;
    std::deque<Item> items;
    bool workers_finished = false;

    void push(Item item) {
        {
            std::unique_lock lock(mutex);
            space.wait(lock, [&] { return items.size() < capacity || released; });
            items.push_back(std::move(item));
        }
        cv.notify_one();
    }
    void release() {
        {
            std::lock_guard lock(mutex);
            released = true;
        }
        space.notify_all();
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
        auto taken = std::exchange(items, {});
        space.notify_all();
        return taken;
    }
};

} // namespace

int ExecOutcome::exit_code() const {
    switch (status) {
    case Status::complete:
        return kExitOk;
    case Status::interrupted:
        return kExitInterrupted;
    case Status::bad_input:
        return kExitBadInput;
    case Status::failed:
        return kExitFailure;
    }
    return kExitFailure;
}

Executor::~Executor() = default;

std::filesystem::path Executor::journal_path() const {
    return journal_ ? journal_->path() : std::filesystem::path();
}

void Executor::discard_journal() {
    if (journal_) journal_->remove();
    journal_.reset();
}

ExecOutcome Executor::run(const Job& job, const ExecOptions& o, Progress& progress,
                          const RecordSink& sink) {
    using Status = ExecOutcome::Status;
    ExecOutcome outcome;
    const bool root = cluster_.root();
    const std::size_t N = job.tasks;

    // Rank 0 opens the journal and tells every rank what is already done.
    std::vector<std::uint8_t> done(N, 0);
    int status = 0;
    journal_.reset();
    if (root && !o.journal.empty()) {
        try {
            journal_ = std::make_unique<Journal>(
                o.journal, job.fingerprint, static_cast<std::uint32_t>(job.record_size), o.resume);
            for (const auto task : journal_->loaded())
                if (task < N) done[task] = 1;
        } catch (const JournalError& e) {
            outcome.status = Status::bad_input;
            outcome.message = e.what();
            status = 1;
        }
    }
    if (cluster_.broadcast(status) != 0) {
        if (!root) outcome.status = Status::bad_input;
        return outcome;
    }
    cluster_.broadcast(done);

    std::size_t completed = 0; // records in hand on rank 0
    if (root && journal_) {
        // Data-integrity warnings are never silenced by --quiet.
        if (journal_->damaged() > 0)
            std::cerr << "pbsim: warning: journal '" << journal_->path().string()
                      << "': " << journal_->damaged()
                      << " damaged record(s) dropped (bad checksum); their tasks run again\n";
        if (journal_->torn())
            std::cerr << "pbsim: journal '" << journal_->path().string()
                      << "': a record cut short by an interruption was dropped; its task runs "
                         "again\n";
        const auto& loaded = journal_->loaded();
        if (!loaded.empty())
            progress.message("resuming: " + std::to_string(loaded.size()) + " of " +
                             std::to_string(N) + " already in " + journal_->path().string() +
                             "; running the other " + std::to_string(N - loaded.size()));
        try {
            std::vector<double> values;
            for (std::size_t k = 0; k < loaded.size(); ++k) {
                if (loaded[k] >= N) continue;
                journal_->read(k, values);
                sink(loaded[k], std::move(values));
                ++completed;
            }
        } catch (const std::exception& e) {
            outcome.status = Status::failed;
            outcome.message = e.what();
            status = 1;
        }
        outcome.resumed = completed;
        progress.resumed(completed);
    }
    if (cluster_.broadcast(status) != 0) {
        if (!root) outcome.status = Status::failed;
        return outcome;
    }

    // This rank's share: every size-th task left to do, in order.
    std::vector<std::uint32_t> mine;
    std::size_t missing = 0;
    const auto ranks = static_cast<std::size_t>(cluster_.size());
    const auto rank = static_cast<std::size_t>(cluster_.rank());
    for (std::size_t t = 0; t < N; ++t)
        if (!done[t] && missing++ % ranks == rank) mine.push_back(static_cast<std::uint32_t>(t));

    const int n_threads = o.threads > 0 ? o.threads : tbb::info::default_concurrency();
    RecordQueue queue;
    queue.capacity = 2 * static_cast<std::size_t>(n_threads);
    std::atomic<bool> abandon{false};
    std::atomic<long> ticks{0};
    std::exception_ptr worker_error;
    const auto stopping = [&] {
        return abandon.load() || stop_requested() || (o.stop && o.stop());
    };
    std::thread workers([&] {
        try {
            tbb::task_arena arena(n_threads);
            arena.execute([&] {
                tbb::parallel_for(
                    tbb::blocked_range<std::size_t>(0, mine.size(), 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t i = range.begin(); i != range.end(); ++i) {
                            if (stopping()) return;
                            std::vector<double> record(job.record_size, 0.0);
                            job.compute(mine[i], record, [&] {
                                ticks.fetch_add(1, std::memory_order_relaxed);
                                return !stopping();
                            });
                            if (stopping()) return;
                            if (record.size() != job.record_size)
                                throw std::logic_error("task " + std::to_string(mine[i]) +
                                                       " gave a record of the wrong size");
                            queue.push({mine[i], std::move(record)});
                        }
                    },
                    tbb::simple_partitioner{});
            });
        } catch (...) {
            worker_error = std::current_exception();
            abandon = true;
        }
        queue.release();
        queue.finish();
    });

    // The calling thread: journal and hand over records (rank 0), or send
    // them to rank 0.
    std::size_t ranks_done = 1;
    bool workers_finished = false;
    std::string failure;
    const double ticks_per_task = std::max(1, job.ticks_per_task);
    auto take = [&](std::uint32_t task, std::vector<double>&& values) {
        if (task >= N || values.size() != job.record_size || done[task])
            throw std::runtime_error("a rank sent a malformed or duplicate record (task " +
                                     std::to_string(task) + ")");
        if (journal_) journal_->append(task, values);
        done[task] = 1;
        sink(task, std::move(values));
        ++completed;
        ++outcome.computed;
    };
    try {
        while (true) {
            auto items = queue.take(workers_finished, std::chrono::milliseconds(root ? 20 : 100));
            for (auto& item : items) {
                if (root)
                    take(item.task, std::move(item.values));
                else
                    cluster_.send_run(item.task, item.values), ++outcome.computed;
            }
            if (root) {
                while (auto m = cluster_.poll()) {
                    if (m->done) {
                        ++ranks_done;
                        continue;
                    }
                    take(m->run, std::move(m->values));
                }
                // Work done in simulated months; below 100% until the last
                // record is written.
                const double work = static_cast<double>(outcome.resumed) +
                                    static_cast<double>(ticks.load()) / ticks_per_task;
                progress.update(completed, completed == N ? static_cast<double>(N)
                                                          : std::min(work, N - 0.001));
            }
            if (workers_finished && items.empty()) {
                if (!root) {
                    bool finished = false;
                    for (auto& item : queue.take(finished, std::chrono::milliseconds(0)))
                        cluster_.send_run(item.task, item.values), ++outcome.computed;
                    cluster_.send_done(!stopping() && !worker_error);
                    break;
                }
                if (ranks_done == ranks) break;
            }
        }
    } catch (const std::bad_alloc&) {
        failure = "out of memory while collecting records; try fewer --threads or a smaller "
                  "--scale (--dry-run shows the estimated size)";
    } catch (const std::exception& e) {
        failure = e.what();
    }
    // With several ranks a failure ends the whole job (others may be blocked
    // sending): the failing rank says why first, whatever the progress form.
    const auto abort_job = [&](const std::string& why) {
        std::cerr << "pbsim (rank " << cluster_.rank() << " of " << ranks << "): " << why
                  << "; stopping every rank\n";
        progress.finish("failed");
        cluster_.abort(kExitFailure);
    };
    if (!failure.empty()) {
        abandon = true;
        queue.release();
        workers.join();
        outcome.status = Status::failed;
        outcome.message = failure;
        if (ranks > 1) abort_job(failure);
        return outcome;
    }
    workers.join();
    if (worker_error) {
        try {
            std::rethrow_exception(worker_error);
        } catch (const std::bad_alloc&) {
            outcome.message = "out of memory in a simulation; try fewer --threads or a smaller "
                              "--scale (--dry-run shows the estimated size)";
        } catch (const std::exception& e) {
            outcome.message = e.what();
        } catch (...) {
            outcome.message = "unknown error in a worker";
        }
        outcome.status = Status::failed;
        if (ranks > 1) abort_job(outcome.message);
        return outcome;
    }
    if (root && completed < N) outcome.status = Status::interrupted;
    if (!root && stopping()) outcome.status = Status::interrupted;
    return outcome;
}

} // namespace pbsim::runner
