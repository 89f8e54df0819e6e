#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (docs/reliability.md). Builds pbsim and its tests with g++
# -fsanitize=address,undefined into build-asan/ (Open MPI on, so the
# mpirun test runs the sanitized binary too) and runs every ctest test; the
# Python tests get the sanitized pbsim as their argument.
#
# Any sanitizer report fails the run: the runtimes halt on the first error,
# and every report is also written to build-asan/sanitizer-logs/, which must be
# empty at the end (this catches reports from pbsim processes spawned by tests
# that expect a failing exit status). Leaks are suppressed only inside Open MPI
# and its libraries (scripts/sanitizers/lsan.supp).
#
# Usage: scripts/sanitize.sh [ctest arguments for all but the MPI test, e.g. -R pattern]
#   PBSIM_SANITIZE_BUILD=dir  build directory (default build-asan)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${PBSIM_SANITIZE_BUILD:-build-asan}"
log() { echo "[sanitize] $*"; }

# g++ ships libasan and libubsan; scripts/setup.sh (run by ./test.sh) installs
# it and the other Debian packages.
command -v g++ >/dev/null || { echo "[sanitize] g++ not found: run scripts/setup.sh first" >&2; exit 1; }

flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
log "configuring $build (g++, $flags, -O1 -g, PBSIM_MPI=ON)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPBSIM_MPI=ON \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
start=$SECONDS
log "building with $(nproc) jobs"
cmake --build "$build" -j"$(nproc)"
log "built in $((SECONDS - start)) s"

logs="$root/$build/sanitizer-logs"
rm -rf "$logs" && mkdir -p "$logs"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_odr_violation=2:log_path=$logs/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0"

start=$SECONDS
status=0
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" -E '^mpi: ' "$@" || status=$?
# Open MPI's libraries have no frame pointers, so the leaks they keep until
# exit are traced back to them only with the slow unwinder (too slow for the
# rest of the suite); the suppressions match those libraries by name.
ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" \
  ctest --test-dir "$build" --output-on-failure -R '^mpi: ' || status=$?
log "test suite ran in $((SECONDS - start)) s (ctest status $status)"

reports=("$logs"/*)
if [[ -e "${reports[0]}" ]]; then
  log "sanitizer reports (${#reports[@]} files):"
  for f in "${reports[@]}"; do echo "==> $f"; cat "$f"; done
  log "FAILED: the sanitizers reported errors"
  exit 1
fi
if ((status != 0)); then
  log "FAILED: tests failed under the sanitizers"
  exit "$status"
fi
log "OK: every test passed, no sanitizer reports"
