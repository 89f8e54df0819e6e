// Calibration targets: published figures the baseline must reproduce, read
// from a CSV in the format of shared/calibration/targets.csv
// (target,period,value,unit,tolerance,kind,source), and the distance of a
// model output from them. Pure functions on text and numbers.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pbsim::analysis {

// Bad targets input; what() is one line naming the origin and the line.
struct TargetError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Target {
    std::string name, period, unit, tolerance_text, kind, source;
    double value = 0;
    // Accepted interval: "25 to 200" is [25, 200]; "+-20%" is value x (1 -+ 0.2);
    // "+-0.02" is value -+ 0.02. Rows whose tolerance is "context" are not fitted.
    double low = 0, high = 0;
    bool fitted = false;
};

// Parses the CSV text (RFC 4180 quoting); `origin` names it in errors.
std::vector<Target> parse_targets(std::string_view csv, std::string_view origin);

// The target's signed error in units of its tolerance: 0 at the value, +-1 at
// the ends of the accepted interval (each side scaled on its own, so
// asymmetric intervals such as "25 to 200" around 50 work). |e| <= 1 is within
// tolerance.
double normalised_error(const Target& target, double model);

// Root mean square of the normalised errors: the ABC distance.
double distance(const std::vector<double>& normalised_errors);

} // namespace pbsim::analysis
