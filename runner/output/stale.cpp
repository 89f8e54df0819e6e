#include "runner/output/stale.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pbsim::runner {

std::vector<std::filesystem::path>
remove_stale_temporaries(const std::filesystem::path& final_path) {
    namespace fs = std::filesystem;
    std::vector<fs::path> removed;
    const fs::path dir =
        final_path.parent_path().empty() ? fs::path(".") : final_path.parent_path();
    const std::string prefix = final_path.filename().string() + ".partial-";
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.empty() || digits.size() > 9 ||
            digits.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const auto pid = static_cast<pid_t>(std::strtol(digits.c_str(), nullptr, 10));
        if (pid == ::getpid()) continue;
        if (::kill(pid, 0) == 0 || errno != ESRCH) continue; // alive (or not ours to judge)
        // A live writer holds an flock on its temporary (output/h5.hpp): a
        // process in another PID namespace or on another host is alive too.
        // Only an HDF5 file no one holds is removed.
        const int fd = ::open(it->path().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat st {};
        char magic[8] = {};
        const bool ours =
            ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::pread(fd, magic, 8, 0) == 8 &&
            std::memcmp(magic, "\x89HDF\r\n\x1a\n", 8) == 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
        std::error_code rm;
        if (ours && fs::remove(it->path(), rm)) removed.push_back(it->path());
        ::close(fd); // releases the lock
    }
    return removed;
}

} // namespace pbsim::runner
