#!/usr/bin/env bash
# Main job: build pbsim, run the baseline and the "DP support everywhere"
# scenarios at national scale, and write an HTML report comparing them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

scripts/setup.sh

SEED=20260401
REPLICATIONS=4
mkdir -p outputs

for name in baseline dp_support_everywhere; do
  echo "[pbsim] running scenario $name (scale 1, $REPLICATIONS replications, seed $SEED)"
  build/pbsim run "scenarios/$name.toml" --scale 1 --replications "$REPLICATIONS" \
    --seed "$SEED" --out "outputs/$name.h5"
done

echo "[pbsim] writing report"
/usr/bin/python3 analysis/report.py outputs/baseline.h5 outputs/dp_support_everywhere.h5 \
  --out outputs/report.html

echo "[pbsim] done. Outputs:"
echo "[pbsim]   $PWD/outputs/baseline.h5"
echo "[pbsim]   $PWD/outputs/dp_support_everywhere.h5"
echo "[pbsim]   $PWD/outputs/report.html"
