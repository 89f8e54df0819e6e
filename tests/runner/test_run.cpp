// The generated reference documents.
#include "runner/cli/docs.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

using namespace pbsim;
using namespace pbsim::runner;

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("docs/parameters.md and docs/hdf5-schema.md are current") {
    // Regenerate with: build/pbsim docs parameters > docs/parameters.md (and schema).
    CHECK(read(PBSIM_SOURCE_DIR "/docs/parameters.md") == parameters_markdown());
    CHECK(read(PBSIM_SOURCE_DIR "/docs/hdf5-schema.md") == schema_markdown());
}
