#include "runner/exec/clock.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace pbsim::runner {

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string duration_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--";
    char buf[32];
    const long s = std::lround(seconds);
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

} // namespace pbsim::runner
