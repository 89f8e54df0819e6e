#include "runner/output/h5.hpp"

#include <hdf5_hl.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace pbsim::runner {

namespace fs = std::filesystem;

namespace h5 {
void init();
}

// --- the output path -------------------------------------------------------

void check_output_path(const fs::path& final_path) {
    h5::init(); // before anything is written: write faults become errors (SIGXFSZ ignored)
    auto refuse = [&](const std::string& reason) {
        throw OutputError("cannot create output file '" + final_path.string() + "': " + reason);
    };
    if (final_path.empty()) refuse("no file name given");
    std::error_code ec;
    if (fs::is_directory(final_path, ec)) refuse(std::strerror(EISDIR));
    fs::path dir = final_path.parent_path();
    if (dir.empty()) dir = ".";
    const auto st = fs::status(dir, ec);
    if (!fs::exists(st)) {
        // Create the last folder only (outputs/ by default); a missing
        // grandparent is more likely a typo than a wish for a tree.
        fs::path up = dir.parent_path();
        if (up.empty()) up = ".";
        if (!fs::is_directory(up, ec))
            refuse(std::string(std::strerror(ENOENT)) + " (no folder '" + up.string() + "')");
        if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
            refuse("cannot create folder '" + dir.string() + "': " + std::strerror(errno));
    } else if (!fs::is_directory(st)) {
        refuse(std::string(std::strerror(ENOTDIR)) + " ('" + dir.string() + "' is not a folder)");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        refuse(std::string(std::strerror(errno)) + " (folder '" + dir.string() + "')");
}

} // namespace pbsim::runner

namespace pbsim::runner::h5 {

namespace fs = std::filesystem;

namespace {

// Before main(): the library must not install its exit-time clean-up. After a
// failed H5Fclose (a full disk) HDF5 1.10 crashes in it (H5F__close_cb from
// H5_term_library). Every file is closed explicitly, so nothing is lost.
const bool g_no_atexit = [] {
    H5dont_atexit();
    return true;
}();

} // namespace

void init() {
    static std::once_flag once;
    std::call_once(once, [] {
        (void)g_no_atexit;
        H5dont_atexit(); // a no-op if done already
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        // A file-size limit (ulimit -f) becomes a write error (EFBIG), not a kill.
        struct sigaction old {};
        if (sigaction(SIGXFSZ, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
            std::signal(SIGXFSZ, SIG_IGN);
    });
    // Per thread: HDF5 keeps one error-stack setting per thread in thread-safe builds.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

std::mutex& mutex() {
    static std::mutex m;
    return m;
}

std::string reason() {
    struct Found {
        std::string innermost, system;
    } found;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
            auto* f = static_cast<Found*>(data);
            if (err == nullptr || err->desc == nullptr) return 0;
            const std::string desc = err->desc;
            if (n == 0) f->innermost = desc;
            // The POSIX driver puts the system's message in its description.
            const auto at = desc.find("error message = '");
            if (f->system.empty() && at != std::string::npos) {
                const auto from = at + std::strlen("error message = '");
                f->system = desc.substr(from, desc.find('\'', from) - from);
            }
            return 0;
        },
        &found);
    H5Eclear2(H5E_DEFAULT);
    std::string out = !found.system.empty()      ? found.system
                      : !found.innermost.empty() ? "HDF5: " + found.innermost
                                                 : std::string("HDF5 error");
    std::replace(out.begin(), out.end(), '\n', ' ');
    std::replace(out.begin(), out.end(), '\r', ' ');
    return out;
}

bool Id::close() {
    if (id_ < 0) return true;
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    herr_t status = 0;
    switch (H5Iget_type(id)) {
    case H5I_FILE:
        status = H5Fclose(id);
        break;
    case H5I_GROUP:
        status = H5Gclose(id);
        break;
    case H5I_DATATYPE:
        status = H5Tclose(id);
        break;
    case H5I_DATASPACE:
        status = H5Sclose(id);
        break;
    case H5I_DATASET:
        status = H5Dclose(id);
        break;
    case H5I_ATTR:
        status = H5Aclose(id);
        break;
    case H5I_GENPROP_LST:
        status = H5Pclose(id);
        break;
    default:
        // Already closed (a strong file close ends every object in the file).
        return true;
    }
    return status >= 0;
}

Id string_type() {
    Id t(H5Tcopy(H5T_C_S1));
    if (!t.valid() || H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)
        throw OutputError("cannot create the HDF5 string type: " + reason());
    return t;
}

// --- the atomic file -------------------------------------------------------

namespace {

fs::path temporary_for(const fs::path& final_path) {
    fs::path t = final_path;
    t += ".partial-" + std::to_string(::getpid());
    return t;
}

Id file_access() {
    Id fapl(H5Pcreate(H5P_FILE_ACCESS));
    if (!fapl.valid() || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0)
        throw OutputError("cannot configure HDF5 file access: " + reason());
    return fapl;
}

// fsync a file or folder by path; false with errno set on failure.
bool sync_path(const fs::path& p, bool directory) {
    const int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return ok;
}

// Copies a file with read(2) and write(2), so a failure reports the system's
// own reason (ENOSPC, EFBIG); "" on success.
std::string copy_contents(const fs::path& from, const fs::path& to) {
    const int in = ::open(from.c_str(), O_RDONLY);
    if (in < 0) return std::strerror(errno);
    const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (out < 0) {
        const int e = errno;
        ::close(in);
        return std::strerror(e);
    }
    std::string problem;
    std::vector<char> buf(1 << 16);
    for (;;) {
        const ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            problem = std::strerror(errno);
            break;
        }
        if (n == 0) break;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                problem = std::strerror(errno);
                break;
            }
            done += w;
        }
        if (!problem.empty()) break;
    }
    ::close(in);
    if (::close(out) != 0 && problem.empty()) problem = std::strerror(errno);
    return problem;
}

} // namespace

