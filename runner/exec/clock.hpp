// Wall-clock texts for provenance and progress.
#pragma once

#include <string>

namespace pbsim::runner {

// Now as ISO 8601 UTC ("2026-11-24T06:00:00Z").
std::string utc_now();
// A duration as "1m05s" or "2h03m"; "--" if not finite.
std::string duration_text(double seconds);

} // namespace pbsim::runner
