// The one HDF5 layer of pbsim: an owning identifier, the atomic file, the
// provenance writer, attribute writers, the writer of declared groups
// (runner/output/layout.hpp) and small readers for the commands that read
// pbsim files. Every writer throws OutputError naming the file.
//
// The Debian HDF5 library is not thread-safe: callers that write from several
// threads hold h5::mutex() around every call.
#pragma once

#include "runner/output/layout.hpp"
#include "runner/output/output_file.hpp"

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbsim::runner::h5 {

// Called before anything else touches HDF5 (the writers and readers here do):
// no exit-time clean-up by the library (after a failed close on a full disk
// it crashes there, HDF5 1.10), errors reported by exceptions rather than
// printed, and SIGXFSZ ignored so a file-size limit is a write error.
void init();

std::mutex& mutex();

// The most specific message on HDF5's error stack, on one line (with the
// system's reason, e.g. "No space left on device", when there is one).
std::string reason();

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Id {
  public:
    Id() = default;
    explicit Id(hid_t id) : id_(id) {} // the closer is chosen by the identifier's type
    Id(Id&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
    Id& operator=(Id&& o) noexcept {
        if (this != &o) {
            close();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    ~Id() { close(); }

    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // Closes now; false if HDF5 reported an error (the identifier is released either way).
    bool close();

  private:
    hid_t id_ = H5I_INVALID_HID;
};

// A variable-length UTF-8 string type.
Id string_type();

// --- the atomic file -----------------------------------------------------

// An HDF5 file written under FINAL.partial-PID and renamed to FINAL by
// commit() after a flush, close and fsync. While it is being written the
// process holds an flock on the temporary, so that removing stale temporaries
// (output/stale.hpp) never touches a live one, even of a process in another
// PID namespace or on another host sharing the file system. Destroyed without commit (or after
// a failure) it closes what it can and removes the temporary file; a failed
// close never crashes the process.
class AtomicFile {
  public:
    // A new, empty file (the path is checked first: check_output_path).
    explicit AtomicFile(std::filesystem::path final_path);
    // A copy of `source` to be changed and then renamed over `final_path`
    // (which may be `source` itself): the source is never opened for writing.
    AtomicFile(const std::filesystem::path& source, std::filesystem::path final_path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    hid_t root() const { return file_.get(); }
    const std::filesystem::path& final_path() const { return final_; }
    const std::filesystem::path& temporary_path() const { return temp_; }
    bool open() const { return file_.valid(); }

    // Flushes, closes (every object still open in the file too), fsyncs and
    // renames; throws OutputError naming the file and the reason.
    void commit();
    // Closes and removes the temporary file now (no-op after commit).
    void abandon() noexcept;

    [[noreturn]] void fail(const std::string& what) const;
    [[noreturn]] void fail_hdf5(const std::string& what) const { fail(what + ": " + reason()); }
    hid_t check(hid_t id, const std::string& what) const;
    void check(herr_t status, const std::string& what) const;

  private:
    void create_empty();
    void lock_owner(); // holds an flock on the temporary while this object owns it
    void unlock_owner();
    std::filesystem::path final_, temp_;
    Id file_;
    int owner_lock_ = -1;
    bool created_ = false, committed_ = false;
};

// Writes `text` to `path` atomically (temporary, fsync, rename); throws OutputError.
void write_text_file(const std::filesystem::path& path, const std::string& text);

// --- attributes ------------------------------------------------------------

void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::string_view value);
void attribute(const AtomicFile& f, hid_t obj, const std::string& name, double value);
void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::int32_t value);
void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::uint64_t value);
void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::int64_t value);

// The root attributes of every kind of file: kind, pbsim_version,
// source_revision, created_utc, command_line and the netCDF/CF globals
// Conventions ("CF-1.8"), title, source and history.
void write_provenance(const AtomicFile& f, const layout::File& kind, const CommonProvenance& p);

// --- groups --------------------------------------------------------------

// A group that lists its links (and attributes) in creation order.
Id create_group(const AtomicFile& f, hid_t parent, const std::string& name);
// Creates every missing group of an absolute path; returns the last.
Id create_groups(const AtomicFile& f, const std::string& path);

// Writes one declared group: create it, give its coordinates, then write or
// create its data variables. Everything written is looked up in the layout,
// so names, dimensions, units and descriptions are those declared.
class GroupWriter {
  public:
    GroupWriter(const AtomicFile& f, const layout::Group& g, std::string path = {});
    hid_t id() const { return group_.get(); }
    const std::string& path() const { return path_; }

    void coordinate(const std::string& name, const std::vector<std::int32_t>& values);
    void coordinate(const std::string& name, const std::vector<double>& values);
    void coordinate(const std::string& name, const std::vector<std::string>& values);
    // The CF month axis from YYYY-MM labels (month and month_label).
    void months(const std::vector<std::string>& labels);
    // 0..n-1 as an int32 coordinate.
    void index(const std::string& name, std::size_t n);

    void write(const std::string& name, const std::vector<double>& values);
    void write(const std::string& name, const std::vector<std::int32_t>& values);
    void write(const std::string& name, const std::vector<std::string>& values);
    // A float64 variable filled with NaN, written later (chunk: one row of dim 0
    // per chunk, shuffle + deflate, when `chunked`). The caller owns the result.
    Id create(const std::string& name, bool chunked);

  private:
    Id make(const layout::Variable& v, hid_t type, const std::vector<hsize_t>& shape,
            hid_t dcpl = H5P_DEFAULT);
    void describe(hid_t ds, const layout::Variable& v);
    std::vector<hsize_t> shape_of(const layout::Variable& v) const;

    const AtomicFile& file_;
    layout::Group layout_;
    std::string path_;
    Id group_;
    struct Scale {
        std::string name;
        Id ds;
        hsize_t size;
    };
    std::vector<Scale> scales_;
};

// --- reading (compare, sensitivity) ----------------------------------------

// Raised for a file or dataset that is not as a pbsim output must be; what()
// names the dataset.
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Opens a file read-only after checking it is a regular, non-empty HDF5 file;
// never creates or changes it. Throws InputError naming the file.
Id open_readonly(const std::filesystem::path& path);

bool exists(hid_t loc, const std::string& path);
std::string read_string_attr(hid_t obj, const std::string& name); // "" if absent
std::optional<double> read_number_attr(hid_t obj, const std::string& name);
std::optional<std::uint64_t> read_uint64_attr(hid_t obj, const std::string& name);
// Member names of a group in creation order (name order if untracked).
std::vector<std::string> members(hid_t loc, const std::string& group);
// A numeric dataset as float64, with its shape; InputError if absent or not numeric.
std::vector<double> read_doubles(hid_t loc, const std::string& path, std::vector<hsize_t>& shape);
// A 1-D string dataset (variable- or fixed-length).
std::vector<std::string> read_strings(hid_t loc, const std::string& path);
bool is_dataset(hid_t loc, const std::string& path);

} // namespace pbsim::runner::h5
