#!/usr/bin/env bash
# pbsim beside the vectorised numpy peer (../shared/peers/numpy_pbsim.py), in
# one session, alternately, three times each: one national replication
# (150,000 users x 240 months) on one thread. Shared machines are noisy, so
# compare the ratio of medians, not absolute figures from different days.
#
#   scripts/bench_vs_peer.sh            # after scripts/setup.sh has built build/pbsim
#   PBSIM_PEER=path/to/numpy_pbsim.py scripts/bench_vs_peer.sh
#
# Prints each run, then the medians and the ratios: like for like, pbsim
# including world generation against the peer's whole run, and pbsim's
# monthly loop against the peer's run without set-up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
peer="${PBSIM_PEER:-../shared/peers/numpy_pbsim.py}"
runs="${PBSIM_BENCH_RUNS:-3}"
[[ -x build/pbsim ]] || { echo "bench_vs_peer: build/pbsim not found; run scripts/setup.sh" >&2; exit 1; }
[[ -f "$peer" ]] || { echo "bench_vs_peer: peer $peer not found (set PBSIM_PEER)" >&2; exit 1; }
/usr/bin/python3 -c "import numpy, pandas" 2>/dev/null \
  || { echo "bench_vs_peer: the peer needs Debian's python3-numpy python3-pandas" >&2; exit 1; }

loop=() whole=() peer_whole=() peer_run=()
for ((k = 1; k <= runs; k++)); do
  out="$(build/pbsim bench scenarios/baseline.toml --replications 2)"
  echo "$out" | sed "s/^/[pbsim $k] /"
  loop+=("$(echo "$out" | sed -n 's/^ *\([0-9.]*\) M agent-months\/s (simulation loop).*/\1/p')")
  whole+=("$(echo "$out" | sed -n 's/^ *\([0-9.]*\) M agent-months\/s including world generation.*/\1/p')")
  out="$(/usr/bin/python3 "$peer" --users 150000 --councils 152 --months 240)"
  echo "$out" | sed "s/^/[numpy $k] /"
  line="$(echo "$out" | grep '^agent_months_per_s=')"
  peer_whole+=("$(echo "$line" | sed 's/^agent_months_per_s=\([0-9]*\).*/\1/')")
  peer_run+=("$(echo "$line" | sed 's/.*run only: \([0-9]*\)).*/\1/')")
done

/usr/bin/python3 - "${loop[*]}" "${whole[*]}" "${peer_whole[*]}" "${peer_run[*]}" <<'PY'
import statistics, sys
loop, whole, peer_whole, peer_run = ([float(x) for x in a.split()] for a in sys.argv[1:5])
m = statistics.median
print(f"median pbsim: {m(whole):.1f} M agent-months/s with world generation, "
      f"{m(loop):.1f} M in the monthly loop (one thread)")
print(f"median numpy peer: {m(peer_whole) / 1e6:.2f} M agent-months/s whole run, "
      f"{m(peer_run) / 1e6:.2f} M without set-up")
print(f"ratio pbsim / peer: {m(whole) * 1e6 / m(peer_whole):.1f}x like for like (whole runs), "
      f"{m(loop) * 1e6 / m(peer_run):.1f}x monthly loop against the peer's run")
PY
