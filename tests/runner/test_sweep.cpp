// Sweeps end to end: sweep files, the journal, `pbsim sweep` (layout, common
// random numbers, thread independence, kill -9 and resume, Ctrl-C) and
// `pbsim sensitivity`.
#include "runner/exec/journal.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/experiments/sweep.hpp"
#include "runner/input/sweep_file.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using Catch::Matchers::Contains;
using namespace pbsim::runner;
using pbsim::testing::ScratchDir;
using namespace pbsim::testing;
namespace fs = std::filesystem;

namespace {

// A small world that reaches the 2014 checkpoint: about 20 ms a run.
const std::string kBase = "name = \"tiny\"\nstart = \"2001-01\"\nend = \"2014-12\"\n"
                          "[population]\nusers = 2000\ncouncils = 8\n";

std::string sweep_text(const std::string& design, int points, int replications,
                       const std::string& parameters, const std::string& extra = "") {
    return "base = \"base.toml\"\ndesign = \"" + design + "\"\npoints = " + std::to_string(points) +
           "\nreplications = " + std::to_string(replications) + "\nseed = 3\nscale = 1\n" + extra +
           "[parameters]\n" + parameters;
}

const std::string kTwo = "\"awareness.from_coordinator\" = { min = 0.01, max = 0.08 }\n"
                         "\"coordinator.attitude_mean\" = { min = 0.2, max = 0.6 }\n";

// h5diff of two objects: 0 same, 1 different.
int h5diff(const fs::path& a, const fs::path& b, const std::string& object) {
    const std::string command = "/usr/bin/h5diff -q " + quote(a) + " " + quote(b) + " " + object +
                                " " + object + " >/dev/null 2>&1";
    const int raw = std::system(command.c_str());
    REQUIRE(WIFEXITED(raw));
    return WEXITSTATUS(raw);
}

std::vector<double> read_dataset(const fs::path& file, const std::string& path,
                                 std::vector<hsize_t>* dims = nullptr) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t ds = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
    REQUIRE(ds >= 0);
    const hid_t space = H5Dget_space(ds);
    std::vector<hsize_t> d(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, d.data(), nullptr);
    std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    REQUIRE(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(f);
    if (dims) *dims = d;
    return v;
}

void require_rejected(const std::string& sweep, const std::vector<std::string>& needles) {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    const fs::path file = dir.write("s.toml", sweep);
    try {
        load_sweep(file);
        FAIL("accepted: " << sweep);
    } catch (const ScenarioError& e) {
        INFO(e.what());
        CHECK_THAT(e.what(), Contains("s.toml"));
        for (const auto& n : needles)
            CHECK_THAT(e.what(), Contains(n));
    }
}

} // namespace

