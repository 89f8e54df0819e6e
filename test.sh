#!/usr/bin/env bash
# Build pbsim (installing missing packages if needed) and run the test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

scripts/setup.sh

echo "[pbsim] running tests"
exec ctest --test-dir build --output-on-failure -j2
