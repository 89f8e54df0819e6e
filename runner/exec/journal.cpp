#include "runner/exec/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace pbsim::runner {

namespace {

constexpr char kMagic[8] = {'P', 'B', 'S', 'I', 'M', 'J', '1', '\n'};
constexpr std::uint32_t kRecordMarker = 0x31434552; // "REC1"
constexpr std::size_t kHeaderSize = sizeof kMagic + sizeof(std::uint64_t) + sizeof(std::uint32_t);

std::size_t record_size(std::uint32_t n) {
    return 2 * sizeof(std::uint32_t) + n * sizeof(double) + sizeof(std::uint64_t);
}

std::uint64_t record_checksum(std::uint32_t run, const double* values, std::uint32_t n) {
    return fnv1a(values, n * sizeof(double), fnv1a(&run, sizeof run));
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

std::size_t read_all(int fd, char* data, std::size_t size) {
    std::size_t got = 0;
    while (got < size) {
        const ssize_t r = ::read(fd, data + got, size - got);
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

Journal::Journal(std::filesystem::path path, std::uint64_t fingerprint,
                 std::uint32_t values_per_record, bool resume)
    : path_(std::move(path)), n_(values_per_record) {
    const std::string name = path_.string();
    auto fail = [&](const std::string& what) -> void {
        const std::string reason = errno ? std::string(": ") + std::strerror(errno) : "";
        if (fd_ >= 0) ::close(fd_), fd_ = -1;
        throw JournalError("journal '" + name + "': " + what + reason);
    };
    std::error_code ec;
    const bool exists = std::filesystem::exists(path_, ec);
    if (!resume || !exists) {
        if (exists) {
            errno = 0;
            fail("exists from an earlier, unfinished sweep; continue it with --resume, or delete "
                 "the file to start again");
        }
        fd_ = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("cannot create");
        char header[kHeaderSize];
        std::memcpy(header, kMagic, sizeof kMagic);
        std::memcpy(header + 8, &fingerprint, 8);
        std::memcpy(header + 16, &n_, 4);
        if (!write_all(fd_, header, sizeof header) || ::fsync(fd_) != 0) fail("cannot write");
        return;
    }

    fd_ = ::open(name.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) fail("cannot open");
    char header[kHeaderSize];
    errno = 0;
    if (read_all(fd_, header, sizeof header) != sizeof header ||
        std::memcmp(header, kMagic, sizeof kMagic) != 0)
        fail("is not a pbsim sweep journal");
    std::uint64_t found = 0;
    std::uint32_t n = 0;
    std::memcpy(&found, header + 8, 8);
    std::memcpy(&n, header + 16, 4);
    if (found != fingerprint || n != n_)
        fail("was written by a different sweep (sweep file, base scenario, options or pbsim "
             "build differ); rerun with the original settings, or delete it to start again");

    // Good records up to the first short or corrupt one, which a crash left.
    const std::size_t size = record_size(n_);
    std::vector<char> buf(size);
    off_t good = static_cast<off_t>(kHeaderSize);
    while (read_all(fd_, buf.data(), size) == size) {
        std::uint32_t marker = 0, run = 0;
        std::uint64_t sum = 0;
        std::memcpy(&marker, buf.data(), 4);
        std::memcpy(&run, buf.data() + 4, 4);
        std::vector<double> values(n_);
        std::memcpy(values.data(), buf.data() + 8, n_ * sizeof(double));
        std::memcpy(&sum, buf.data() + 8 + n_ * sizeof(double), 8);
        if (marker != kRecordMarker || sum != record_checksum(run, values.data(), n_)) break;
        loaded_[run] = std::move(values);
        good += static_cast<off_t>(size);
    }
    if (::ftruncate(fd_, good) != 0 || ::lseek(fd_, good, SEEK_SET) != good)
        fail("cannot cut off a damaged last record");
}

Journal::~Journal() {
    if (fd_ >= 0) ::close(fd_);
}

void Journal::append(std::uint32_t run, const std::vector<double>& values) {
    if (values.size() != n_)
        throw JournalError("journal '" + path_.string() + "': record of " +
                           std::to_string(values.size()) + " values, expected " +
                           std::to_string(n_));
    std::vector<char> buf(record_size(n_));
    const std::uint64_t sum = record_checksum(run, values.data(), n_);
    std::memcpy(buf.data(), &kRecordMarker, 4);
    std::memcpy(buf.data() + 4, &run, 4);
    std::memcpy(buf.data() + 8, values.data(), n_ * sizeof(double));
    std::memcpy(buf.data() + 8 + n_ * sizeof(double), &sum, 8);
    // fdatasync: a record reported done survives a crash of the machine too.
    if (!write_all(fd_, buf.data(), buf.size()) || ::fdatasync(fd_) != 0)
        throw JournalError("journal '" + path_.string() +
                           "': cannot write: " + std::strerror(errno));
}

void Journal::remove() {
    if (fd_ >= 0) ::close(fd_), fd_ = -1;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

} // namespace pbsim::runner
