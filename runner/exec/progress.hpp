// The one progress reporter of every long command (run, sweep, trial,
// calibrate, and the PSA to come). Three forms, chosen once:
//   - on a terminal: one line redrawn a few times a second
//       [pbsim] sweep: 41.7%  20/48 runs  3.2 runs/s  elapsed 0m06s  ETA 0m09s
//   - stderr not a terminal (a batch log): a plain line at every 5%, and the
//     start and end;
//   - --log-json: one JSON object per line on stderr: "start", "progress" (at
//     most one a second), any named event of the command, and "end" with the
//     status; every line has command, done, total, unit, rate, elapsed, ETA.
// --quiet turns the first two off (JSON lines are kept when asked for).
// Every method is called from one thread (the executor's main loop).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace pbsim::runner {

struct ProgressOptions {
    bool quiet = false;
    bool log_json = false;
};

class Progress {
  public:
    // `unit` names what is counted ("runs", "replications", "trials"); a
    // total of 0 means not known in advance (calibration).
    Progress(const ProgressOptions& options, std::string command, std::string unit,
             std::size_t total);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // The start line or event; `fields` are added to the JSON event.
    void start(const std::string& text,
               const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());
    void set_total(std::size_t total);
    // Units found already done (a resumed journal): counted as done, not in the rate.
    void resumed(std::size_t units);
    // `completed` whole units done, `work` the same in fractional units
    // (with the part done of units in flight). Redraws when due.
    void update(std::size_t completed, double work);
    // A line for people (dropped under --quiet), or a "message" event.
    void message(const std::string& text);
    // A named JSON event (only with --log-json), e.g. "generation".
    void event(const std::string& name, const nlohmann::ordered_json& fields);
    // The end: "complete", "interrupted" or "failed"; `text` for people.
    void finish(const std::string& status, const std::string& text = {},
                const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());

    std::size_t completed() const { return completed_; }
    const std::string& command() const { return command_; }
    double elapsed() const;

  private:
    enum class Form { none, terminal, plain, json };
    double rate() const; // units per second, this process's own work
    double eta() const;
    std::string line() const;
    void draw(bool force);
    void emit(const std::string& event, const nlohmann::ordered_json& fields);
    void clear_line();

    Form form_;
    std::string command_, unit_;
    std::size_t total_, resumed_ = 0, completed_ = 0;
    double work_ = 0;
    int last_step_ = -1; // plain form: last 5% step printed
    bool drawn_ = false, finished_ = false;
    using Clock = std::chrono::steady_clock;
    Clock::time_point start_ = Clock::now(), last_draw_{}, last_event_{};
};

} // namespace pbsim::runner