AtomicFile::AtomicFile(fs::path final_path) : final_(std::move(final_path)) {
    init();
    check_output_path(final_);
    temp_ = temporary_for(final_);
    try {
        create_empty();
    } catch (...) {
        abandon(); // a constructor that throws gets no destructor
        throw;
    }
}

AtomicFile::AtomicFile(const fs::path& source, fs::path final_path)
    : final_(std::move(final_path)) {
    init();
    check_output_path(final_);
    temp_ = temporary_for(final_);
    try {
        created_ = true; // from here on the temporary is ours to remove
        if (const auto problem = copy_contents(source, temp_); !problem.empty())
            fail("cannot copy '" + source.string() + "' to '" + temp_.string() + "': " + problem);
        std::lock_guard lock(mutex());
        Id fapl = file_access();
        file_ = Id(H5Fopen(temp_.c_str(), H5F_ACC_RDWR, fapl));
        if (!file_.valid()) fail("cannot open the copy '" + temp_.string() + "': " + reason());
        lock_owner();
    } catch (...) {
        abandon();
        throw;
    }
}

void AtomicFile::create_empty() {
    std::lock_guard lock(mutex());
    Id fcpl(H5Pcreate(H5P_FILE_CREATE));
    const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    if (!fcpl.valid() || H5Pset_link_creation_order(fcpl, order) < 0 ||
        H5Pset_attr_creation_order(fcpl, order) < 0)
        fail_hdf5("cannot configure file creation");
    Id fapl = file_access();
    created_ = true; // a failed create may still leave a file behind
    const hid_t f = H5Fcreate(temp_.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
    if (f < 0)
        throw OutputError("cannot create output file '" + final_.string() + "' (as '" +
                          temp_.string() + "'): " + reason());
    file_ = Id(f);
    lock_owner();
}

void AtomicFile::lock_owner() {
    owner_lock_ = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (owner_lock_ >= 0 && ::flock(owner_lock_, LOCK_EX | LOCK_NB) != 0) unlock_owner();
}

void AtomicFile::unlock_owner() {
    if (owner_lock_ >= 0) ::close(owner_lock_);
    owner_lock_ = -1;
}

AtomicFile::~AtomicFile() {
    abandon();
}

void AtomicFile::abandon() noexcept {
    if (committed_) return;
    {
        std::lock_guard lock(mutex());
        file_.close(); // a failed close is ignored: the file is being thrown away
        H5Eclear2(H5E_DEFAULT);
    }
    if (created_) {
        std::error_code ec;
        fs::remove(temp_, ec);
        created_ = false;
    }
    unlock_owner();
}

void AtomicFile::fail(const std::string& what) const {
    throw OutputError("output file '" + final_.string() + "': " + what);
}

hid_t AtomicFile::check(hid_t id, const std::string& what) const {
    if (id < 0) fail_hdf5(what);
    return id;
}

void AtomicFile::check(herr_t status, const std::string& what) const {
    if (status < 0) fail_hdf5(what);
}

void AtomicFile::commit() {
    if (committed_) fail("already committed");
    if (!file_.valid()) fail("cannot commit: the file is already closed");
    {
        std::lock_guard lock(mutex());
        if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) {
            const std::string why = reason();
            file_.close();
            H5Eclear2(H5E_DEFAULT);
            fail("cannot write '" + temp_.string() + "': " + why);
        }
        if (!file_.close()) fail("cannot write '" + temp_.string() + "': " + reason());
    }
    if (!sync_path(temp_, false))
        fail("cannot write '" + temp_.string() + "' to disk: " + std::strerror(errno));
    std::error_code ec;
    fs::rename(temp_, final_, ec);
    if (ec) {
        committed_ = true; // complete: keep the only copy of the results
        throw OutputError("cannot rename '" + temp_.string() + "' to output file '" +
                          final_.string() + "': " + ec.message() +
                          "; the complete results are left in '" + temp_.string() + "'");
    }
    committed_ = true;
    unlock_owner();
    fs::path dir = final_.parent_path();
    sync_path(dir.empty() ? fs::path(".") : dir, true); // best effort: the rename is durable
}

