#include "runner/exec/estimate.hpp"

#include "runner/exec/clock.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace pbsim::runner {

namespace {

constexpr double kProcessBytes = 60e6;             // measured: 55 MB at scale 0.01
constexpr double kBytesPerUser = 150;              // measured: 142 bytes per simulated user
constexpr double kAgentMonthsPerCoreSecond = 15e6; // measured 17-22 M on the shared machine

} // namespace

std::string bytes_text(double b) {
    char buf[32];
    if (b >= 1e9)
        std::snprintf(buf, sizeof buf, "%.1f GB", b / 1e9);
    else if (b >= 1e6)
        std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
    else
        std::snprintf(buf, sizeof buf, "%.0f kB", std::max(1.0, b / 1e3));
    return buf;
}

JobSize estimate(const JobShape& s) {
    JobSize z;
    // No more threads work at once than there are runs.
    z.threads = static_cast<int>(
        std::clamp<std::size_t>(s.runs, 1, static_cast<std::size_t>(std::max(1, s.threads))));
    const double record = 8.0 * static_cast<double>(s.record_values);
    const double runs = static_cast<double>(s.runs);
    // Each thread holds its worlds, its result and a copy as a record; the
    // executor's queue holds up to two records a thread for the writer, which
    // holds a few more (the record in hand, HDF5's chunk caches). Measured: a
    // run at scale 0.002 with 64 replications peaks at 290-310 MB on 2 threads.
    z.memory_bytes =
        kProcessBytes + s.fixed_bytes +
        z.threads * (static_cast<double>(s.users) * kBytesPerUser * s.worlds_per_run + 4 * record) +
        10 * record + runs * 8.0 * static_cast<double>(s.kept_values);
    z.disk_bytes = runs * (record + s.output_bytes_per_run);
    z.core_seconds = runs * s.agent_months / kAgentMonthsPerCoreSecond;
    return z;
}

std::string JobSize::text() const {
    return "about " + bytes_text(memory_bytes) + " of memory, " + bytes_text(disk_bytes) +
           " of disk, " + duration_text(core_seconds / threads) + " on " + std::to_string(threads) +
           (threads == 1 ? " core" : " cores");
}

double free_disk_bytes(const std::filesystem::path& dir) {
    struct statvfs st {};
    if (::statvfs(dir.empty() ? "." : dir.c_str(), &st) != 0) return -1;
    return static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
}

double available_memory_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    double kb = -1;
    while (in >> key) {
        if (key == "MemAvailable:") {
            in >> kb;
            return kb * 1024;
        }
        in.ignore(1 << 10, '\n');
    }
    return -1;
}

void check_fits(const JobSize& size, const std::filesystem::path& out) {
    const std::filesystem::path dir = out.parent_path().empty() ? "." : out.parent_path();
    const double disk = free_disk_bytes(dir), memory = available_memory_bytes();
    if (disk >= 0 && size.disk_bytes * 1.1 > disk)
        throw JobTooLarge("the job needs " + size.text() + ", but only " + bytes_text(disk) +
                          " of disk is free in " + dir.string() +
                          "; run fewer replications or a smaller --scale, write elsewhere with "
                          "--out, or pass --force to start anyway");
    if (memory >= 0 && size.memory_bytes * 1.1 > memory)
        throw JobTooLarge("the job needs " + size.text() + ", but only " + bytes_text(memory) +
                          " of memory is available; use fewer --threads, a smaller --scale or "
                          "fewer runs, or pass --force to start anyway");
}

} // namespace pbsim::runner