TEST_CASE("sweep file: factors in file order, lists and dates; bad input names file, key and range",
          "[sweep]") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    const fs::path file = dir.write(
        "s.toml",
        sweep_text(
            "grid", 3, 1,
            "\"policy.application_complexity\" = { min = 0.5, max = 1.5, from = \"2008-04\" }\n"
            "\"coordinator.caseload\" = [20, 30]\n"
            "[parameters.awareness]\nfrom_peer = { min = 0.0, max = 0.05 }\n"));
    const Sweep s = load_sweep(file);
    REQUIRE(s.factors.size() == 3);
    CHECK(s.factors[0].factor.key == "policy.application_complexity");
    CHECK(s.factors[1].factor.key == "coordinator.caseload");
    CHECK(s.factors[2].factor.key == "awareness.from_peer");
    CHECK(s.factors[0].from->to_string() == "2008-04");
    const auto unit = unit_design(s);
    CHECK(unit.rows == 3 * 2 * 3); // lists use their own length
    // A dated value changes the timeline from that month only.
    const auto sc = point_scenario(s, {1.5, 20, 0.05});
    CHECK(sc.at(pbsim::Month::from_ym(2008, 3)).policy.application_complexity == 1.0);
    CHECK(sc.at(pbsim::Month::from_ym(2008, 4)).policy.application_complexity == 1.5);
    CHECK(sc.at(sc.start).coordinator.caseload == 20);

    require_rejected(sweep_text("lhs", 4, 1, "\"awareness.from_peeer\" = { min = 0, max = 0.1 }\n"),
                     {"awareness.from_peeer", "did you mean 'awareness.from_peer'"});
    require_rejected(sweep_text("lhs", 4, 1, "\"awareness.from_peer\" = { min = 0, max = 1.5 }\n"),
                     {"awareness.from_peer", "1.5", "[0, 1]"});
    require_rejected(
        sweep_text("lhs", 4, 1, "\"awareness.from_peer\" = { min = 0.2, max = 0.1 }\n"),
        {"awareness.from_peer", "below max"});
    require_rejected(sweep_text("latin", 4, 1, kTwo), {"design", "\"lhs\"", "\"sobol\""});
    require_rejected(
        sweep_text("lhs", 4, 1,
                   "\"population.trust_mean\" = { min = 0.3, max = 0.6, from = \"2010-01\" }\n"),
        {"population.trust_mean", "fixed"});
    require_rejected(sweep_text("morris", 4, 1, kTwo, "levels = 3\n"), {"levels", "even"});
    require_rejected(sweep_text("sobol", 1, 1, kTwo), {"points", "[2, 1000000]"});
    require_rejected(sweep_text("lhs", 4, 0, kTwo), {"replications", "[1, 100000]"});
    require_rejected(sweep_text("grid", 4, 1, "\"coordinator.caseload\" = [20, 600]\n"),
                     {"coordinator.caseload", "600", "[1, 500]"});
    require_rejected("design = \"lhs\"\n[parameters]\n" + kTwo, {"base"});
    require_rejected(sweep_text("lhs", 4, 1, kTwo, "colour = 1\n"), {"colour", "accepted"});
    // Cross-parameter rules are checked at every design point.
    require_rejected(
        sweep_text("grid", 2, 1, "\"crisis.share_admission\" = { min = 0.3, max = 0.9 }\n"),
        {"design point", "crisis.share_admission", "narrow the ranges"});
    // --set may not fix what the sweep varies.
    dir.write("ok.toml", sweep_text("lhs", 4, 1, kTwo));
    SweepOverrides fix;
    fix.settings = {"coordinator.attitude_mean=0.5"};
    CHECK_THROWS_WITH(load_sweep(dir / "ok.toml", fix), Contains("varied by"));
}

TEST_CASE("pbsim sweep: layout, common random numbers with pbsim run, any thread count",
          "[sweep]") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    dir.write("grid.toml",
              sweep_text("grid", 1, 2, "\"awareness.from_coordinator\" = [0.01, 0.08]\n",
                         "outputs = [\"summary\", \"timeseries\"]\n"));
    REQUIRE(run_pbsim("sweep grid.toml -t 1 -q -o a.h5", dir.path()).status == 0);
    REQUIRE(run_pbsim("sweep grid.toml -t 2 -q -o b.h5", dir.path()).status == 0);
    CHECK(h5diff(dir / "a.h5", dir / "b.h5", "/summary") == 0);
    CHECK(h5diff(dir / "a.h5", dir / "b.h5", "/timeseries") == 0);
    CHECK(h5diff(dir / "a.h5", dir / "b.h5", "/design") == 0);
    CHECK_FALSE(fs::exists(dir / "a.h5.journal")); // removed once the file is complete

    std::vector<hsize_t> dims;
    const auto matrix = read_dataset(dir / "a.h5", "/design/matrix", &dims);
    CHECK(dims == std::vector<hsize_t>{2, 1});
    CHECK(matrix == std::vector<double>{0.01, 0.08});
    const auto uptake = read_dataset(dir / "a.h5", "/summary/uptake_share_2014_12", &dims);
    CHECK(dims == std::vector<hsize_t>{2, 2}); // [point, replication]
    read_dataset(dir / "a.h5", "/timeseries/new_requests", &dims);
    CHECK(dims == std::vector<hsize_t>{2, 2, 168});
    CHECK(uptake[0] != uptake[2]); // the parameter matters

    // Point 1, replication r is exactly `pbsim run` of the base with that value and seed.
    REQUIRE(
        run_pbsim("run base.toml --set awareness.from_coordinator=0.08 -r 2 --seed 3 -q -o run.h5",
                  dir)
            .status == 0);
    const auto single = read_dataset(dir / "run.h5", "/summary/uptake_share_2014_12");
    CHECK(single[0] == uptake[2]);
    CHECK(single[1] == uptake[3]);

    // Another seed changes the results; bad input exits 2 with one message.
    REQUIRE(run_pbsim("sweep grid.toml --seed 4 -q -o c.h5", dir.path()).status == 0);
    CHECK(h5diff(dir / "a.h5", dir / "c.h5", "/summary") == 1);
    auto bad = run_pbsim("sweep grid.toml --set awareness.from_peer=2 -q -o d.h5", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("awareness.from_peer"));
    bad = run_pbsim("sweep missing.toml -q", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("missing.toml"));
    bad = run_pbsim("sweep grid.toml -q -o no/such/dir/x.h5", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("no/such/dir"));
}

