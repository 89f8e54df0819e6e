#!/usr/bin/env bash
# libFuzzer runs of the input parsers (docs/reliability.md): builds the
# harnesses of tests/fuzz/ with Debian's clang-14 (-fsanitize=fuzzer,address,
# undefined) into build-fuzz/ and runs each for a while, starting from the
# repository's own files (scenarios/*.toml and scenarios/validation/*.toml for
# the scenario parser, scenarios/sweeps/*.toml, scenarios/trials/*.toml).
#
# Usage: scripts/fuzz.sh [SECONDS]      seconds per harness (default 60, or
#                                       $PBSIM_FUZZ_SECONDS); e.g. 3600 for a long run
#   PBSIM_FUZZ_TARGETS="scenario sweep trial"  the harnesses to run
# New inputs are kept in build-fuzz/corpus/<harness>/ (a later run carries
# on from them); a crash, timeout or memory blow-up is written to
# build-fuzz/artifacts/ and fails the script. Reproduce one with
#   build-fuzz/fuzz_<harness> build-fuzz/artifacts/<file>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-${PBSIM_FUZZ_SECONDS:-60}}"
targets="${PBSIM_FUZZ_TARGETS:-scenario sweep trial}"
build=build-fuzz
log() { echo "[fuzz] $*"; }

# clang-14 and its runtimes (libFuzzer, ASan, UBSan) from Debian.
packages=(clang-14 libclang-rt-14-dev)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  as_root=()
  [[ "$(id -u)" -eq 0 ]] || as_root=(sudo)
  log "installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

start=$SECONDS
cmake -S tests/fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
cmake --build "$build" -j"$(nproc)"
log "built in $((SECONDS - start)) s"

seeds_of() {
  case "$1" in
    scenario) echo scenarios/*.toml scenarios/validation/*.toml ;;
    sweep) echo scenarios/sweeps/*.toml ;;
    trial) echo scenarios/trials/*.toml ;;
  esac
}

mkdir -p "$build/artifacts"
failed=()
for t in $targets; do
  seeds="$build/seeds/$t" corpus="$build/corpus/$t" out="$build/fuzz_$t.log"
  rm -rf "$seeds" && mkdir -p "$seeds" "$corpus"
  # shellcheck disable=SC2046
  cp $(seeds_of "$t") "$seeds/"
  log "$t: ${seconds} s from $(ls "$seeds" | wc -l) seed files and $(ls "$corpus" | wc -l) corpus files"
  status=0
  "$build/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=16384 \
    -dict=tests/fuzz/toml.dict -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
    "$corpus" "$seeds" >"$out" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$out")
  if ((status != 0)); then
    failed+=("$t")
    grep -E 'ERROR|SUMMARY|Test unit written|bad ScenarioError' "$out" | head -20 || true
    log "$t: FAILED (status $status), see $out"
  else
    log "$t: ${runs:-?} executions (${rate:-?}/s), peak RSS ${rss:-?} MB, corpus $(ls "$corpus" | wc -l) files, no crash"
  fi
done
if ((${#failed[@]} > 0)); then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "OK: no crash in $targets ($((SECONDS - start)) s in all)"
