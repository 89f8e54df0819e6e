// The shared option helpers (runner/cli/options.hpp): every command accepts
// exactly the documented range of --seed, --scale, --threads and
// --replications, and rejects anything else with one message naming the flag
// and the range, exit status 2, before running anything.
#include "runner/cli/options.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>

#include <filesystem>
#include <string>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;
using namespace pbsim::testing;
namespace cli = pbsim::runner::cli;

namespace {

const std::string kTiny = "start = \"2001-01\"\nend = \"2001-06\"\n"
                          "[population]\nusers = 500\ncouncils = 3\n";

std::uint64_t seed_attribute(const fs::path& file) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
    REQUIRE(a >= 0);
    std::uint64_t seed = 0;
    CHECK(H5Aread(a, H5T_NATIVE_UINT64, &seed) >= 0);
    H5Aclose(a);
    H5Fclose(f);
    return seed;
}

// Parses `args` with a command that has the helper options; returns the
// error message, "" if accepted.
std::string parse(const std::string& args) {
    CLI::App app{"test", "pbsim"};
    std::uint64_t seed = 1;
    double scale = 1;
    int threads = 0, replications = 10;
    cli::add_seed(app, seed);
    cli::add_scale(app, scale, "scale");
    cli::add_threads(app, threads);
    cli::add_replications(app, replications, "replications");
    try {
        app.parse(args, false);
    } catch (const CLI::ParseError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("cli options: --seed takes 0 to 2^64-1 and nothing is clamped", "[cli]") {
    CHECK(parse("--seed 0") == "");
    CHECK(parse("--seed 18446744073709551615") == "");
    for (const char* bad :
         {"99999999999999999999999", "18446744073709551616", "-1", "1.5", "1e3", "0x10", "seven"}) {
        INFO(bad);
        const std::string e = parse(std::string("--seed ") + bad);
        CHECK_THAT(e, StartsWith("--seed: accepted 0 to 18446744073709551615, got '"));
    }
}

TEST_CASE("cli options: --scale is a finite number above 0 and at most 10", "[cli]") {
    CHECK(parse("--scale 10") == "");
    CHECK(parse("--scale 1e-6") == "");
    CHECK(parse("--scale 0.25") == "");
    for (const char* bad : {"nan", "inf", "-inf", "0", "-1", "10.000001", "1e400", "0.1x"}) {
        INFO(bad);
        CHECK_THAT(parse(std::string("--scale ") + bad),
                   StartsWith("--scale: accepted a finite number in (0, 10], got '"));
    }
}

TEST_CASE("cli options: --threads and --replications are whole numbers in range", "[cli]") {
    CHECK(parse("--threads 0 --replications 1") == "");
    CHECK(parse("-t 4096 -r 100000") == "");
    CHECK_THAT(parse("--threads 4097"), Contains("--threads: accepted 0 to 4096, got '4097'"));
    CHECK_THAT(parse("--threads -1"), Contains("--threads: accepted 0 to 4096"));
    CHECK_THAT(parse("--threads 2.5"), Contains("--threads: accepted 0 to 4096"));
    CHECK_THAT(parse("-r 0"), Contains("--replications: accepted 1 to 100000, got '0'"));
    CHECK_THAT(parse("-r 100001"), Contains("--replications: accepted 1 to 100000"));
}

TEST_CASE("cli options: a long bad value is shown shortened", "[cli]") {
    const std::string huge(100000, '7');
    const std::string e = parse("--seed " + huge);
    CHECK_THAT(e, StartsWith("--seed: accepted 0 to 18446744073709551615"));
    CHECK(e.size() < 200);
    CHECK_THAT(e, Contains("(100000 characters)"));
}

TEST_CASE("cli options: every command rejects a bad --seed or --scale with exit 2", "[cli]") {
    ScratchDir dir;
    const fs::path tiny = dir.write("tiny.toml", kTiny);
    const std::string file = quote(tiny);
    // Each command's own file argument does not have to exist: options are
    // checked first.
    for (const std::string& command : std::vector<std::string>{
             "run " + file, "sweep sweep.toml", "trial trial.toml", "calibrate cal.toml"}) {
        for (const std::string bad : {"--seed 99999999999999999999999", "--seed -1", "--scale nan",
                                      "--scale inf", "--scale 0"}) {
            const auto r = run_pbsim(command + " " + bad, dir.path());
            INFO(command << " " << bad);
            CHECK(r.status == 2);
            CHECK_THAT(r.err, Contains(bad.substr(0, bad.find(' ')) + ": accepted"));
            CHECK_THAT(r.err, !Contains("At Most"));
        }
    }
    CHECK(run_pbsim("bench " + file + " --scale inf", dir.path()).status == 2);
}

TEST_CASE("cli options: the largest seed runs and is recorded exactly", "[cli]") {
    ScratchDir dir;
    const fs::path tiny = dir.write("tiny.toml", kTiny);
    const fs::path out = dir / "x.h5";
    const auto r = run_pbsim("run " + quote(tiny) +
                                 " -r 1 --quiet --seed 18446744073709551615 -o " + quote(out),
                             dir.path());
    REQUIRE(r.status == 0);
    CHECK(seed_attribute(out) == 18446744073709551615ULL);
}

TEST_CASE("cli options: bounded edit distance and the closest candidate", "[cli]") {
    CHECK(cli::bounded_edit_distance("--replication", "--replications") == 1);
    CHECK(cli::bounded_edit_distance("rnu", "run") == 1); // a transposition is one edit
    CHECK(cli::bounded_edit_distance("", "abc") == 3);
    CHECK(cli::bounded_edit_distance("kitten", "sitting") == 3);
    // Only the first `cap` characters count: a megabyte costs no more than 64.
    const std::string huge(1 << 20, 'x');
    CHECK(cli::bounded_edit_distance(huge, "--seed") == 64);
    CHECK(cli::bounded_edit_distance(huge, huge + "y") == 0);

    const std::vector<std::string> flags{"--replications", "--seed", "--scale", "--threads"};
    CHECK(cli::closest("--replication", flags) == "--replications");
    CHECK(cli::closest("--thread", flags) == "--threads");
    CHECK(cli::closest("--bogus", flags) == "");
    CHECK(cli::closest(huge, flags) == "");
    CHECK(cli::closest("sweeep", {"run", "sweep", "trial"}) == "sweep");
    CHECK(cli::closest("rnu", {"run", "sweep", "trial"}) == "run");
    CHECK(cli::closest("xyz", {"run", "sweep", "trial"}) == "");
}
