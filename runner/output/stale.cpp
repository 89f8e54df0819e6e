#include "runner/output/stale.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace pbsim::runner {

std::vector<std::filesystem::path> remove_stale_temporaries(const std::filesystem::path& final_path) {
    namespace fs = std::filesystem;
    std::vector<fs::path> removed;
    const fs::path dir = final_path.parent_path().empty() ? fs::path(".") : final_path.parent_path();
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
        std::error_code rm;
        if (it->is_regular_file(rm) && fs::remove(it->path(), rm)) removed.push_back(it->path());
    }
    return removed;
}

} // namespace pbsim::runner
