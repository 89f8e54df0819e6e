#include "runner/input/toml_util.hpp"

#include "runner/input/scenario_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pbsim::runner {

namespace fs = std::filesystem;

// Shortest exact text; whole numbers without an exponent (10000000, not 1e+07).
std::string format_number(double v) {
    char buf[64];
    const auto r = std::abs(v) < 1e15 && v == std::floor(v)
                       ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v))
                       : std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string range_text(const ParameterSpec& spec) {
    std::string text = "[";
    text.append(format_number(spec.min)).append(", ").append(format_number(spec.max)).append("]");
    if (spec.integer) text.append(" (whole number)");
    return text.append(", unit ").append(spec.unit);
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t cap,
                          bool transpositions) {
    a = a.substr(0, cap);
    b = b.substr(0, cap);
    // Levenshtein, or with `transpositions` the optimal string alignment
    // ("rnu" is one edit from "run").
    std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
            if (transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                row[j] = std::min(row[j], before[j - 2] + 1);
        }
        std::swap(before, prev);
        std::swap(prev, row);
    }
    return prev[b.size()];
}

std::string suggestion(std::string_view key) {
    std::string best;
    std::size_t best_d = 4; // only close matches
    for (const auto& spec : parameter_registry()) {
        // The edit distance is at least the difference in length, so a key
        // that long cannot be a near miss: a megabyte key costs nothing.
        const std::size_t n = spec.key.size();
        if ((key.size() > n ? key.size() - n : n - key.size()) >= best_d) continue;
        const std::size_t d = edit_distance(key, spec.key);
        if (d < best_d) best_d = d, best = spec.key;
    }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string shorten(std::string_view text, std::size_t keep) {
    if (text.size() <= keep + 20) {
        keep = text.size();
    } else {
        while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80)
            --keep; // do not cut a UTF-8 character
    }
    std::string out;
    for (const char ch : text.substr(0, keep)) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '\n')
            out += "\\n";
        else if (ch == '\t')
            out += "\\t";
        else if (ch == '\r')
            out += "\\r";
        else if (u < 0x20 || u == 0x7F) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", u);
            out += hex;
        } else
            out += ch;
    }
    if (keep < text.size()) out += "... (" + std::to_string(text.size()) + " characters)";
    return out;
}

namespace {

// A cheap pass over TOML text, before the parser sees it, that finds every key
// (at the start of a statement, in a [table] or [[array]] header, or after '{'
// or ',' in an inline table) and checks its parts and length. Strings and
// comments are skipped, so their contents are never taken for keys. It only
// needs to be right for text the parser would accept: anything else is
// rejected by the parser afterwards.
class KeyScan {
  public:
    KeyScan(std::string_view text, const fs::path& file) : s_(text), file_(file) {}

