// Round trips through the HDF5 output file, read back with the plain HDF5 C API.
#include "runner/output/run_output.hpp"

#include "model/metrics.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <hdf5.h>
#include <hdf5_hl.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace pbsim;
using namespace pbsim::runner;

using pbsim::testing::ScratchDir;

namespace {

// Closes an HDF5 identifier on scope exit.
struct Id {
    hid_t id;
    herr_t (*closer)(hid_t);
    Id(hid_t i, herr_t (*c)(hid_t)) : id(i), closer(c) { REQUIRE(id >= 0); }
    ~Id() {
        if (id >= 0) closer(id);
    }
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    operator hid_t() const { return id; }
};

Id open_file(const fs::path& p) {
    return Id(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
}
Id open_dataset(hid_t f, const char* name) {
    return Id(H5Dopen2(f, name, H5P_DEFAULT), H5Dclose);
}

std::string type_class_string(hid_t type) {
    return H5Tget_class(type) == H5T_STRING ? "string" : "other";
}

std::string read_string_attr(hid_t obj, const char* name) {
    Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    Id ftype(H5Aget_type(attr), H5Tclose);
    REQUIRE(type_class_string(ftype) == "string");
    REQUIRE(H5Tis_variable_str(ftype) > 0);
    REQUIRE(H5Tget_cset(ftype) == H5T_CSET_UTF8);
    Id mtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mtype, H5T_VARIABLE);
    H5Tset_cset(mtype, H5T_CSET_UTF8);
    char* value = nullptr;
    REQUIRE(H5Aread(attr, mtype, &value) >= 0);
    REQUIRE(value != nullptr);
    std::string out(value);
    H5free_memory(value);
    return out;
}

template <class T>
T read_scalar_attr(hid_t obj, const char* name, hid_t mem_type, H5T_class_t cls) {
    Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    Id ftype(H5Aget_type(attr), H5Tclose);
    REQUIRE(H5Tget_class(ftype) == cls);
    REQUIRE(H5Tget_size(ftype) == sizeof(T));
    Id space(H5Aget_space(attr), H5Sclose);
    REQUIRE(H5Sget_simple_extent_type(space) == H5S_SCALAR);
    T value{};
    REQUIRE(H5Aread(attr, mem_type, &value) >= 0);
    return value;
}

std::vector<hsize_t> shape_of(hid_t ds) {
    Id space(H5Dget_space(ds), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    REQUIRE(rank >= 0);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

std::vector<double> read_doubles(hid_t f, const char* name) {
    Id ds = open_dataset(f, name);
    Id ftype(H5Dget_type(ds), H5Tclose);
    REQUIRE(H5Tget_class(ftype) == H5T_FLOAT);
    REQUIRE(H5Tget_size(ftype) == 8);
    hsize_t n = 1;
    for (auto d : shape_of(ds))
        n *= d;
    std::vector<double> v(n);
    REQUIRE(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
    return v;
}

std::vector<std::int32_t> read_ints(hid_t f, const char* name) {
    Id ds = open_dataset(f, name);
    Id ftype(H5Dget_type(ds), H5Tclose);
    REQUIRE(H5Tget_class(ftype) == H5T_INTEGER);
    REQUIRE(H5Tget_size(ftype) == 4);
    std::vector<std::int32_t> v(shape_of(ds).at(0));
    REQUIRE(H5Dread(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
    return v;
}

// A variable-length UTF-8 string dataset (every string in pbsim files is one).
std::vector<std::string> read_strings(hid_t f, const char* name) {
    Id ds = open_dataset(f, name);
    Id ftype(H5Dget_type(ds), H5Tclose);
    REQUIRE(H5Tget_class(ftype) == H5T_STRING);
    REQUIRE(H5Tis_variable_str(ftype) > 0);
    REQUIRE(H5Tget_cset(ftype) == H5T_CSET_UTF8);
    const auto count = shape_of(ds).at(0);
    Id mtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mtype, H5T_VARIABLE);
    H5Tset_cset(mtype, H5T_CSET_UTF8);
    std::vector<char*> p(count, nullptr);
    REQUIRE(H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) >= 0);
    std::vector<std::string> out;
    for (auto* c : p) {
        out.emplace_back(c ? c : "");
        H5free_memory(c);
    }
    return out;
}

bool attached(hid_t f, const char* dataset, const char* scale, unsigned idx) {
    Id ds = open_dataset(f, dataset);
    Id sc = open_dataset(f, scale);
    return H5DSis_attached(ds, sc, idx) > 0;
}

Provenance test_provenance(int replications, int months) {
    Provenance p;
    p.pbsim_version = "9.8.7";
    p.source_revision = "abc123def456-dirty";
    p.scenarios = {{"baseline \xc3\xa9t\xc3\xa9", // UTF-8 survives
                    "scenarios/baseline.toml",
                    "name = \"baseline\"\nmonths = 4\n[levers]\nx = 1.5\n"}};
    p.seed = 0xFEDCBA9876543210ULL; // above INT64_MAX: must stay unsigned
    p.replications = replications;
    p.start_month = "2001-01";
    p.months = months;
    p.scale = 0.125;
    p.created_utc = "2024-05-06T07:08:09Z";
    p.command_line = "pbsim run scenarios/baseline.toml -o out.h5";
    return p;
}

OutputLayout test_layout() {
    OutputLayout l;
    l.councils = {
        LocalAuthority{"LA001", 0.5, 1.25, 0.9, 1.2, 0, 100, 0, 7},
        LocalAuthority{"LA2", 0.3, 0.75, 1.1, 0.8, 100, 60, 7, 4},
        LocalAuthority{"LA0003", 0.2, 1.0, 1.0, 1.0, 160, 40, 11, 3},
    };
    l.month_labels = {"2001-01", "2001-02", "2001-03", "2001-04"};
    l.summary_columns = {
        SummaryValue{"uptake_share_2001-03", "fraction", "Share holding a PB", 0.0},
        SummaryValue{"cost_total", "GBP", "All costs, whole run", 0.0},
    };
    return l;
}

// A distinct, exactly representable value for every (replication, metric, month, council).
double fake_value(int r, std::size_t k, int m, int c) {
    return 100000.0 * (r + 1) + 1000.0 * static_cast<double>(k) + 10.0 * m + c + 0.25;
}

ReplicationResult fake_result(int r, int months, int councils) {
    ReplicationResult res;
    res.resize(months, councils);
    for (std::size_t k = 0; k < kMetricCount; ++k)
        for (int m = 0; m < months; ++m)
            for (int c = 0; c < councils; ++c)
                res.series(static_cast<Metric>(k))[static_cast<std::size_t>(m) * councils + c] =
                    fake_value(r, k, m, c);
    return res;
}

std::vector<SummaryValue> fake_summary(const OutputLayout& l, int r) {
    auto s = l.summary_columns;
    for (std::size_t i = 0; i < s.size(); ++i)
        s[i].value = -1.5 * (r + 1) - static_cast<double>(i);
    return s;
}

} // namespace

TEST_CASE("output file round-trips through the HDF5 C API", "[output]") {
    ScratchDir dir;
    const fs::path final_path = dir / "run.h5";
    const auto layout = test_layout();
    const auto prov = test_provenance(2, 4);
    const int M = 4, C = 3;

    fs::path temp;
    {
        H5Output out(final_path, prov, layout);
        temp = out.temporary_path();
        CHECK(temp.parent_path() == final_path.parent_path());
        CHECK(temp.filename().string() == "run.h5.partial-" + std::to_string(::getpid()));
        CHECK(fs::exists(temp));
        CHECK_FALSE(fs::exists(final_path));

        out.write_replication(1, fake_result(1, M, C), fake_summary(layout, 1));
        out.write_replication(0, fake_result(0, M, C), fake_summary(layout, 0));
        CHECK_FALSE(fs::exists(final_path));
        out.commit();
        CHECK(fs::exists(final_path));
        CHECK_FALSE(fs::exists(temp));
    }
    // The destructor after commit must leave the final file alone.
    REQUIRE(fs::exists(final_path));
    CHECK_FALSE(fs::exists(temp));

    Id f = open_file(final_path);

    SECTION("root attributes") {
        CHECK(read_string_attr(f, "pbsim_version") == prov.pbsim_version);
        CHECK(read_string_attr(f, "source_revision") == prov.source_revision);
        CHECK(read_string_attr(f, "scenario_name") == prov.scenarios[0].name);
        CHECK(read_string_attr(f, "scenario_file") == prov.scenarios[0].file);
        CHECK(read_string_attr(f, "scenario_toml") == prov.scenarios[0].toml);
        CHECK(read_string_attr(f, "start_month") == prov.start_month);
        CHECK(read_string_attr(f, "created_utc") == prov.created_utc);
        CHECK(read_string_attr(f, "command_line") == prov.command_line);
        CHECK(read_scalar_attr<std::uint64_t>(f, "seed", H5T_NATIVE_UINT64, H5T_INTEGER) ==
              prov.seed);
        {
            Id attr(H5Aopen(f, "seed", H5P_DEFAULT), H5Aclose);
            Id type(H5Aget_type(attr), H5Tclose);
            CHECK(H5Tget_sign(type) == H5T_SGN_NONE);
        }
        CHECK(read_scalar_attr<std::int32_t>(f, "replications", H5T_NATIVE_INT32, H5T_INTEGER) ==
              2);
        CHECK(read_scalar_attr<std::int32_t>(f, "months", H5T_NATIVE_INT32, H5T_INTEGER) == 4);
        CHECK(read_scalar_attr<double>(f, "scale", H5T_NATIVE_DOUBLE, H5T_FLOAT) == 0.125);
    }

    SECTION("every data group defines its own coordinates (netCDF-4: no sibling /dims)") {
        CHECK(H5Lexists(f, "/dims", H5P_DEFAULT) == 0);
        for (const char* g : {"/timeseries", "/summary"})
            CHECK(read_ints(f, (std::string(g) + "/replication").c_str()) ==
                  std::vector<std::int32_t>{0, 1});
        // The CF month axis: days since 1970-01-01 of each first day, beside YYYY-MM labels.
        CHECK(read_ints(f, "/timeseries/month") ==
              std::vector<std::int32_t>{11323, 11354, 11382, 11413});
        {
            Id month = open_dataset(f, "/timeseries/month");
            CHECK(read_string_attr(month, "units") == "days since 1970-01-01");
            CHECK(read_string_attr(month, "calendar") == "standard");
        }
        CHECK(read_strings(f, "/timeseries/month_label") == layout.month_labels);
        const std::vector<std::string> codes{"LA001", "LA2", "LA0003"};
        CHECK(read_strings(f, "/timeseries/local_authority") == codes);
        CHECK(read_strings(f, "/local_authorities/local_authority") == codes);
        for (const char* name :
             {"/timeseries/replication", "/timeseries/month", "/timeseries/local_authority",
              "/summary/replication", "/local_authorities/local_authority"}) {
            INFO(name);
            Id ds = open_dataset(f, name);
            CHECK(H5DSis_scale(ds) > 0);
            CHECK(!read_string_attr(ds, "long_name").empty());
            CHECK(!read_string_attr(ds, "description").empty());
        }
        Id label = open_dataset(f, "/timeseries/month_label");
        CHECK(H5DSis_scale(label) == 0);
        CHECK(attached(f, "/timeseries/month_label", "/timeseries/month", 0));
    }

    SECTION("netCDF / CF globals") {
        CHECK(read_string_attr(f, "Conventions") == "CF-1.8");
        CHECK(read_string_attr(f, "kind") == "run");
        CHECK(read_string_attr(f, "title") == "pbsim run");
        CHECK(read_string_attr(f, "source") == "pbsim 9.8.7 (abc123def456-dirty)");
        CHECK(read_string_attr(f, "history") == prov.created_utc + ": " + prov.command_line);
    }

    SECTION("time series values land in [replication][month][council]") {
        {
            Id group(H5Gopen2(f, "/timeseries", H5P_DEFAULT), H5Gclose);
            CHECK(!read_string_attr(group, "note").empty());
        }
        for (std::size_t k = 0; k < kMetricCount; ++k) {
            const std::string name = "/timeseries/" + std::string(kMetrics[k].name);
            INFO(name);
            Id ds = open_dataset(f, name.c_str());
            REQUIRE(shape_of(ds) == std::vector<hsize_t>{2, 4, 3});
            CHECK(!read_string_attr(ds, "units").empty());
            CHECK(!read_string_attr(ds, "long_name").empty());
            CHECK(read_string_attr(ds, "description") == kMetrics[k].description);
            const auto v = read_doubles(f, name.c_str());
            bool all_equal = true;
            for (int r = 0; r < 2; ++r)
                for (int m = 0; m < M; ++m)
                    for (int c = 0; c < C; ++c)
                        all_equal = all_equal && v[(static_cast<std::size_t>(r) * M + m) * C + c] ==
                                                     fake_value(r, k, m, c);
            CHECK(all_equal);
        }
        // Spot checks, spelled out.
        const auto pop = read_doubles(f, "/timeseries/population");
        CHECK(pop[0] == fake_value(0, 0, 0, 0));
        CHECK(pop[(1 * 4 + 2) * 3 + 1] == 200000.0 + 20.0 + 1.0 + 0.25);
        Id ds = open_dataset(f, "/timeseries/crises");
        CHECK(read_string_attr(ds, "kind") == "flow");
        CHECK(read_string_attr(ds, "units") == "1/month"); // UDUNITS: crises/month
        Id cost = open_dataset(f, "/timeseries/cost_inpatient");
        CHECK(read_string_attr(cost, "kind") == "cost");
        CHECK(read_string_attr(cost, "units") == "GBP/month");
        Id people = open_dataset(f, "/timeseries/population");
        CHECK(read_string_attr(people, "units") == "1"); // people
    }

    SECTION("datasets list in creation order: coordinates, then kMetrics or the summary columns") {
        auto names_in_order = [&](const char* group_name) {
            Id group(H5Gopen2(f, group_name, H5P_DEFAULT), H5Gclose);
            H5G_info_t info;
            REQUIRE(H5Gget_info(group, &info) >= 0);
            std::vector<std::string> names;
            for (hsize_t i = 0; i < info.nlinks; ++i) {
                char name[256] = {};
                REQUIRE(H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name,
                                           sizeof name, H5P_DEFAULT) > 0);
                names.emplace_back(name);
            }
            return names;
        };
        std::vector<std::string> metrics{"replication", "month", "month_label", "local_authority"};
        for (const auto& spec : kMetrics)
            metrics.emplace_back(spec.name);
        CHECK(names_in_order("/timeseries") == metrics);
        CHECK(names_in_order("/summary") ==
              std::vector<std::string>{"replication", "uptake_share_2001-03", "cost_total"});
    }

    SECTION("time series have the scales attached and the storage layout of the schema") {
        CHECK(attached(f, "/timeseries/population", "/timeseries/replication", 0));
        CHECK(attached(f, "/timeseries/population", "/timeseries/month", 1));
        CHECK(attached(f, "/timeseries/population", "/timeseries/local_authority", 2));
        CHECK_FALSE(attached(f, "/timeseries/population", "/timeseries/month", 0));
        CHECK(attached(f, "/timeseries/cost_inpatient", "/timeseries/local_authority", 2));
        CHECK(attached(f, "/timeseries/qalys", "/timeseries/local_authority", 2));

        Id ds = open_dataset(f, "/timeseries/population");
        Id dcpl(H5Dget_create_plist(ds), H5Pclose);
        REQUIRE(H5Pget_layout(dcpl) == H5D_CHUNKED);
        hsize_t chunk[3] = {};
        REQUIRE(H5Pget_chunk(dcpl, 3, chunk) == 3);
        CHECK(chunk[0] == 1);
        CHECK(chunk[1] == 4);
        CHECK(chunk[2] == 3);
        CHECK(H5Pget_nfilters(dcpl) == 2);
        unsigned flags = 0;
        unsigned cd[4] = {};
        std::size_t ncd = 4;
        CHECK(H5Pget_filter_by_id2(dcpl, H5Z_FILTER_SHUFFLE, &flags, &ncd, cd, 0, nullptr,
                                   nullptr) >= 0);
        ncd = 4;
        REQUIRE(H5Pget_filter_by_id2(dcpl, H5Z_FILTER_DEFLATE, &flags, &ncd, cd, 0, nullptr,
                                     nullptr) >= 0);
        CHECK(cd[0] == 4);
        double fill = 0;
        REQUIRE(H5Pget_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill) >= 0);
        CHECK(std::isnan(fill));
    }

    SECTION("summary") {
        const auto a = read_doubles(f, "/summary/uptake_share_2001-03");
        const auto b = read_doubles(f, "/summary/cost_total");
        CHECK(a == std::vector<double>{-1.5, -3.0});
        CHECK(b == std::vector<double>{-2.5, -4.0});
        Id ds = open_dataset(f, "/summary/cost_total");
        CHECK(read_string_attr(ds, "units") == "GBP");
        CHECK(read_string_attr(ds, "description") == "All costs, whole run");
        Id share = open_dataset(f, "/summary/uptake_share_2001-03");
        CHECK(read_string_attr(share, "units") == "1"); // a fraction
        CHECK(attached(f, "/summary/cost_total", "/summary/replication", 0));
        CHECK(attached(f, "/summary/uptake_share_2001-03", "/summary/replication", 0));
    }

    SECTION("local authorities") {
        CHECK(read_doubles(f, "/local_authorities/size_share") ==
              std::vector<double>{0.5, 0.3, 0.2});
        CHECK(read_doubles(f, "/local_authorities/dp_culture") ==
              std::vector<double>{1.25, 0.75, 1.0});
        CHECK(read_doubles(f, "/local_authorities/amount_multiplier") ==
              std::vector<double>{0.9, 1.1, 1.0});
        CHECK(read_doubles(f, "/local_authorities/crisis_multiplier") ==
              std::vector<double>{1.2, 0.8, 1.0});
        CHECK(read_ints(f, "/local_authorities/users") == std::vector<std::int32_t>{100, 60, 40});
        CHECK(read_ints(f, "/local_authorities/coordinators") ==
              std::vector<std::int32_t>{7, 4, 3});
        for (const char* col : {"size_share", "dp_culture", "amount_multiplier",
                                "crisis_multiplier", "users", "coordinators"}) {
            const std::string path = std::string("/local_authorities/") + col;
            INFO(path);
            CHECK(attached(f, path.c_str(), "/local_authorities/local_authority", 0));
            Id ds = open_dataset(f, path.c_str());
            CHECK(read_string_attr(ds, "units") == "1");
            CHECK(!read_string_attr(ds, "long_name").empty());
            CHECK(!read_string_attr(ds, "description").empty());
        }
    }
}

TEST_CASE("unwritten replications read back as NaN", "[output]") {
    ScratchDir dir;
    const fs::path final_path = dir / "partial.h5";
    const auto layout = test_layout();
    {
        H5Output out(final_path, test_provenance(3, 4), layout);
        out.write_replication(1, fake_result(1, 4, 3), fake_summary(layout, 1));
        out.commit();
    }
    Id f = open_file(final_path);
    const auto v = read_doubles(f, "/timeseries/holding_dp");
    REQUIRE(v.size() == 3u * 4 * 3);
    const std::size_t k = index(Metric::holding_dp);
    for (int m = 0; m < 4; ++m)
        for (int c = 0; c < 3; ++c) {
            CHECK(std::isnan(v[(0 * 4 + m) * 3 + c]));
            CHECK(v[(1 * 4 + m) * 3 + c] == fake_value(1, k, m, c));
            CHECK(std::isnan(v[(2 * 4 + m) * 3 + c]));
        }
    const auto s = read_doubles(f, "/summary/cost_total");
    REQUIRE(s.size() == 3);
    CHECK(std::isnan(s[0]));
    CHECK(s[1] == -4.0);
    CHECK(std::isnan(s[2]));
}

TEST_CASE("replications may be written from several threads", "[output]") {
    ScratchDir dir;
    const fs::path final_path = dir / "threads.h5";
    const auto layout = test_layout();
    const int R = 16;
    {
        H5Output out(final_path, test_provenance(R, 4), layout);
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int r = t; r < R; r += 4) {
                    try {
                        out.write_replication(r, fake_result(r, 4, 3), fake_summary(layout, r));
                    } catch (...) {
                        ++failures;
                    }
                }
            });
        for (auto& th : threads)
            th.join();
        REQUIRE(failures == 0);
        out.commit();
    }
    Id f = open_file(final_path);
    const auto v = read_doubles(f, "/timeseries/qalys");
    const std::size_t k = index(Metric::qalys);
    bool all_equal = true;
    for (int r = 0; r < R; ++r)
        for (int m = 0; m < 4; ++m)
            for (int c = 0; c < 3; ++c)
                all_equal = all_equal && v[(static_cast<std::size_t>(r) * 4 + m) * 3 + c] ==
                                             fake_value(r, k, m, c);
    CHECK(all_equal);
    const auto s = read_doubles(f, "/summary/uptake_share_2001-03");
    for (int r = 0; r < R; ++r)
        CHECK(s[static_cast<std::size_t>(r)] == -1.5 * (r + 1));
}

