#include "runner/exec/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_set>

namespace pbsim::runner {

namespace {

constexpr char kMagic[8] = {'P', 'B', 'S', 'I', 'M', 'J', '1', '\n'};
constexpr std::uint32_t kRecordMarker = 0x31434552; // "REC1"
constexpr std::size_t kHeaderSize = sizeof kMagic + sizeof(std::uint64_t) + sizeof(std::uint32_t);

std::size_t record_size(std::uint32_t n) {
    return 2 * sizeof(std::uint32_t) + n * sizeof(double) + sizeof(std::uint64_t);
}

std::uint64_t record_checksum(std::uint32_t task, const char* values, std::uint32_t n) {
    return fnv1a(values, n * sizeof(double), fnv1a(&task, sizeof task));
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t w = ::write(fd, data, size);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += w;
        size -= static_cast<std::size_t>(w);
    }
    return true;
}

std::size_t pread_all(int fd, char* data, std::size_t size, off_t at) {
    std::size_t got = 0;
    while (got < size) {
        const ssize_t r = ::pread(fd, data + got, size - got, at + static_cast<off_t>(got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += static_cast<std::size_t>(r);
    }
    return got;
}

} // namespace

std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        hash ^= p[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

std::filesystem::path journal_path(const std::filesystem::path& out) {
    std::filesystem::path j = out;
    j += ".journal";
    return j;
}

Journal::Journal(std::filesystem::path path, std::uint64_t fingerprint,
                 std::uint32_t values_per_record, bool resume)
    : path_(std::move(path)), n_(values_per_record) {
    const std::string name = path_.string();
    auto fail = [&](const std::string& what) -> void {
        const std::string reason = errno ? std::string(": ") + std::strerror(errno) : "";
        if (fd_ >= 0) ::close(fd_), fd_ = -1;
        throw JournalError("journal '" + name + "': " + what + reason);
    };
    auto lock = [&] {
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            const bool busy = errno == EWOULDBLOCK;
            if (busy) errno = 0;
            fail(busy ? "is in use by another pbsim process (the same job is running); wait for "
                        "it to finish or stop it"
                      : "cannot lock");
        }
    };
    std::error_code ec;
    const bool exists = std::filesystem::exists(path_, ec);
    if (!resume || !exists) {
        if (exists) {
            errno = 0;
            fail("exists from an earlier, unfinished job; continue it with --resume, or delete "
                 "the file to start again");
        }
        fd_ = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("cannot create");
        lock();
        char header[kHeaderSize];
        std::memcpy(header, kMagic, sizeof kMagic);
        std::memcpy(header + 8, &fingerprint, 8);
        std::memcpy(header + 16, &n_, 4);
        if (!write_all(fd_, header, sizeof header) || ::fsync(fd_) != 0) {
            const int e = errno;
            ::close(fd_), fd_ = -1;
            ::unlink(name.c_str());
            errno = e;
            fail("cannot write");
        }
        return;
    }

    fd_ = ::open(name.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) fail("cannot open");
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        errno = 0;
        fail("is not a regular file");
    }
    lock();
    char header[kHeaderSize];
    errno = 0;
    if (pread_all(fd_, header, sizeof header, 0) != sizeof header ||
        std::memcmp(header, kMagic, sizeof kMagic) != 0)
        fail("is not a pbsim journal");
    std::uint64_t found = 0;
    std::uint32_t n = 0;
    std::memcpy(&found, header + 8, 8);
    std::memcpy(&n, header + 16, 4);
    if (found != fingerprint || n != n_)
        fail("was written by a different job (input files, options or pbsim build differ); "
             "rerun with the original settings, or delete it to start again");

    // Records are of fixed size, so a damaged one in the middle does not hide
    // the good ones after it; only a short last record (a torn write) is cut.
    const std::size_t size = record_size(n_);
    const off_t end = st.st_size;
    std::vector<char> buf(size);
    std::unordered_set<std::uint32_t> seen;
    off_t at = static_cast<off_t>(kHeaderSize);
    for (; at + static_cast<off_t>(size) <= end; at += static_cast<off_t>(size)) {
        if (pread_all(fd_, buf.data(), size, at) != size) fail("cannot read");
        std::uint32_t marker = 0, task = 0;
        std::uint64_t sum = 0;
        std::memcpy(&marker, buf.data(), 4);
        std::memcpy(&task, buf.data() + 4, 4);
        std::memcpy(&sum, buf.data() + 8 + n_ * sizeof(double), 8);
        if (marker != kRecordMarker || sum != record_checksum(task, buf.data() + 8, n_)) {
            ++damaged_;
            continue;
        }
        if (!seen.insert(task).second) continue; // recomputed after damage: same values
        loaded_.push_back(task);
        offsets_.push_back(static_cast<std::int64_t>(at));
    }
    if (at != end) {
        torn_ = true;
        if (::ftruncate(fd_, at) != 0) fail("cannot cut off a torn last record");
    }
    if (::lseek(fd_, at, SEEK_SET) != at) fail("cannot seek");
}

Journal::~Journal() {
    if (fd_ < 0) return;
    if (unsynced_) ::fdatasync(fd_);
    ::close(fd_);
}

void Journal::read(std::size_t k, std::vector<double>& values) const {
    values.resize(n_);
    const off_t at = static_cast<off_t>(offsets_.at(k)) + 8;
    const std::size_t bytes = n_ * sizeof(double);
    if (pread_all(fd_, reinterpret_cast<char*>(values.data()), bytes, at) != bytes)
        throw JournalError("journal '" + path_.string() +
                           "': cannot read a record back: " + std::strerror(errno));
}

void Journal::append(std::uint32_t task, const std::vector<double>& values) {
    if (values.size() != n_)
        throw JournalError("journal '" + path_.string() + "': record of " +
                           std::to_string(values.size()) + " values, expected " +
                           std::to_string(n_));
    std::vector<char> buf(record_size(n_));
    std::memcpy(buf.data(), &kRecordMarker, 4);
    std::memcpy(buf.data() + 4, &task, 4);
    std::memcpy(buf.data() + 8, values.data(), n_ * sizeof(double));
    const std::uint64_t sum = record_checksum(task, buf.data() + 8, n_);
    std::memcpy(buf.data() + 8 + n_ * sizeof(double), &sum, 8);
    // A written record survives a kill of the process at once; fdatasync on
    // an append at least a second after the last one, and on close (a sync per record cost more
    // than a small run's simulation), makes it survive a crash of the machine too.
    const off_t before = ::lseek(fd_, 0, SEEK_CUR);
    const auto now = std::chrono::steady_clock::now();
    const bool sync = now - last_sync_ >= std::chrono::seconds(1);
    if (!write_all(fd_, buf.data(), buf.size()) || (sync && ::fdatasync(fd_) != 0)) {
        const std::string reason = std::strerror(errno);
        // Leave no torn record behind (a full disk): the next resume would cut it anyway.
        if (before >= 0 && ::ftruncate(fd_, before) == 0) ::lseek(fd_, before, SEEK_SET);
        throw JournalError("journal '" + path_.string() + "': cannot write: " + reason);
    }
    if (sync) {
        last_sync_ = now;
        unsynced_ = false;
    } else {
        unsynced_ = true;
    }
}

void Journal::remove() {
    if (fd_ >= 0) ::close(fd_), fd_ = -1;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

} // namespace pbsim::runner
