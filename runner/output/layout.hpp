// The declared layout of every pbsim output file: each group, each variable
// (name, dimensions, type, units, long name, description) and the root
// attributes. The writers create exactly what is declared here, and
// docs/hdf5-schema.md is generated from the same declarations (`pbsim docs
// schema`), so the files and their documentation cannot drift.
//
// Every group that holds data is self-contained in the netCDF-4 sense: it
// defines, as HDF5 dimension scales, a coordinate variable for every
// dimension its variables use, so `xarray.open_dataset(path, group=...)`
// (either engine), ncdump, R and Octave read it with labelled axes.
#pragma once

#include "model/summary.hpp"

#include <string>
#include <vector>

namespace pbsim::runner::layout {

enum class Type { f64, i32, u64, str };

struct Variable {
    std::string name;
    std::vector<std::string> dims; // a coordinate variable has dims == {name}
    Type type = Type::f64;
    std::string units;     // UDUNITS form where one exists; "" for strings
    std::string long_name; // short human label
    std::string description;
    std::string kind; // time series only: state, flow, outcome, cost ("" elsewhere)

    bool coordinate() const { return dims.size() == 1 && dims[0] == name; }
};

struct Group {
    std::string path;                // e.g. "/summary"; may hold a placeholder such as <name>
    std::string title;               // heading in the schema document
    std::string note;                // the group's `note` attribute and the schema's paragraph
    std::vector<Variable> variables; // coordinates first, then data, in file order

    const Variable& at(const std::string& name) const; // throws std::logic_error if undeclared
    bool has(const std::string& name) const;
};

struct Attribute {
    std::string name;
    Type type = Type::str;
    std::string meaning;
};

struct File {
    std::string kind;    // the root attribute `kind`: run, sweep, trial, calibration
    std::string title;   // the root attribute `title` (CF) and the schema heading
    std::string command; // what writes it
    std::string intro;
    std::vector<Attribute> attributes; // root attributes beyond the common ones
    std::vector<Group> groups;
};

// The root attributes every file has (provenance and the netCDF/CF globals).
std::vector<Attribute> common_attributes();

// --- building blocks -----------------------------------------------------

// The CF time coordinate of a monthly axis: `month` (days since 1970-01-01 of
// the first day of each month, calendar standard) and `month_label` (YYYY-MM).
std::vector<Variable> month_coordinates();
// Days from 1970-01-01 to the first day of a YYYY-MM month.
int days_since_epoch(const std::string& yyyy_mm);

// --- the run file (pbsim run) -------------------------------------------

// `prefix` is "" for one scenario, "/scenarios/<name>" for several.
Group run_timeseries(const std::string& prefix);
Group run_summary(const std::string& prefix, const std::vector<SummaryValue>& columns);
// Who pays each cost category (model/payers.cpp), by scenario.
Group run_payers(const std::string& prefix);
Group run_local_authorities();
// The whole file, for the schema (summary columns from the default scenario).
File run_file(bool several_scenarios);

// --- pbsim sweep ---------------------------------------------------------

struct ListFactor {
    std::string key, unit;
};
Group sweep_design(const std::vector<ListFactor>& list_factors);
Group sweep_summary(const std::vector<SummaryValue>& columns);
Group sweep_timeseries();
File sweep_file();

// --- pbsim trial ---------------------------------------------------------

Group trial_designs(const std::vector<std::string>& secondary_outcomes);
Group trial_trials();
File trial_file();

// --- pbsim calibrate -----------------------------------------------------

Group calibration_parameters();
Group calibration_targets();
Group calibration_generation(const std::string& path); // /generations/NN
Group calibration_posterior();
Group calibration_fit();
File calibration_file();

// --- pbsim compare and pbsim sensitivity (added to a run or sweep file) ----

Group comparison();
Group comparison_cost_effectiveness(const std::vector<double>& thresholds);
Group sensitivity(const std::string& output, bool sobol, const std::string& output_units);
File comparison_file();  // what compare adds, for the schema
File sensitivity_file(); // what sensitivity adds, for the schema

// Every kind of file, in the order of the schema document.
std::vector<File> all_files();

std::string type_name(Type t);

} // namespace pbsim::runner::layout
