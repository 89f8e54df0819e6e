#!/bin/sh
# The worked examples of docs/trial.md: runs the virtual trials and regenerates
# the page from their outputs. About 15 minutes on 2 free cores (half an hour
# on a loaded machine); run from the repository root after building
# (README.md). TRIALS sets the simulated trials of the main example (the file
# says 400; 200 by default here to fit a working session), the follow-up and
# budget-alone variants use half that, the team trial TRIALS.
set -eu
seed=20261124
trials=${TRIALS:-200}
half=$((trials / 2))
mkdir -p outputs/trials
main="build/pbsim trial scenarios/trials/admissions_20pct.toml --seed $seed --trials $trials --out outputs/trials/admissions_20pct.h5"
if [ -x /usr/bin/time ]; then  # wall and CPU seconds
    /usr/bin/time -f '%e %U %S' -o outputs/trials/time.txt $main
    read -r wall user sys < outputs/trials/time.txt
    seconds="$wall $(awk "BEGIN { print $user + $sys }")"
else
    start=$(date +%s)
    $main
    seconds=$(( $(date +%s) - start ))
fi
for months in 12 24; do
    build/pbsim trial scenarios/trials/admissions_20pct.toml --seed $seed --follow-up $months \
        --trials $half --out outputs/trials/admissions_20pct_fu$months.h5 --quiet
done
build/pbsim trial scenarios/trials/pb_offer.toml --seed $seed --trials $half \
    --out outputs/trials/pb_offer.h5 --quiet
build/pbsim trial scenarios/trials/admissions_20pct_teams.toml --seed $seed --trials $trials \
    --out outputs/trials/admissions_20pct_teams.h5 --quiet
/usr/bin/python3 analysis/trial_doc.py outputs/trials/admissions_20pct.h5 \
    outputs/trials/admissions_20pct_fu12.h5 outputs/trials/admissions_20pct_fu24.h5 \
    outputs/trials/pb_offer.h5 outputs/trials/admissions_20pct_teams.h5 $seconds > docs/trial.md
echo "wrote docs/trial.md (worked example: $seconds s wall [CPU])"
