#include "runner/output/trial_output.hpp"

#include "runner/output/h5.hpp"
#include "runner/output/layout.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

namespace pbsim::runner {

namespace fs = std::filesystem;

struct TrialOutput::Impl {
    std::unique_ptr<h5::AtomicFile> file;
    std::vector<std::pair<std::string, std::vector<double>>> designs, trials;
    bool committed = false;

    [[noreturn]] void fail(const std::string& what) const { file->fail(what); }

    void create(fs::path final_path, const TrialProvenance& p) {
        file = std::make_unique<h5::AtomicFile>(std::move(final_path));
        std::lock_guard lock(h5::mutex());
        const hid_t root = file->root();
        h5::write_provenance(*file, layout::trial_file(),
                             {p.pbsim_version, p.source_revision, p.created_utc, p.command_line});
        h5::attribute(*file, root, "trial_file", p.trial_file);
        h5::attribute(*file, root, "trial_text", p.trial_text);
        h5::attribute(*file, root, "trial_resolved", p.trial_resolved);
        h5::attribute(*file, root, "scenario_toml", p.scenario_toml);
        h5::attribute(*file, root, "seed", p.seed);
        h5::attribute(*file, root, "trials", static_cast<std::int32_t>(p.trials));
        h5::attribute(*file, root, "scale", p.scale);
    }

    std::vector<std::string> secondary() const {
        std::vector<std::string> out;
        for (const auto& [name, v] : designs)
            if (name.starts_with("secondary_") && name.ends_with("_effect"))
                out.push_back(name.substr(10, name.size() - 10 - 7));
        return out;
    }

    void write_group(const layout::Group& decl,
                     const std::vector<std::pair<std::string, std::vector<double>>>& values,
                     std::size_t D, std::size_t T) {
        h5::GroupWriter g(*file, decl);
        g.index("design", D);
        if (decl.has("trial")) g.index("trial", T);
        for (const auto& v : decl.variables) {
            if (v.coordinate()) continue;
            const auto it = std::find_if(values.begin(), values.end(),
                                         [&](const auto& x) { return x.first == v.name; });
            if (it == values.end())
                fail("internal error: '" + decl.path + "/" + v.name + "' was not given");
            g.write(v.name, it->second);
        }
        for (const auto& [name, v] : values)
            if (!decl.has(name))
                fail("internal error: '" + decl.path + "/" + name + "' is not declared");
    }

    void commit() {
        if (committed) fail("already committed");
        if (designs.empty()) fail("no designs were written");
        const std::size_t D = designs.front().second.size();
        const std::size_t T = trials.empty() || D == 0 ? 0 : trials.front().second.size() / D;
        for (const auto& [name, v] : designs)
            if (v.size() != D) fail("internal error: '/designs/" + name + "' has the wrong size");
        for (const auto& [name, v] : trials)
            if (v.size() != D * T)
                fail("internal error: '/trials/" + name + "' has the wrong size");
        {
            std::lock_guard lock(h5::mutex());
            write_group(layout::trial_designs(secondary()), designs, D, T);
            write_group(layout::trial_trials(), trials, D, T);
        }
        file->commit();
        committed = true;
    }
};

TrialOutput::TrialOutput(fs::path final_path, const TrialProvenance& provenance)
    : impl_(std::make_unique<Impl>()) {
    impl_->create(std::move(final_path), provenance);
}

TrialOutput::~TrialOutput() = default;

void TrialOutput::design(const std::string& name, const std::vector<double>& values) {
    impl_->designs.emplace_back(name, values);
}

void TrialOutput::trial(const std::string& name, const std::vector<double>& values) {
    impl_->trials.emplace_back(name, values);
}

void TrialOutput::commit() {
    impl_->commit();
}

} // namespace pbsim::runner
