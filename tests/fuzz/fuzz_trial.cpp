// libFuzzer harness: trial files (parse_trial), as if at scenarios/trials/fuzz.toml.
#include "fuzz_support.hpp"
#include "runner/input/trial_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pbsim;
    static const std::filesystem::path file = PBSIM_SOURCE_DIR "/scenarios/trials/fuzz-input.toml";
    fuzz::expect_parsed_or_rejected([&] {
        const auto t = runner::parse_trial(fuzz::as_text(data, size), file);
        (void)runner::to_toml(t);
    });
    return 0;
}