void write_text_file(const fs::path& path, const std::string& text) {
    check_output_path(path);
    const fs::path temp = temporary_for(path);
    auto refuse = [&](const std::string& why) {
        std::error_code ec;
        fs::remove(temp, ec);
        throw OutputError("cannot write '" + path.string() + "': " + why);
    };
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) refuse(std::strerror(errno));
        out << text;
        out.flush();
        if (!out) refuse(std::strerror(errno != 0 ? errno : EIO));
    }
    if (!sync_path(temp, false)) refuse(std::strerror(errno));
    std::error_code ec;
    fs::rename(temp, path, ec);
    if (ec) refuse(ec.message());
}

// --- attributes --------------------------------------------------------------

namespace {

void scalar_attribute(const AtomicFile& f, hid_t obj, const std::string& name, hid_t file_type,
                      hid_t mem_type, const void* value) {
    if (H5Aexists(obj, name.c_str()) > 0)
        f.check(H5Adelete(obj, name.c_str()), "cannot replace attribute '" + name + "'");
    Id space(f.check(H5Screate(H5S_SCALAR), "cannot create dataspace"));
    Id attr(f.check(H5Acreate2(obj, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                    "cannot create attribute '" + name + "'"));
    f.check(H5Awrite(attr, mem_type, value), "cannot write attribute '" + name + "'");
    if (!attr.close()) f.fail_hdf5("cannot write attribute '" + name + "'");
}

} // namespace

void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::string_view value) {
    const Id type = string_type();
    const std::string s(value);
    const char* p = s.c_str();
    scalar_attribute(f, obj, name, type, type, &p);
}

