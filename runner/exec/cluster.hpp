// The processes a sweep runs on: one, or K under `mpirun -n K` / `srun` when
// built with -DPBSIM_MPI=ON. Only the main thread of each process calls
// these (MPI_THREAD_FUNNELED); TBB worker threads never touch MPI.
//
// The sweep's protocol is small: rank 0 decides (validation, the journal,
// what is left to do) and broadcasts it; every rank runs its share of the
// runs; finished runs travel to rank 0 as one message each (the run index
// and its values), and a final message says a rank is done. Rank 0 alone
// writes files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pbsim::runner {

class Cluster {
  public:
    // Joins the MPI job if the process was started by mpirun/srun (and the
    // build has MPI); otherwise a cluster of one.
    Cluster();
    ~Cluster(); // MPI_Finalize
    // A cluster of this process alone, even under mpirun (for work inside a
    // command that is not shared, such as a calibration batch).
    static Cluster local() { return Cluster(Local{}); }
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool root() const { return rank_ == 0; }

    // Rank 0's value, everywhere.
    int broadcast(int value) const;
    void broadcast(std::vector<std::uint8_t>& bytes) const; // resized on other ranks

    // Worker rank -> rank 0.
    void send_run(std::uint32_t run, const std::vector<double>& values) const;
    void send_done(bool complete) const;

    // Rank 0: the next message from any rank, if one is waiting.
    struct Message {
        int from = 0;
        bool done = false;     // a rank has finished (or stopped)
        bool complete = false; // with done: it finished all its runs
        std::uint32_t run = 0;
        std::vector<double> values;
    };
    std::optional<Message> poll() const;

    // Ends every rank of the job at once (after a failure on one).
    [[noreturn]] void abort(int status) const;

  private:
    struct Local {};
    explicit Cluster(Local) {}
    int rank_ = 0, size_ = 1;
    bool mpi_ = false;
};

// True if this build can run on several processes.
bool cluster_supported();

} // namespace pbsim::runner
