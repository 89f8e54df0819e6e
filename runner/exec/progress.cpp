#include "runner/exec/progress.hpp"

#include "runner/exec/clock.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace pbsim::runner {

namespace {

std::string rate_text(double r) {
    char buf[32];
    std::snprintf(buf, sizeof buf, r >= 10 ? "%.0f" : r >= 1 ? "%.1f" : "%.2f", r);
    return buf;
}

} // namespace

Progress::Progress(const ProgressOptions& o, std::string command, std::string unit,
                   std::size_t total)
    : form_(o.log_json              ? Form::json
            : o.quiet               ? Form::none
            : isatty(STDERR_FILENO) ? Form::terminal
                                    : Form::plain),
      command_(std::move(command)), unit_(std::move(unit)), total_(total) {}

Progress::~Progress() {
    clear_line();
}

double Progress::elapsed() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
}

double Progress::rate() const {
    const double e = elapsed();
    const double own = work_ - static_cast<double>(resumed_);
    return e > 0 && own > 0 ? own / e : 0;
}

double Progress::eta() const {
    const double r = rate();
    if (total_ == 0 || r <= 0) return NAN;
    return std::max(0.0, (static_cast<double>(total_) - work_) / r);
}

std::string Progress::line() const {
    std::string s = "[pbsim] " + command_ + ": ";
    char buf[64];
    if (total_ > 0) {
        std::snprintf(buf, sizeof buf, "%5.1f%%  ", 100.0 * work_ / static_cast<double>(total_));
        s += buf;
        s += std::to_string(completed_) + "/" + std::to_string(total_) + " " + unit_;
    } else {
        s += std::to_string(completed_) + " " + unit_;
    }
    s += "  " + rate_text(rate()) + " " + unit_ + "/s  elapsed " + duration_text(elapsed());
    if (total_ > 0) s += "  ETA " + duration_text(eta());
    return s;
}

void Progress::clear_line() {
    if (form_ == Form::terminal && drawn_) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        drawn_ = false;
    }
}

void Progress::emit(const std::string& event, const nlohmann::ordered_json& fields) {
    nlohmann::ordered_json j = {{"event", event},
                                {"command", command_},
                                {"done", completed_},
                                {"unit", unit_},
                                {"elapsed_s", std::round(elapsed() * 1000) / 1000}};
    if (total_ > 0) j["total"] = total_;
    const double r = rate(), e = eta();
    j["rate_per_s"] = std::round(r * 1000) / 1000;
    j["eta_s"] = std::isfinite(e) ? nlohmann::ordered_json(std::round(e * 10) / 10)
                                  : nlohmann::ordered_json();
    for (const auto& [k, v] : fields.items())
        j[k] = v;
    last_event_ = Clock::now();
    std::fprintf(stderr, "%s\n",
                 j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
    std::fflush(stderr);
}

void Progress::draw(bool force) {
    const auto now = Clock::now();
    switch (form_) {
    case Form::none:
        return;
    case Form::terminal:
        if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
        last_draw_ = now;
        std::fprintf(stderr, "\r\033[K%s", line().c_str());
        std::fflush(stderr);
        drawn_ = true;
        return;
    case Form::plain: {
        if (total_ == 0) {
            if (!force && now - last_draw_ < std::chrono::seconds(30)) return;
        } else {
            const int step = static_cast<int>(20.0 * work_ / static_cast<double>(total_));
            if (!force && step <= last_step_) return;
            last_step_ = step;
        }
        last_draw_ = now;
        std::fprintf(stderr, "%s\n", line().c_str());
        std::fflush(stderr);
        return;
    }
    case Form::json:
        if (!force && now - last_event_ < std::chrono::seconds(1)) return;
        emit("progress", nlohmann::ordered_json::object());
        return;
    }
}

void Progress::start(const std::string& text, const nlohmann::ordered_json& fields) {
    start_ = Clock::now();
    if (form_ == Form::json)
        emit("start", fields);
    else if (form_ != Form::none && !text.empty())
        std::fprintf(stderr, "[pbsim] %s\n", text.c_str());
    if (form_ == Form::plain)
        last_step_ = total_ > 0 ? static_cast<int>(20.0 * work_ / static_cast<double>(total_)) : -1;
}

void Progress::set_total(std::size_t total) {
    total_ = total;
}

void Progress::resumed(std::size_t units) {
    resumed_ = units;
    completed_ = units;
    work_ = static_cast<double>(units);
}

void Progress::update(std::size_t completed, double work) {
    completed_ = completed;
    work_ = std::max(work, static_cast<double>(completed));
    draw(false);
}

void Progress::message(const std::string& text) {
    if (form_ == Form::json) {
        emit("message", {{"text", text}});
        return;
    }
    if (form_ == Form::none) return;
    clear_line();
    std::fprintf(stderr, "[pbsim] %s\n", text.c_str());
    std::fflush(stderr);
    if (form_ == Form::terminal) draw(true);
}

void Progress::event(const std::string& name, const nlohmann::ordered_json& fields) {
    if (form_ == Form::json) emit(name, fields);
}

void Progress::finish(const std::string& status, const std::string& text,
                      const nlohmann::ordered_json& fields) {
    if (finished_) return;
    finished_ = true;
    if (form_ == Form::json) {
        nlohmann::ordered_json f = fields;
        f["status"] = status;
        emit("end", f);
        return;
    }
    if (form_ == Form::none) return;
    if (form_ == Form::terminal) {
        draw(true);
        std::fputc('\n', stderr);
        drawn_ = false;
    } else if (form_ == Form::plain && status == "complete" && last_step_ < 20) {
        draw(true);
    }
    if (!text.empty()) std::fprintf(stderr, "[pbsim] %s\n", text.c_str());
    std::fflush(stderr);
}

} // namespace pbsim::runner
