// Shared by the libFuzzer harnesses of the input parsers (docs/reliability.md).
// Each input is parsed as if it were a file in the repository's scenarios/
// tree, so the links of the seed files (extends = "baseline.toml",
// base = "../baseline.toml") resolve to the real scenario files. A
// ScenarioError is an expected outcome; its message must still be one line of
// reasonable length. Anything else (a crash, a sanitizer report, another
// exception, a hang, running out of memory) is a finding.
#pragma once

#include "runner/input/scenario_file.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace pbsim::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Runs parse(text); a ScenarioError must carry a one-line message.
template <class Parse> void expect_parsed_or_rejected(Parse&& parse) {
    try {
        parse();
    } catch (const runner::ScenarioError& e) {
        const std::string_view what = e.what();
        if (what.empty() || what.find('\n') != std::string_view::npos || what.size() > 8000) {
            std::fprintf(stderr, "bad ScenarioError message (%zu characters): %.*s\n", what.size(),
                         static_cast<int>(what.size() > 2000 ? 2000 : what.size()), what.data());
            std::abort();
        }
    }
}

} // namespace pbsim::fuzz
