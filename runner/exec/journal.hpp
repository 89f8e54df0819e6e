// The journal of a sweep in progress: an append-only file of checksummed
// records, one per finished run (design point x replication), synced to disk
// as each is written. The HDF5 output is built from it once every run is in.
//
// Why not write the HDF5 file point by point? A process killed (kill -9, node
// failure) in the middle of an HDF5 write can leave the file unreadable, and
// with it every point already done. A journal record is one write(2) of a
// self-checking record: a crash can only cut the last record short, which
// reopening detects (length and checksum) and drops.
//
// Layout: header "PBSIMJ1\n", fingerprint (u64), values per record (u32);
// then records: marker "REC1" (u32), run index (u32), values (f64 x n),
// checksum (u64, FNV-1a of index and values). Native byte order: a journal is
// resumed by the build that wrote it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <vector>

namespace pbsim::runner {

struct JournalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// FNV-1a 64 over bytes, continuing from `hash`.
std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash = 0xcbf29ce484222325ull);

class Journal {
  public:
    // Creates a new journal (fails if the file exists) or, with `resume`,
    // opens an existing one: its fingerprint and record size must match, its
    // good records are loaded, and a torn last record is cut off.
    // Throws JournalError with a one-line message naming the file.
    Journal(std::filesystem::path path, std::uint64_t fingerprint, std::uint32_t values_per_record,
            bool resume);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Records read back when resuming, by run index.
    const std::map<std::uint32_t, std::vector<double>>& loaded() const { return loaded_; }
    // Appends one record and syncs it to disk.
    void append(std::uint32_t run, const std::vector<double>& values);
    // Closes and deletes the file (once the output is complete).
    void remove();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::uint32_t n_;
    int fd_ = -1;
    std::map<std::uint32_t, std::vector<double>> loaded_;
};

} // namespace pbsim::runner
