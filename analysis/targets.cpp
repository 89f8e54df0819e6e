#include "analysis/targets.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace pbsim::analysis {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

// Splits CSV text into records of fields, honouring double quotes.
std::vector<std::vector<std::string>> records(std::string_view text) {
    std::vector<std::vector<std::string>> out(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        auto& field = out.back().back();
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += '"', ++i;
            else if (ch == '"')
                quoted = false;
            else
                field += ch;
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            out.back().emplace_back();
        } else if (ch == '\n') {
            out.emplace_back(1);
        } else if (ch != '\r') {
            field += ch;
        }
    }
    while (!out.empty() && out.back().size() == 1 && trim(out.back()[0]).empty())
        out.pop_back();
    return out;
}

bool parse_number(std::string_view s, double& out) {
    const std::string t = trim(s);
    if (t.empty()) return false;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && end == t.data() + t.size() && std::isfinite(out);
}

// The accepted interval from the tolerance text; false if it is not one of the
// accepted forms (the text may go on after the form, e.g. "25 to 200 (sources differ)").
bool parse_tolerance(const std::string& text, double value, double& low, double& high) {
    std::string t = trim(text);
    if (const auto paren = t.find('('); paren != std::string::npos) t = trim(t.substr(0, paren));
    if (t.starts_with("+-") || t.starts_with("\u00b1")) {
        std::string rest = t.substr(2); // "+-" and UTF-8 "\u00b1" are both two bytes
        const bool percent = !rest.empty() && rest.back() == '%';
        if (percent) rest.pop_back();
        double x;
        if (!parse_number(rest, x) || x < 0) return false;
        const double half = percent ? std::abs(value) * x / 100.0 : x;
        low = value - half, high = value + half;
        return half > 0;
    }
    if (const auto to = t.find(" to "); to != std::string::npos) {
        return parse_number(t.substr(0, to), low) && parse_number(t.substr(to + 4), high) &&
               low < high && low <= value && value <= high;
    }
    return false;
}

} // namespace

std::vector<Target> parse_targets(std::string_view csv, std::string_view origin) {
    const auto rows = records(csv);
    const std::string where(origin);
    const std::vector<std::string> expected{"target",    "period", "value", "unit",
                                            "tolerance", "kind",   "source"};
    if (rows.empty())
        throw TargetError(where + ": empty; expected a header " +
                          "target,period,value,unit,tolerance,kind,source");
    std::vector<std::string> header;
    for (const auto& h : rows[0])
        header.push_back(trim(h));
    if (header != expected)
        throw TargetError(where +
                          ":1: header must be target,period,value,unit,tolerance,kind,source");
    std::vector<Target> out;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const std::string line = where + ":" + std::to_string(i + 1);
        const auto& r = rows[i];
        if (r.size() != expected.size())
            throw TargetError(line + ": " + std::to_string(r.size()) + " fields; expected 7 " +
                              "(quote fields that contain commas)");
        Target t;
        t.name = trim(r[0]), t.period = trim(r[1]), t.unit = trim(r[3]);
        t.tolerance_text = trim(r[4]), t.kind = trim(r[5]), t.source = trim(r[6]);
        if (t.name.empty()) throw TargetError(line + ": empty target name");
        if (!parse_number(r[2], t.value))
            throw TargetError(line + ": value \"" + trim(r[2]) + "\" of " + t.name +
                              " is not a number");
        if (t.tolerance_text == "context") {
            t.low = -std::numeric_limits<double>::infinity();
            t.high = std::numeric_limits<double>::infinity();
            t.fitted = false;
        } else if (parse_tolerance(t.tolerance_text, t.value, t.low, t.high)) {
            t.fitted = true;
        } else {
            throw TargetError(line + ": tolerance \"" + t.tolerance_text + "\" of " + t.name +
                              " is not understood; accepted \"A to B\" (containing the value), "
                              "\"+-X%\", \"+-X\" (X > 0) or \"context\"");
        }
        out.push_back(std::move(t));
    }
    return out;
}

double normalised_error(const Target& t, double model) {
    if (!std::isfinite(model)) return std::numeric_limits<double>::infinity();
    if (!t.fitted) return 0;
    const double d = model - t.value;
    const double half = d >= 0 ? t.high - t.value : t.value - t.low;
    return half > 0 ? d / half
                    : (d == 0 ? 0 : std::copysign(std::numeric_limits<double>::infinity(), d));
}

double distance(const std::vector<double>& e) {
    if (e.empty()) return 0;
    double sum = 0;
    for (double x : e)
        sum += x * x;
    return std::sqrt(sum / static_cast<double>(e.size()));
}

} // namespace pbsim::analysis