    void run() {
        bool expect_key = true;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '\n') {
                ++line_, ++i_;
                if (nesting_.empty()) expect_key = true;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') {
                ++i_;
                continue;
            }
            if (c == '#') {
                while (i_ < s_.size() && s_[i_] != '\n')
                    ++i_;
                continue;
            }
            if (expect_key) {
                expect_key = false;
                if (nesting_.empty() && c == '[') { // [table] or [[array of tables]]
                    ++i_;
                    if (i_ < s_.size() && s_[i_] == '[') ++i_;
                    key(true);
                    continue;
                }
                if (c == '"' || c == '\'' || bare(c)) {
                    key(false);
                    continue;
                }
            }
            switch (c) {
            case '"':
            case '\'':
                skip_string();
                continue;
            case '[':
                nesting_.push_back('[');
                break;
            case '{':
                nesting_.push_back('{'), expect_key = true;
                break;
            case ']':
            case '}':
                if (!nesting_.empty()) nesting_.pop_back();
                break;
            case ',':
                if (!nesting_.empty() && nesting_.back() == '{') expect_key = true;
                break;
            default:
                break;
            }
            ++i_;
        }
    }

  private:
    static bool bare(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    }

    void skip_blanks() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t'))
            ++i_;
    }

    // A basic, literal or multi-line string starting at s_[i_].
    void skip_string() {
        const char q = s_[i_];
        const bool basic = q == '"';
        if (s_.substr(i_, 3) == std::string(3, q)) {
            i_ += 3;
            while (i_ < s_.size()) {
                if (basic && s_[i_] == '\\') {
                    if (i_ + 1 < s_.size() && s_[i_ + 1] == '\n') ++line_;
                    i_ += 2;
                    continue;
                }
                if (s_[i_] == '\n') ++line_;
                if (s_.substr(i_, 3) == std::string(3, q)) {
                    i_ += 3;
                    // The content may end in one or two quotes: """a"""""
                    for (int k = 0; k < 2 && i_ < s_.size() && s_[i_] == q; ++k)
                        ++i_;
                    return;
                }
                ++i_;
            }
            return;
        }
        ++i_;
        while (i_ < s_.size() && s_[i_] != q && s_[i_] != '\n') {
            if (basic && s_[i_] == '\\' && i_ + 1 < s_.size() && s_[i_ + 1] != '\n') ++i_;
            ++i_;
        }
        if (i_ < s_.size() && s_[i_] == q) ++i_;
    }

    // A key at s_[i_]: parts, bare or quoted, separated by dots.
    void key(bool header) {
        skip_blanks();
        const std::size_t start = i_;
        std::size_t parts = 0, end = i_;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '"' || c == '\'')
                skip_string();
            else if (bare(c))
                while (i_ < s_.size() && bare(s_[i_]))
                    ++i_;
            else
                break;
            ++parts, end = i_;
            skip_blanks();
            if (i_ >= s_.size() || s_[i_] != '.') break;
            ++i_;
            skip_blanks();
        }
        const std::string_view text = s_.substr(start, end - start);
        const std::string shown =
            header ? "table header [" + shorten(text) + "]" : "key '" + shorten(text) + "'";
        if (parts > kMaxKeyParts)
            throw ScenarioError(file_.string() + ":" + std::to_string(line_) + ": " + shown +
                                " has " + std::to_string(parts) +
                                " dotted parts; accepted at most " + std::to_string(kMaxKeyParts));
        if (text.size() > kMaxKeyLength)
            throw ScenarioError(file_.string() + ":" + std::to_string(line_) + ": " + shown +
                                " is " + std::to_string(text.size()) +
                                " characters long; accepted at most " +
                                std::to_string(kMaxKeyLength));
    }

    std::string_view s_;
    const fs::path& file_;
    std::size_t i_ = 0, line_ = 1;
    std::vector<char> nesting_; // '[' arrays and '{' inline tables around the current value
};

std::string size_text(std::uintmax_t bytes) {
    return std::to_string(bytes >> 20) + " MiB (" + std::to_string(bytes) + " bytes)";
}

} // namespace

toml::table parse_toml(std::string_view text, const fs::path& file) {
    if (text.size() > kMaxTomlBytes)
        throw ScenarioError(file.string() + ": " + std::to_string(text.size()) +
                            " bytes of TOML; accepted at most " + size_text(kMaxTomlBytes));
    KeyScan(text, file).run();
    try {
        return toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        throw ScenarioError(file.string() + ":" + std::to_string(e.source().begin.line) +
                            ": TOML syntax error: " + shorten(e.description(), 200));
    }
}

std::optional<double> as_number(const toml::node& n) {
    if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = n.as_floating_point()) return f->get();
    return std::nullopt;
}

std::string where(const fs::path& file, const toml::node& node) {
    std::string text = file.string();
    if (const auto line = node.source().begin.line; line > 0)
        text.append(":").append(std::to_string(line));
    return text;
}

namespace {
std::string type_name(const toml::node& n) {
    switch (n.type()) {
    case toml::node_type::string:
        return "a string";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::table:
        return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
        return "a date/time";
    default:
        return "a number";
    }
}

} // namespace

