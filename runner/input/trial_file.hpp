// Trial files (TOML): a virtual cluster randomised trial run on a base
// scenario (docs/trial.md).
//
//   description = "Active offer of a PB with DP support and a named coordinator"
//   scenario = "../baseline.toml"       # base scenario, relative to this file
//   unit = "council"                    # unit of randomisation: "council" or "team"
//   team_size = 8                       # care-coordinator posts per team (unit = "team")
//   clusters_per_arm = [10, 20, 30]     # a number or a list of designs to scan
//   participants_per_cluster = 100      # a number or a list (nested samples)
//   recruitment = "2016-04"             # first month of the intervention
//   follow_up_months = 18
//   stratify = "dp_culture"             # "none", "dp_culture", "size" or (teams) "council":
//   matched pairs primary = "admissions"              # see kTrialOutcomes secondary = ["crises",
//   "ascot", "cost"] trials = 500                        # simulated trials per design alpha = 0.05
//   # two-sided significance level scale = 0.5                         # share of the national
//   population simulated null_check = false                  # also run each design without
//   intervention [intervention]                      # overrides in intervention clusters only
//   policy.active_offer = 1             # dotted parameter keys, from recruitment on
#pragma once

#include "model/metrics.hpp"
#include "runner/input/scenario_file.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pbsim::runner {

enum class Stratify { none, dp_culture, size, council };
std::string_view to_string(Stratify s);

// The unit of randomisation: whole councils, or teams of care coordinators
// (fixed groups of consecutive posts within a council; see make_teams).
enum class TrialUnit { council, team };
std::string_view to_string(TrialUnit u);
inline constexpr int kDefaultTeamSize = 8, kMaxTeamSize = 1000;

// An outcome measured on each participant over their follow-up. A rate is
// events per person-year (analysed as a rate ratio); a mean is a quantity per
// person-year or a mean score (analysed as a difference); a share is the
// proportion of participants with the event (difference in proportions).
enum class OutcomeKind { rate, mean, share };
struct TrialOutcome {
    std::string_view name;
    OutcomeKind kind;
    std::string_view unit;
    std::string_view description;
};
inline constexpr TrialOutcome kTrialOutcomes[] = {
    {"admissions", OutcomeKind::rate, "admissions per person-year", "Inpatient admissions"},
    {"crises", OutcomeKind::rate, "crises per person-year", "Mental health crises"},
    {"bed_days", OutcomeKind::rate, "bed-days per person-year", "Inpatient bed-days"},
    {"qalys", OutcomeKind::mean, "QALYs per person-year", "Health-related QALYs (mean utility)"},
    {"ascot", OutcomeKind::mean, "ASCOT score (0-1)",
     "Care-related quality of life (wellbeing), mean over follow-up"},
    {"cost", OutcomeKind::mean, "GBP per person-year",
     "Public cost, every category (undiscounted)"},
    {"uptake", OutcomeKind::share, "share of participants",
     "Participants who held a personal budget at some time during follow-up"},
};
const TrialOutcome* find_outcome(std::string_view name);

struct TrialSpec {
    std::filesystem::path file;
    std::string name, description;
    std::string text; // the trial file as read (provenance)
    LoadedScenario base;
    TrialUnit unit = TrialUnit::council;
    int team_size = kDefaultTeamSize;          // posts per team (unit = team)
    std::vector<int> clusters_per_arm;         // ascending, distinct
    std::string clusters_where;                // "file:line" of clusters_per_arm, for messages
    std::vector<int> participants_per_cluster; // ascending, distinct
    Month recruitment;
    int follow_up_months = 18;
    Stratify stratify = Stratify::none;
    std::string primary = "admissions";
    std::vector<std::string> secondary;
    int trials = 200;
    double alpha = 0.05;
    double scale = 0.5;
    bool null_check = false;
    struct Override {
        int parameter; // index into parameter_registry()
        double value;
    };
    std::vector<Override> intervention;

    Month follow_up_end() const { return recruitment + (follow_up_months - 1); }
};

// Loads and validates a trial file and its base scenario; throws ScenarioError
// naming the file (and line), the key and what is accepted.
TrialSpec load_trial(const std::filesystem::path& file);
TrialSpec parse_trial(std::string_view text, const std::filesystem::path& file);

// The resolved design as TOML (every key, defaults filled in).
std::string to_toml(const TrialSpec& t);

} // namespace pbsim::runner
