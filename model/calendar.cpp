#include "model/calendar.hpp"

#include <cstdio>

namespace pbsim {

std::string Month::to_string() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", year(), month_of_year());
    return buf;
}

int Month::days() const {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int m = month_of_year();
    const int y = year();
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::optional<Month> parse_month(std::string_view text) {
    if (text.size() != 7 || text[4] != '-') return std::nullopt;
    int year = 0, month = 0;
    for (int i = 0; i < 4; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        year = year * 10 + (text[i] - '0');
    }
    for (int i = 5; i < 7; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        month = month * 10 + (text[i] - '0');
    }
    if (year < 1900 || year > 2200 || month < 1 || month > 12) return std::nullopt;
    return Month::from_ym(year, month);
}

} // namespace pbsim
