#include "runner/output/trial_output.hpp"

#include <hdf5.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>

namespace pbsim::runner {

namespace fs = std::filesystem;

struct TrialOutput::Impl {
    fs::path final_path, temp_path;
    hid_t file = H5I_INVALID_HID;
    hid_t str_type = H5I_INVALID_HID;
    std::map<std::string, hid_t> groups;
    bool committed = false;

    ~Impl() {
        close();
        if (!committed) {
            std::error_code ec;
            fs::remove(temp_path, ec);
        }
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw OutputError("output file '" + final_path.string() + "': " + what);
    }

    bool close() {
        bool ok = true;
        for (auto& [name, g] : groups) ok = H5Gclose(g) >= 0 && ok;
        groups.clear();
        if (str_type >= 0) ok = H5Tclose(str_type) >= 0 && ok;
        str_type = H5I_INVALID_HID;
        if (file >= 0) ok = H5Fclose(file) >= 0 && ok;
        file = H5I_INVALID_HID;
        return ok;
    }

    void attr(hid_t obj, const char* name, const std::string& value) {
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(obj, name, str_type, space, H5P_DEFAULT, H5P_DEFAULT);
        const char* p = value.c_str();
        const bool ok = a >= 0 && H5Awrite(a, str_type, &p) >= 0;
        if (a >= 0) H5Aclose(a);
        H5Sclose(space);
        if (!ok) fail(std::string("cannot write attribute '") + name + "'");
    }

    void attr(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, const void* v) {
        const hid_t space = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
        const bool ok = a >= 0 && H5Awrite(a, mem_type, v) >= 0;
        if (a >= 0) H5Aclose(a);
        H5Sclose(space);
        if (!ok) fail(std::string("cannot write attribute '") + name + "'");
    }

    hid_t group(const std::string& name) {
        if (auto it = groups.find(name); it != groups.end()) return it->second;
        const hid_t g = H5Gcreate2(file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) fail("cannot create group '/" + name + "'");
        groups[name] = g;
        return g;
    }

    void create(const TrialProvenance& p) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        fs::path dir = final_path.parent_path();
        if (dir.empty()) dir = ".";
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            throw OutputError("cannot create output file '" + final_path.string() +
                              "': " + std::strerror(ENOENT) + " (no directory '" + dir.string() + "')");
        if (::access(dir.c_str(), W_OK | X_OK) != 0)
            throw OutputError("cannot create output file '" + final_path.string() +
                              "': " + std::strerror(errno));
        if (fs::is_directory(final_path, ec))
            throw OutputError("cannot create output file '" + final_path.string() +
                              "': " + std::strerror(EISDIR));
        file = H5Fcreate(temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (file < 0)
            throw OutputError("cannot create output file '" + final_path.string() + "' (as '" +
                              temp_path.string() + "')");
        str_type = H5Tcopy(H5T_C_S1);
        H5Tset_size(str_type, H5T_VARIABLE);
        H5Tset_cset(str_type, H5T_CSET_UTF8);
        attr(file, "pbsim_version", p.pbsim_version);
        attr(file, "source_revision", p.source_revision);
        attr(file, "kind", "virtual cluster randomised trial (pbsim trial)");
        attr(file, "trial_file", p.trial_file);
        attr(file, "trial_text", p.trial_text);
        attr(file, "trial_resolved", p.trial_resolved);
        attr(file, "scenario_toml", p.scenario_toml);
        attr(file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &p.seed);
        const std::int32_t trials = p.trials;
        attr(file, "trials", H5T_STD_I32LE, H5T_NATIVE_INT32, &trials);
        attr(file, "scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &p.scale);
        attr(file, "created_utc", p.created_utc);
        attr(file, "command_line", p.command_line);
        attr(group("designs"), "note",
             "One value per design (clusters per arm x participants per cluster), in the order of "
             "the printed table.");
        attr(group("trials"), "layout", "[design, simulated trial]");
    }

    void write(const std::string& g, const std::string& name, const std::vector<double>& values,
               const std::vector<std::size_t>& dims, const std::string& units,
               const std::string& description) {
        std::vector<hsize_t> d(dims.begin(), dims.end());
        std::size_t n = 1;
        for (auto x : dims) n *= x;
        if (n != values.size()) fail("dataset '/" + g + "/" + name + "' has the wrong size");
        const hid_t space = H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr);
        const hid_t ds = H5Dcreate2(group(g), name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT,
                                    H5P_DEFAULT, H5P_DEFAULT);
        const bool ok =
            ds >= 0 && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0;
        if (ds >= 0) {
            attr(ds, "units", units);
            attr(ds, "description", description);
            H5Dclose(ds);
        }
        H5Sclose(space);
        if (!ok) fail("cannot write dataset '/" + g + "/" + name + "'");
    }

    void commit() {
        if (committed) fail("already committed");
        if (file < 0 || H5Fflush(file, H5F_SCOPE_GLOBAL) < 0 || !close())
            fail("cannot write '" + temp_path.string() + "'");
        std::error_code ec;
        fs::rename(temp_path, final_path, ec);
        committed = true; // complete: never remove the only copy
        if (ec)
            throw OutputError("cannot rename '" + temp_path.string() + "' to output file '" +
                              final_path.string() + "': " + ec.message());
    }
};

TrialOutput::TrialOutput(fs::path final_path, const TrialProvenance& provenance)
    : impl_(std::make_unique<Impl>()) {
    impl_->final_path = std::move(final_path);
    impl_->temp_path = impl_->final_path;
    impl_->temp_path += ".partial-" + std::to_string(::getpid());
    impl_->create(provenance);
}

TrialOutput::~TrialOutput() = default;

void TrialOutput::write(const std::string& group, const std::string& name,
                        const std::vector<double>& values, const std::vector<std::size_t>& dims,
                        const std::string& units, const std::string& description) {
    impl_->write(group, name, values, dims, units, description);
}

void TrialOutput::commit() { impl_->commit(); }

} // namespace pbsim::runner
