// libFuzzer harness: sweep files (parse_sweep), as if at scenarios/sweeps/fuzz.toml.
//
// Every design point of a sweep is checked as a scenario, so a file asking for
// a million points is slow to validate by nature, not by fault (and the run it
// asks for is a million simulations). The harness therefore lets the file's
// own `points` be read and range-checked, then caps the design at 4 points
// through the command-line override, so the fuzzer spends its time on parsing.
#include "fuzz_support.hpp"
#include "runner/input/sweep_file.hpp"
#include "runner/input/toml_util.hpp"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pbsim;
    static const std::filesystem::path file = PBSIM_SOURCE_DIR "/scenarios/sweeps/fuzz-input.toml";
    const std::string text(fuzz::as_text(data, size));
    runner::SweepOverrides overrides;
    try {
        const toml::table doc = runner::parse_toml(text, file);
        if (const auto points = doc["points"].value<std::int64_t>(); points && *points > 4)
            overrides.points = 4;
    } catch (const runner::ScenarioError&) {
        // parse_sweep reports it
    }
    fuzz::expect_parsed_or_rejected([&] { runner::parse_sweep(text, file, overrides); });
    return 0;
}