TEST_CASE("an output destroyed without commit leaves no file behind", "[output]") {
    ScratchDir dir;
    const fs::path final_path = dir / "abandoned.h5";
    const auto layout = test_layout();
    fs::path temp;
    {
        H5Output out(final_path, test_provenance(2, 4), layout);
        temp = out.temporary_path();
        out.write_replication(0, fake_result(0, 4, 3), fake_summary(layout, 0));
        REQUIRE(fs::exists(temp));
    }
    CHECK_FALSE(fs::exists(temp));
    CHECK_FALSE(fs::exists(final_path));
    CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("output errors name the file", "[output]") {
    ScratchDir dir;
    const auto layout = test_layout();

    SECTION("a missing folder two levels up is refused, naming it") {
        const fs::path bad = dir / "no-such-dir" / "deeper" / "out.h5";
        try {
            H5Output out(bad, test_provenance(2, 4), layout);
            FAIL("expected OutputError");
        } catch (const OutputError& e) {
            const std::string msg = e.what();
            CHECK(msg.find(bad.string()) != std::string::npos);
            CHECK(msg.find("No such file or directory") != std::string::npos);
            CHECK(msg.find((dir / "no-such-dir").string()) != std::string::npos);
            CHECK(msg.find('\n') == std::string::npos);
        }
        CHECK(fs::is_empty(dir.path()));
    }

    SECTION("a missing last folder (outputs/) is created") {
        const fs::path good = dir / "outputs" / "out.h5";
        {
            H5Output out(good, test_provenance(2, 4), layout);
            out.commit();
        }
        CHECK(fs::is_regular_file(good));
    }

    SECTION("parent is a regular file") {
        const fs::path file = dir / "plain";
        { std::ofstream(file) << "x"; }
        const fs::path bad = file / "out.h5";
        try {
            H5Output out(bad, test_provenance(2, 4), layout);
            FAIL("expected OutputError");
        } catch (const OutputError& e) {
            CHECK(std::string(e.what()).find(bad.string()) != std::string::npos);
        }
    }

    SECTION("a mis-sized summary row is refused and nothing is left behind") {
        const fs::path path = dir / "out.h5";
        {
            H5Output out(path, test_provenance(2, 4), layout);
            auto summary = fake_summary(layout, 0);
            summary.pop_back();
            try {
                out.write_replication(0, fake_result(0, 4, 3), summary);
                FAIL("expected OutputError");
            } catch (const OutputError& e) {
                CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
            }
            CHECK_THROWS_AS(out.write_replication(2, fake_result(0, 4, 3), fake_summary(layout, 0)),
                            OutputError);
            CHECK_THROWS_AS(out.write_replication(0, fake_result(0, 5, 3), fake_summary(layout, 0)),
                            OutputError);
        }
        CHECK(fs::is_empty(dir.path()));
    }

    SECTION("writing after commit is refused") {
        const fs::path path = dir / "out.h5";
        H5Output out(path, test_provenance(2, 4), layout);
        out.commit();
        CHECK_THROWS_AS(out.write_replication(0, fake_result(0, 4, 3), fake_summary(layout, 0)),
                        OutputError);
        CHECK_THROWS_AS(out.commit(), OutputError);
        CHECK(fs::exists(path));
    }
}