TEST_CASE("pbsim sweep: killed with kill -9 mid-way, --resume recomputes only what is missing and "
          "gives the same file",
          "[sweep]") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    dir.write("lhs.toml", sweep_text("lhs", 30, 2, kTwo));
    REQUIRE(run_pbsim("sweep lhs.toml -t 2 -q -o full.h5", dir.path()).status == 0);

    const fs::path out = dir / "k.h5", journal = journal_path(out);
    const pid_t pid = spawn_pbsim(
        {"sweep", (dir / "lhs.toml").string(), "-t", "1", "-q", "-o", out.string()}, dir.path());
    // Kill once a few runs are journalled (each record is a few hundred bytes).
    using namespace std::chrono_literals;
    const auto started = std::chrono::steady_clock::now();
    int status = 0;
    pid_t ended = 0;
    while (std::chrono::steady_clock::now() - started < 30s) {
        ended = ::waitpid(pid, &status, WNOHANG);
        if (ended != 0) break;
        std::error_code ec;
        if (fs::exists(journal, ec) && fs::file_size(journal, ec) > 3000) break;
        std::this_thread::sleep_for(5ms);
    }
    REQUIRE(ended == 0); // still running
    REQUIRE(::kill(pid, SIGKILL) == 0);
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK_FALSE(fs::exists(out)); // never a file that looks complete
    REQUIRE(fs::exists(journal));

    // Without --resume the journal is not silently discarded.
    auto again = run_pbsim("sweep lhs.toml -q -o k.h5", dir.path());
    CHECK(again.status == 2);
    CHECK_THAT(again.err, Contains("--resume"));

    auto resumed = run_pbsim("sweep lhs.toml -t 2 -o k.h5 --resume --log-json", dir.path());
    REQUIRE(resumed.status == 0);
    // "resuming: D of 60 runs already in ...": some but not all were kept.
    const auto at = resumed.err.find("resuming: ");
    REQUIRE(at != std::string::npos);
    const int kept = std::atoi(resumed.err.c_str() + at + 10);
    CHECK(kept > 0);
    CHECK(kept < 60);
    CHECK_THAT(resumed.err, Contains("\"event\":\"end\""));
    CHECK_THAT(resumed.err, Contains("\"status\":\"complete\""));
    CHECK_THAT(resumed.err, Contains("\"resumed\":" + std::to_string(kept)));
    CHECK(h5diff(dir / "full.h5", out, "/summary") == 0);
    CHECK(h5diff(dir / "full.h5", out, "/design") == 0);
    CHECK_FALSE(fs::exists(journal));
}

