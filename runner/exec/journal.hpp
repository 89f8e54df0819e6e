// The journal of a job in progress (run, sweep, trial, PSA): an append-only
// file of checksummed records, one per finished task (a replication, a design
// point x replication, a simulated trial). The HDF5 output is built from it,
// so a kill, a crash or a full disk loses at most the tasks in flight, and
// `--resume` finishes the job.
//
// Why not write the HDF5 file task by task? A process killed (kill -9, node
// failure) in the middle of an HDF5 write can leave the file unreadable, and
// with it everything already done. A journal record is one write(2) of a
// self-checking record of fixed size. It is in the file at once, so a kill of
// the process loses nothing; it is synced to disk by the first append a second
// or more after the last sync, and on close, so a crash of the machine loses at
// most the last few records. A crash can only cut the last record short, which
// reopening detects (length) and cuts off; a record damaged on disk fails its
// checksum, is reported, and its task is run again.
//
// Layout: header "PBSIMJ1\n", fingerprint (u64), values per record (u32);
// then records: marker "REC1" (u32), task index (u32), values (f64 x n),
// checksum (u64, FNV-1a of index and values). Native byte order: a journal is
// resumed by the build that wrote it. An open journal holds an exclusive
// lock (flock), so two processes never write one journal.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace pbsim::runner {

struct JournalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// FNV-1a 64 over bytes, continuing from `hash`.
std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash = 0xcbf29ce484222325ull);

// OUT.journal, beside the output file.
std::filesystem::path journal_path(const std::filesystem::path& out);

class Journal {
  public:
    // Creates a new journal (fails if the file exists) or, with `resume`,
    // opens an existing one (creating it if there is none): its fingerprint
    // and record size must match; good records are indexed (not loaded), a
    // torn last record is cut off, damaged records are counted and skipped.
    // Throws JournalError with a one-line message naming the file.
    Journal(std::filesystem::path path, std::uint64_t fingerprint, std::uint32_t values_per_record,
            bool resume);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Tasks whose records were found when resuming, in file order.
    const std::vector<std::uint32_t>& loaded() const { return loaded_; }
    // Reads the k-th loaded record back.
    void read(std::size_t k, std::vector<double>& values) const;
    std::size_t damaged() const { return damaged_; } // records dropped: bad marker or checksum
    bool torn() const { return torn_; }              // a short last record was cut off

    // Appends one record (synced as described above).
    void append(std::uint32_t task, const std::vector<double>& values);
    // Closes and deletes the file (once the output is complete).
    void remove();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::uint32_t n_;
    int fd_ = -1;
    std::vector<std::uint32_t> loaded_;
    std::vector<std::int64_t> offsets_; // of each loaded record
    std::size_t damaged_ = 0;
    bool torn_ = false, unsynced_ = false;
    std::chrono::steady_clock::time_point last_sync_ = std::chrono::steady_clock::now();
};

} // namespace pbsim::runner
