#include "runner/cli/scenarios.hpp"

#include "model/parameters.hpp"
#include "runner/experiments/run.hpp"
#include "runner/input/scenario_file.hpp"
#include "runner/input/toml_util.hpp"

#include <algorithm>
#include <iostream>

namespace pbsim::runner::cli {

namespace fs = std::filesystem;

std::vector<std::string> uncalibrated_parameters(const Scenario& s) {
    std::vector<std::string> keys;
    const auto registry = parameter_registry();
    for (std::size_t i = 0; i < registry.size(); ++i) {
        const auto& spec = registry[i];
        const auto& steps = s.parameters[i].steps;
        if (spec.source.starts_with("calibrated") && steps.size() == 1 &&
            steps.front().value == spec.default_value)
            keys.emplace_back(spec.key);
    }
    return keys;
}

std::string uncalibrated_warning(const Scenario& s, const fs::path& file) {
    const auto keys = uncalibrated_parameters(s);
    if (keys.empty()) return {};
    std::string list;
    for (const auto& k : keys)
        list += (list.empty() ? "" : ", ") + k;
    return "pbsim: warning: " + file.string() +
           " runs on uncalibrated defaults: " + std::to_string(keys.size()) +
           " calibrated parameter" + (keys.size() > 1 ? "s keep" : " keeps") +
           " the registry default (" + list +
           "); extend the calibrated baseline (extends = \"baseline.toml\", "
           "scenarios/baseline.toml) or set them";
}

namespace {

struct Row {
    std::string file, name, extends, description;
};

std::string padded(const std::string& s, std::size_t width) {
    return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

} // namespace

int scenarios_command(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        std::cerr << "pbsim scenarios: no such folder '" << dir.string()
                  << "' (give the folder of scenario files, e.g. pbsim scenarios scenarios)\n";
        return kExitBadInput;
    }
    if (!fs::is_directory(dir, ec)) {
        std::cerr << "pbsim scenarios: '" << dir.string()
                  << "' is not a folder (give the folder of scenario files, e.g. scenarios)\n";
        return kExitBadInput;
    }
    std::vector<fs::path> files, folders;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_directory(ec))
            folders.push_back(entry.path().filename());
        else if (entry.path().extension() == ".toml")
            files.push_back(entry.path());
    }
    if (ec) {
        std::cerr << "pbsim scenarios: cannot read folder '" << dir.string()
                  << "': " << ec.message() << "\n";
        return kExitBadInput;
    }
    std::sort(files.begin(), files.end());
    std::sort(folders.begin(), folders.end());

    // A file is a scenario if it loads as one; the others (sweep, trial and
    // calibration files, or broken scenarios) are listed with the reason.
    std::vector<Row> rows;
    std::vector<std::string> others;
    for (const auto& file : files) {
        try {
            const Scenario s = load_scenario(file).scenario;
            const toml::table doc = parse_toml(read_text_file(file, "scenario file"), file);
            Row row{file.filename().string(), s.name, "-", s.description};
            if (const auto* ext = doc.get_as<std::string>("extends")) row.extends = ext->get();
            if (!uncalibrated_parameters(s).empty()) row.extends += " (uncalibrated)";
            rows.push_back(row);
        } catch (const ScenarioError& e) {
            others.push_back(file.filename().string() + ": " + e.what());
        }
    }

    std::cout << rows.size() << " scenario" << (rows.size() == 1 ? "" : "s") << " in "
              << dir.string() << (rows.empty() ? "\n" : ":\n\n");
    if (!rows.empty()) {
        Row head{"file", "name", "extends", "description"};
        std::size_t wf = head.file.size(), wn = head.name.size(), we = head.extends.size();
        for (const auto& r : rows) {
            wf = std::max(wf, r.file.size());
            wn = std::max(wn, r.name.size());
            we = std::max(we, r.extends.size());
        }
        rows.insert(rows.begin(), head);
        for (const auto& r : rows)
            std::cout << "  " << padded(r.file, wf + 2) << padded(r.name, wn + 2)
                      << padded(r.extends, we + 2) << r.description << "\n";
        std::cout << "\nRun one: pbsim run " << (dir / rows[1].file).string()
                  << "; several together are paired (pbsim compare).\n";
    }
    if (!others.empty()) {
        std::cout << "\nNot scenarios (sweep, trial or calibration files, or scenarios with an "
                     "error):\n";
        for (const auto& o : others)
            std::cout << "  " << o << "\n";
    }
    if (!folders.empty()) {
        std::cout << "\nSubfolders:";
        for (const auto& f : folders)
            std::cout << " " << f.string() << "/";
        std::cout << " (pbsim scenarios " << (dir / folders.front()).string() << ")\n";
    }
    return kExitOk;
}

} // namespace pbsim::runner::cli
