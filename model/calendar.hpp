// Calendar months: the model's unit of time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pbsim {

// A calendar month as a count of months since January of year 0, so that
// arithmetic (t + 1, t2 - t1) is plain integer arithmetic.
struct Month {
    int index = 0;

    static constexpr Month from_ym(int year, int month) { return Month{year * 12 + (month - 1)}; }
    constexpr int year() const { return index / 12; }
    constexpr int month_of_year() const { return index % 12 + 1; } // 1..12
    constexpr Month operator+(int months) const { return Month{index + months}; }
    constexpr int operator-(Month other) const { return index - other.index; }
    constexpr auto operator<=>(const Month&) const = default;

    std::string to_string() const; // "YYYY-MM"
    int days() const;              // days in this calendar month
};

// Parses "YYYY-MM" (year 1900-2200); nullopt if malformed.
std::optional<Month> parse_month(std::string_view text);

} // namespace pbsim