void attribute(const AtomicFile& f, hid_t obj, const std::string& name, double value) {
    scalar_attribute(f, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::int32_t value) {
    scalar_attribute(f, obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::uint64_t value) {
    scalar_attribute(f, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void attribute(const AtomicFile& f, hid_t obj, const std::string& name, std::int64_t value) {
    scalar_attribute(f, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void write_provenance(const AtomicFile& f, const layout::File& kind, const CommonProvenance& p) {
    const hid_t root = f.root();
    attribute(f, root, "Conventions", "CF-1.8");
    attribute(f, root, "title", kind.title);
    attribute(f, root, "kind", kind.kind);
    attribute(f, root, "source", "pbsim " + p.pbsim_version + " (" + p.source_revision + ")");
    attribute(f, root, "history", p.created_utc + ": " + p.command_line);
    attribute(f, root, "pbsim_version", p.pbsim_version);
    attribute(f, root, "source_revision", p.source_revision);
    attribute(f, root, "created_utc", p.created_utc);
    attribute(f, root, "command_line", p.command_line);
}

// --- groups ----------------------------------------------------------------

Id create_group(const AtomicFile& f, hid_t parent, const std::string& name) {
    Id gcpl(f.check(H5Pcreate(H5P_GROUP_CREATE), "cannot create property list"));
    const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    f.check(H5Pset_link_creation_order(gcpl, order), "cannot configure group '" + name + "'");
    f.check(H5Pset_attr_creation_order(gcpl, order), "cannot configure group '" + name + "'");
    return Id(f.check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT),
                      "cannot create group '" + name + "'"));
}

Id create_groups(const AtomicFile& f, const std::string& path) {
    Id current(f.check(H5Oopen(f.root(), "/", H5P_DEFAULT), "cannot open the root group"));
    std::size_t from = 0;
    while (from < path.size()) {
        while (from < path.size() && path[from] == '/')
            ++from;
        if (from >= path.size()) break;
        const std::size_t to = std::min(path.find('/', from), path.size());
        const std::string name = path.substr(from, to - from);
        if (H5Lexists(current, name.c_str(), H5P_DEFAULT) > 0)
            current = Id(f.check(H5Oopen(current, name.c_str(), H5P_DEFAULT),
                                 "cannot open group '" + path.substr(0, to) + "'"));
        else
            current = create_group(f, current, name);
        from = to;
    }
    return current;
}

GroupWriter::GroupWriter(const AtomicFile& f, const layout::Group& g, std::string path)
    : file_(f), layout_(g), path_(path.empty() ? g.path : std::move(path)) {
    group_ = create_groups(f, path_);
    if (!g.note.empty()) attribute(f, group_, "note", g.note);
}

std::vector<hsize_t> GroupWriter::shape_of(const layout::Variable& v) const {
    std::vector<hsize_t> shape;
    for (const auto& d : v.dims) {
        const auto it = std::find_if(scales_.begin(), scales_.end(),
                                     [&](const Scale& s) { return s.name == d; });
        if (it == scales_.end())
            file_.fail("internal error: dimension '" + d + "' of '" + path_ + "/" + v.name +
                       "' has no coordinate written yet");
        shape.push_back(it->size);
    }
    return shape;
}

void GroupWriter::describe(hid_t ds, const layout::Variable& v) {
    if (!v.units.empty()) attribute(file_, ds, "units", v.units);
    if (v.units.starts_with("days since")) {
        attribute(file_, ds, "calendar", "standard");
        attribute(file_, ds, "standard_name", "time");
        attribute(file_, ds, "axis", "T");
    }
    attribute(file_, ds, "long_name", v.long_name);
    attribute(file_, ds, "description", v.description);
    if (!v.kind.empty()) attribute(file_, ds, "kind", v.kind);
}

Id GroupWriter::make(const layout::Variable& v, hid_t type, const std::vector<hsize_t>& shape,
                     hid_t dcpl) {
    const std::string where = path_ + "/" + v.name;
    Id space(file_.check(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr),
                         "cannot create dataspace of '" + where + "'"));
    Id ds(
        file_.check(H5Dcreate2(group_, v.name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                    "cannot create dataset '" + where + "'"));
    if (!v.coordinate())
        for (std::size_t i = 0; i < v.dims.size(); ++i) {
            const auto it = std::find_if(scales_.begin(), scales_.end(),
                                         [&](const Scale& s) { return s.name == v.dims[i]; });
            file_.check(H5DSattach_scale(ds, it->ds, static_cast<unsigned>(i)),
                        "cannot attach dimension '" + v.dims[i] + "' to '" + where + "'");
        }
    describe(ds, v);
    return ds;
}

namespace {
hid_t file_type(layout::Type t) {
    switch (t) {
    case layout::Type::f64:
        return H5T_IEEE_F64LE;
    case layout::Type::i32:
        return H5T_STD_I32LE;
    case layout::Type::u64:
        return H5T_STD_U64LE;
    case layout::Type::str:
        break;
    }
    return H5T_IEEE_F64LE;
}
} // namespace

void GroupWriter::coordinate(const std::string& name, const std::vector<std::int32_t>& values) {
    const auto& v = layout_.at(name);
    if (!v.coordinate() || v.type != layout::Type::i32)
        file_.fail("internal error: '" + name + "' is not an int32 coordinate of " + path_);
    Id ds = make(v, H5T_STD_I32LE, {values.size()});
    file_.check(H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                "cannot write '" + path_ + "/" + name + "'");
    file_.check(H5DSset_scale(ds, name.c_str()),
                "cannot make '" + path_ + "/" + name + "' a dimension");
    scales_.push_back({name, std::move(ds), values.size()});
}

void GroupWriter::coordinate(const std::string& name, const std::vector<double>& values) {
    const auto& v = layout_.at(name);
    if (!v.coordinate() || v.type != layout::Type::f64)
        file_.fail("internal error: '" + name + "' is not a float64 coordinate of " + path_);
    Id ds = make(v, H5T_IEEE_F64LE, {values.size()});
    file_.check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                "cannot write '" + path_ + "/" + name + "'");
    file_.check(H5DSset_scale(ds, name.c_str()),
                "cannot make '" + path_ + "/" + name + "' a dimension");
    scales_.push_back({name, std::move(ds), values.size()});
}

void GroupWriter::coordinate(const std::string& name, const std::vector<std::string>& values) {
    const auto& v = layout_.at(name);
    if (!v.coordinate() || v.type != layout::Type::str)
        file_.fail("internal error: '" + name + "' is not a string coordinate of " + path_);
    const Id type = string_type();
    Id ds = make(v, type, {values.size()});
    std::vector<const char*> p;
    for (const auto& s : values)
        p.push_back(s.c_str());
    if (!values.empty())
        file_.check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()),
                    "cannot write '" + path_ + "/" + name + "'");
    file_.check(H5DSset_scale(ds, name.c_str()),
                "cannot make '" + path_ + "/" + name + "' a dimension");
    scales_.push_back({name, std::move(ds), values.size()});
}

void GroupWriter::index(const std::string& name, std::size_t n) {
    std::vector<std::int32_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::int32_t>(i);
    coordinate(name, v);
}

void GroupWriter::months(const std::vector<std::string>& labels) {
    std::vector<std::int32_t> days;
    for (const auto& l : labels)
        days.push_back(layout::days_since_epoch(l));
    coordinate("month", days);
    write("month_label", labels);
}

void GroupWriter::write(const std::string& name, const std::vector<double>& values) {
    const auto& v = layout_.at(name);
    if (v.type != layout::Type::f64) file_.fail("internal error: '" + name + "' is not float64");
    const auto shape = shape_of(v);
    hsize_t n = 1;
    for (auto d : shape)
        n *= d;
    if (n != values.size())
        file_.fail("internal error: '" + path_ + "/" + name + "' has " +
                   std::to_string(values.size()) + " values for " + std::to_string(n) + " cells");
    Id ds = make(v, H5T_IEEE_F64LE, shape);
    if (n > 0)
        file_.check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                    "cannot write '" + path_ + "/" + name + "'");
}