TEST_CASE("pbsim sweep: Ctrl-C stops cleanly and says how to resume", "[sweep]") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    dir.write("lhs.toml", sweep_text("lhs", 100, 1, kTwo));
    const fs::path out = dir / "i.h5", err = dir / "i.err";
    const std::string command = "cd " + quote(dir.path()) + " && (" +
                                quote(std::string(PBSIM_BINARY)) +
                                " sweep lhs.toml -t 1 -q -o i.h5 2>" + quote(err) +
                                " >/dev/null & p=$!; for i in $(seq 500); do [ -s i.h5.journal ] "
                                "&& break; sleep 0.02; done; "
                                "sleep 0.3; kill -INT $p; wait $p)";
    const int raw = std::system(command.c_str());
    REQUIRE(WIFEXITED(raw));
    INFO(read_text(err));
    CHECK(WEXITSTATUS(raw) == 130);
    CHECK_THAT(read_text(err), Contains("interrupted"));
    CHECK_THAT(read_text(err), Contains("--resume"));
    CHECK_FALSE(fs::exists(out));
    CHECK(fs::exists(journal_path(out)));
}

TEST_CASE("pbsim sensitivity: ranked Sobol and Morris tables, written into the file", "[sweep]") {
    ScratchDir dir;
    dir.write("base.toml", kBase);
    dir.write("sobol.toml", sweep_text("sobol", 4, 1, kTwo));
    dir.write("morris.toml", sweep_text("morris", 3, 1, kTwo));
    dir.write("lhs.toml", sweep_text("lhs", 3, 1, kTwo));
    REQUIRE(run_pbsim("sweep sobol.toml -q -o s.h5", dir.path()).status == 0);
    auto r = run_pbsim("sensitivity s.h5 --output uptake_2014 --bootstrap 50", dir.path());
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("Sobol indices of uptake_share_2014_12"));
    CHECK_THAT(r.out, Contains("coordinator.attitude_mean"));
    CHECK_THAT(r.out, Contains("ST [95% interval]"));
    std::vector<hsize_t> dims;
    const auto total = read_dataset(dir / "s.h5", "/sensitivity/uptake_share_2014_12/total", &dims);
    CHECK(dims == std::vector<hsize_t>{2});
    const auto low = read_dataset(dir / "s.h5", "/sensitivity/uptake_share_2014_12/total_low");
    const auto high = read_dataset(dir / "s.h5", "/sensitivity/uptake_share_2014_12/total_high");
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(std::isfinite(total[i]));
        CHECK(low[i] <= high[i]);
    }
    // Analysing again replaces the group.
    CHECK(run_pbsim("sensitivity s.h5 --output uptake_share_2014_12 -q", dir.path()).status == 0);

    REQUIRE(run_pbsim("sweep morris.toml -q -o m.h5", dir.path()).status == 0);
    r = run_pbsim("sensitivity m.h5 --output cost_total_discounted --bootstrap 20", dir.path());
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("Morris elementary effects of cost_total_discounted"));
    CHECK(read_dataset(dir / "m.h5", "/sensitivity/cost_total_discounted/mu_star").size() == 2);

    auto bad = run_pbsim("sensitivity s.h5 --output cost", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("ambiguous"));
    bad = run_pbsim("sensitivity s.h5 --output happiness", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("matches no summary column"));
    REQUIRE(run_pbsim("sweep lhs.toml -q -o l.h5", dir.path()).status == 0);
    bad = run_pbsim("sensitivity l.h5", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("'sobol'"));
    // A checkpoint outside the period: every value is missing.
    dir.write("short.toml", "start = \"2001-01\"\nend = \"2003-12\"\n[population]\nusers = 2000\n"
                            "councils = 8\n");
    dir.write("short_sobol.toml", sweep_text("sobol", 2, 1, kTwo).replace(8, 4, "short"));
    REQUIRE(run_pbsim("sweep short_sobol.toml -q -o short.h5", dir.path()).status == 0);
    bad = run_pbsim("sensitivity short.h5 --output uptake_share_2014_12", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("missing"));
    bad = run_pbsim("sensitivity nothing.h5", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Contains("nothing.h5"));
}