// The offending value as it appeared, for messages.
std::string value_text(const toml::node& n) {
    std::string text;
    if (const auto* s = n.as_string()) {
        text.append("\"").append(shorten(s->get())).append("\" (a string)");
    } else if (const auto* b = n.as_boolean()) {
        text.append(b->get() ? "true" : "false").append(" (a boolean)");
    } else {
        text = type_name(n);
    }
    return text;
}

namespace {

// Why `st` is not an acceptable `what` of at most max_bytes, or "".
std::string file_problem(const struct stat& st, std::string_view what, std::uintmax_t max_bytes) {
    const std::string w(what);
    if (S_ISDIR(st.st_mode)) return "is a directory, not a " + w;
    if (!S_ISREG(st.st_mode)) {
        const char* kind = S_ISFIFO(st.st_mode)   ? "a FIFO (named pipe)"
                           : S_ISCHR(st.st_mode)  ? "a character device"
                           : S_ISBLK(st.st_mode)  ? "a block device"
                           : S_ISSOCK(st.st_mode) ? "a socket"
                                                  : "not a file";
        return std::string("is ") + kind + ", not a regular file; accepted a regular " + w +
               " of at most " + size_text(max_bytes);
    }
    if (static_cast<std::uintmax_t>(st.st_size) > max_bytes)
        return "is " + std::to_string(st.st_size) + " bytes; accepted a " + w + " of at most " +
               size_text(max_bytes);
    return {};
}

} // namespace

std::string read_text_file(const fs::path& file, std::string_view what, std::uintmax_t max_bytes) {
    const std::string name = file.string(), w(what);
    struct stat st {};
    // stat first: a FIFO or device is refused without being opened.
    if (::stat(name.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw ScenarioError(name + ": " + w + " not found");
        throw ScenarioError(name + ": cannot read " + w + ": " + std::strerror(errno));
    }
    if (auto problem = file_problem(st, what, max_bytes); !problem.empty())
        throw ScenarioError(name + ": " + problem);
    // O_NONBLOCK: should the path have become a FIFO since, open does not wait for a writer.
    const int fd = ::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        throw ScenarioError(name + ": cannot open " + w + " for reading: " + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::fstat(fd, &st) != 0)
        throw ScenarioError(name + ": cannot read " + w + ": " + std::strerror(errno));
    if (auto problem = file_problem(st, what, max_bytes); !problem.empty())
        throw ScenarioError(name + ": " + problem);
    // Read at most one byte past the cap, in case the file grows meanwhile.
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t have = 0;
    while (true) {
        if (have == text.size()) {
            if (text.size() > max_bytes)
                throw ScenarioError(name + ": grew beyond " + size_text(max_bytes) +
                                    " while being read; accepted a " + w + " of at most " +
                                    size_text(max_bytes));
            text.resize(std::min<std::uintmax_t>(max_bytes + 1, text.size() + 65536));
        }
        const ssize_t n = ::read(fd, text.data() + have, text.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw ScenarioError(name + ": cannot read " + w + ": " + std::strerror(errno));
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    text.resize(have);
    return text;
}

fs::path linked_file(const fs::path& file, const toml::node& node, std::string_view key,
                     std::string_view value, std::string_view what, std::uintmax_t max_bytes) {
    const std::string head = where(file, node) + ": " + std::string(key) + " = \"" +
                             shorten(value, kShownPathChars) + "\": ",
                      hint = "; give a " + std::string(what) + " relative to " +
                             file.filename().string();
    if (value.empty()) throw ScenarioError(head + "empty path" + hint);
    if (value.find('\0') != std::string_view::npos)
        throw ScenarioError(head + "the path contains a NUL character" + hint);
    const fs::path target = file.parent_path() / fs::path(value);
    const std::string name = target.string();
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw ScenarioError(head + shorten(name, kShownPathChars) + " does not exist" + hint);
        throw ScenarioError(head + "cannot read " + shorten(name, kShownPathChars) + ": " +
                            std::strerror(errno));
    }
    if (auto problem = file_problem(st, what, max_bytes); !problem.empty())
        throw ScenarioError(head + shorten(name, kShownPathChars) + " " + problem);
    return target;
}

} // namespace pbsim::runner