void GroupWriter::write(const std::string& name, const std::vector<std::int32_t>& values) {
    const auto& v = layout_.at(name);
    if (v.type != layout::Type::i32) file_.fail("internal error: '" + name + "' is not int32");
    const auto shape = shape_of(v);
    if (shape.size() != 1 || shape[0] != values.size())
        file_.fail("internal error: '" + path_ + "/" + name + "' has the wrong length");
    Id ds = make(v, H5T_STD_I32LE, shape);
    if (!values.empty())
        file_.check(H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                    "cannot write '" + path_ + "/" + name + "'");
}

void GroupWriter::write(const std::string& name, const std::vector<std::string>& values) {
    const auto& v = layout_.at(name);
    if (v.type != layout::Type::str) file_.fail("internal error: '" + name + "' is not a string");
    const auto shape = shape_of(v);
    if (shape.size() != 1 || shape[0] != values.size())
        file_.fail("internal error: '" + path_ + "/" + name + "' has the wrong length");
    const Id type = string_type();
    Id ds = make(v, type, shape);
    std::vector<const char*> p;
    for (const auto& s : values)
        p.push_back(s.c_str());
    if (!values.empty())
        file_.check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()),
                    "cannot write '" + path_ + "/" + name + "'");
}

Id GroupWriter::create(const std::string& name, bool chunked) {
    const auto& v = layout_.at(name);
    const auto shape = shape_of(v);
    Id dcpl(file_.check(H5Pcreate(H5P_DATASET_CREATE), "cannot create property list"));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    file_.check(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan), "cannot set fill value");
    file_.check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC), "cannot set fill time");
    if (chunked && !shape.empty()) {
        std::vector<hsize_t> chunk = shape;
        chunk[0] = 1;
        for (auto& c : chunk)
            c = std::max<hsize_t>(c, 1);
        file_.check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()),
                    "cannot set chunks");
        file_.check(H5Pset_shuffle(dcpl), "cannot set shuffle");
        file_.check(H5Pset_deflate(dcpl, 4), "cannot set deflate");
    }
    return make(v, file_type(v.type), shape, dcpl);
}

