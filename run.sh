#!/usr/bin/env bash
# Main job: build pbsim, run the baseline and every policy scenario at national
# scale as one paired comparison (common random numbers), and write an HTML
# report comparing them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

scripts/setup.sh

SEED=20260401
REPLICATIONS=4
mkdir -p outputs

# The baseline first: the report compares every other scenario with it.
scenarios=(scenarios/baseline.toml)
for f in scenarios/*.toml; do
  [[ "$f" == scenarios/baseline.toml ]] || scenarios+=("$f")
done

echo "[pbsim] running ${#scenarios[@]} scenarios (national scale, $REPLICATIONS replications, seed $SEED)"
build/pbsim run "${scenarios[@]}" --scale 1 --replications "$REPLICATIONS" --seed "$SEED" \
  --quiet --out outputs/comparison.h5

echo "[pbsim] comparing every scenario with the baseline"
build/pbsim compare outputs/comparison.h5 --quiet

echo "[pbsim] writing the report (checked in headless Chromium) and docs/scenarios.md"
build/pbsim report outputs/comparison.h5 --out outputs/report.html --screenshot outputs/report.png
/usr/bin/python3 analysis/scenarios_doc.py outputs/comparison.h5 > docs/scenarios.md

echo "[pbsim] validating the baseline against England's figures (docs/validation.md)"
build/pbsim run scenarios/baseline.toml scenarios/validation/*.toml --scale 1 \
  --replications "$REPLICATIONS" --seed "$SEED" --quiet --out outputs/validation.h5
/usr/bin/python3 analysis/validation.py outputs/validation.h5 \
  --calibration scenarios/calibration/baseline.toml \
  --calibration-output scenarios/calibration/baseline-posterior.h5 \
  --out docs/validation.md --figure docs/validation.png

echo "[pbsim] done. Outputs:"
echo "[pbsim]   $PWD/outputs/comparison.h5 (with /comparison)"
echo "[pbsim]   $PWD/outputs/comparison-comparison.csv"
echo "[pbsim]   $PWD/outputs/report.html (screenshot: outputs/report.png)"
echo "[pbsim]   $PWD/outputs/validation.h5, docs/validation.md"
