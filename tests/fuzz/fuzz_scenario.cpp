// libFuzzer harness: scenario files (parse_scenario), as if at scenarios/fuzz.toml.
// A scenario that loads must give back the same scenario from its resolved TOML.
#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pbsim;
    static const std::filesystem::path file = PBSIM_SOURCE_DIR "/scenarios/fuzz-input.toml";
    fuzz::expect_parsed_or_rejected([&] {
        const auto loaded = runner::parse_scenario(fuzz::as_text(data, size), file);
        const std::string text = runner::to_toml(loaded.scenario);
        const std::string again = runner::to_toml(runner::parse_scenario(text, file).scenario);
        if (again != text) {
            std::fprintf(stderr, "to_toml does not round-trip:\n%s\n---\n%s\n", text.c_str(),
                         again.c_str());
            std::abort();
        }
    });
    return 0;
}