// --- reading ---------------------------------------------------------------

Id open_readonly(const fs::path& path) {
    init();
    const std::string name = path.string();
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (!fs::exists(st)) throw InputError(name + ": no such file");
    if (fs::is_directory(st)) throw InputError(name + ": is a folder, not a pbsim output file");
    if (!fs::is_regular_file(st)) throw InputError(name + ": not a regular file");
    if (fs::file_size(path, ec) == 0)
        throw InputError(name + ": is empty (0 bytes), not an HDF5 file");
    if (::access(path.c_str(), R_OK) != 0)
        throw InputError(name + ": cannot read: " + std::strerror(errno));
    std::lock_guard lock(mutex());
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw InputError(name + ": not an HDF5 file");
    }
    Id f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f.valid()) throw InputError(name + ": cannot open as HDF5: " + reason());
    return f;
}

bool exists(hid_t loc, const std::string& path) {
    // Each component must exist for H5Lexists on the next.
    std::size_t from = path.starts_with("/") ? 1 : 0;
    while (from <= path.size()) {
        const std::size_t to = std::min(path.find('/', from), path.size());
        const std::string prefix = path.substr(0, to);
        if (!prefix.empty() && prefix != "/" && H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
        from = to + 1;
    }
    return true;
}

bool is_dataset(hid_t loc, const std::string& path) {
    if (!exists(loc, path)) return false;
    H5O_info_t info;
    if (H5Oget_info_by_name(loc, path.c_str(), &info, H5P_DEFAULT) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    return info.type == H5O_TYPE_DATASET;
}

std::string read_string_attr(hid_t obj, const std::string& name) {
    if (H5Aexists(obj, name.c_str()) <= 0) return {};
    Id attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    Id type(H5Aget_type(attr));
    if (!type.valid() || H5Tget_class(type) != H5T_STRING) return {};
    if (H5Tis_variable_str(type) > 0) {
        Id mem = string_type();
        char* value = nullptr;
        if (H5Aread(attr, mem, &value) < 0) return {};
        std::string out = value ? value : "";
        H5free_memory(value);
        return out;
    }
    std::string out(H5Tget_size(type), '\0');
    if (H5Aread(attr, type, out.data()) < 0) return {};
    return out.substr(0, out.find('\0'));
}

std::optional<double> read_number_attr(hid_t obj, const std::string& name) {
    if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
    Id attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    Id type(H5Aget_type(attr));
    const auto cls = H5Tget_class(type);
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) return std::nullopt;
    double v = 0;
    if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> read_uint64_attr(hid_t obj, const std::string& name) {
    if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
    Id attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    Id type(H5Aget_type(attr));
    if (H5Tget_class(type) != H5T_INTEGER) return std::nullopt;
    std::uint64_t v = 0;
    if (H5Aread(attr, H5T_NATIVE_UINT64, &v) < 0) return std::nullopt;
    return v;
}

std::vector<std::string> members(hid_t loc, const std::string& group) {
    std::vector<std::string> names;
    if (!exists(loc, group)) return names;
    Id g(H5Gopen2(loc, group.c_str(), H5P_DEFAULT));
    if (!g.valid()) {
        H5Eclear2(H5E_DEFAULT);
        return names;
    }
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) return names;
    for (hsize_t k = 0; k < info.nlinks; ++k) {
        H5_index_t index = H5_INDEX_CRT_ORDER;
        ssize_t n = H5Lget_name_by_idx(g, ".", index, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT);
        if (n < 0) {
            H5Eclear2(H5E_DEFAULT);
            index = H5_INDEX_NAME;
            n = H5Lget_name_by_idx(g, ".", index, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT);
        }
        if (n < 0) continue;
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        H5Lget_name_by_idx(g, ".", index, H5_ITER_INC, k, name.data(), name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(n));
        names.push_back(name);
    }
    return names;
}

std::vector<double> read_doubles(hid_t loc, const std::string& path, std::vector<hsize_t>& shape) {
    if (!is_dataset(loc, path)) throw InputError("no dataset '" + path + "'");
    Id ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT));
    Id type(H5Dget_type(ds));
    const auto cls = H5Tget_class(type);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        throw InputError("dataset '" + path + "' is not numeric");
    Id space(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(space);
    shape.assign(static_cast<std::size_t>(std::max(rank, 0)), 0);
    H5Sget_simple_extent_dims(space, shape.data(), nullptr);
    std::vector<double> v(
        static_cast<std::size_t>(std::max<hssize_t>(H5Sget_simple_extent_npoints(space), 0)));
    if (!v.empty() && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
        throw InputError("cannot read dataset '" + path + "': " + reason());
    return v;
}

std::vector<std::string> read_strings(hid_t loc, const std::string& path) {
    if (!is_dataset(loc, path)) throw InputError("no dataset '" + path + "'");
    Id ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT));
    Id type(H5Dget_type(ds));
    if (H5Tget_class(type) != H5T_STRING) throw InputError("dataset '" + path + "' is not text");
    Id space(H5Dget_space(ds));
    if (H5Sget_simple_extent_ndims(space) != 1)
        throw InputError("dataset '" + path + "' is not 1-D");
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<std::string> out;
    if (H5Tis_variable_str(type) > 0) {
        Id mem = string_type();
        std::vector<char*> p(n, nullptr);
        if (n > 0 && H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) < 0)
            throw InputError("cannot read dataset '" + path + "': " + reason());
        for (auto* s : p)
            out.emplace_back(s ? s : "");
        if (n > 0) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, p.data());
        return out;
    }
    const std::size_t size = H5Tget_size(type);
    std::string buf(n * size, '\0');
    if (n > 0 && H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
        throw InputError("cannot read dataset '" + path + "': " + reason());
    for (std::size_t i = 0; i < n; ++i) {
        std::string s = buf.substr(i * size, size);
        out.push_back(s.substr(0, s.find('\0')));
    }
    return out;
}

} // namespace pbsim::runner::h5
