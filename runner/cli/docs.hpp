// Reference documents generated from the code: docs/parameters.md from the
// parameter registry and docs/hdf5-schema.md from the output dictionary. A
// test checks the committed files match, so code and docs cannot drift.
#pragma once

#include "model/parameters.hpp"

#include <string>

namespace pbsim::runner {

std::string parameters_markdown();
std::string schema_markdown();
// One parameter as plain text: key, description, default, unit, range,
// whether it may vary by date, source.
std::string parameter_text(const ParameterSpec& spec);

} // namespace pbsim::runner
