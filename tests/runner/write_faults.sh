#!/usr/bin/env bash
# Write faults: every writer (run, run of two scenarios, sweep, trial, calibrate,
# compare, sensitivity) into a place that cannot take the file must exit 1 with a
# message naming the output and the reason, never crash, and leave no temporary
# (.partial-*) file.
#   write_faults.sh PBSIM disk    a 32 KiB tmpfs (needs root: exit 77, skipped, otherwise)
#   write_faults.sh PBSIM limit   a file-size limit (ulimit -f 16: 16 KiB)
set -u
pbsim=$1
mode=${2:-disk}
work=$(mktemp -d)
mnt=$work/full
cleanup() {
  if [[ $mode == disk ]]; then umount "$mnt" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work" || exit 1

cat > tiny.toml <<'TOML'
name = "tiny"
start = "2001-01"
end = "2002-12"
[population]
users = 2000
councils = 8
TOML
cat > policy.toml <<'TOML'
extends = "tiny.toml"
name = "policy"
[crisis_prevention]
coverage = { "2002-01" = 1.0 }
TOML
cat > sweep.toml <<'TOML'
base = "tiny.toml"
design = "sobol"
points = 2
replications = 1
seed = 3
scale = 1
[parameters]
"awareness.from_coordinator" = { min = 0.01, max = 0.08 }
"coordinator.attitude_mean" = { min = 0.2, max = 0.6 }
TOML
cat > tbase.toml <<'TOML'
start = "2001-01"
end = "2003-12"
[population]
users = 3000
councils = 20
TOML
cat > trial.toml <<'TOML'
scenario = "tbase.toml"
clusters_per_arm = [3, 4, 5]
participants_per_cluster = [10, 20]
recruitment = "2002-06"
follow_up_months = 6
primary = "crises"
trials = 10
scale = 1
[intervention]
policy.active_offer = 1
TOML
cat > s.toml <<'TOML'
start = "2001-01"
end = "2002-12"
[population]
users = 20000
councils = 6
TOML
printf 'target,period,value,unit,tolerance,kind,source\nrequests,2002,100,people,+-50%%,count,synthetic\n' > t.csv
cat > cal.toml <<'TOML'
scenario = "s.toml"
targets = "t.csv"
seed = 5
scale = 0.05
replications = 1
particles = 4
generations = 1
[parameters]
"request.base_rate" = [0.002, 0.05]
[[target]]
name = "requests"
period = "2002"
output = "new_requests_total"
TOML
# Inputs of compare and sensitivity, on a disk with room.
"$pbsim" run tiny.toml policy.toml -r 2 --quiet --out both.h5 >/dev/null || fail "cannot make both.h5"
"$pbsim" sweep sweep.toml --quiet --out sweep.h5 >/dev/null || fail "cannot make sweep.h5"

if [[ $mode == disk ]]; then
  if [[ $(id -u) -ne 0 ]]; then echo "SKIP: mounting a tmpfs needs root"; exit 77; fi
  mkdir -p "$mnt"
  mount -t tmpfs -o size=32k tmpfs "$mnt" || { echo "SKIP: cannot mount a tmpfs"; exit 77; }
  reason="No space left on device"
  limit=()
else
  mkdir -p "$mnt"
  reason="File too large"
  limit=(16)
fi

check() { # name, output file, command...
  local name=$1 out=$2
  shift 2
  rm -rf "${mnt:?}"/* "${mnt:?}"/.[!.]* 2>/dev/null
  if [[ $mode == limit ]]; then
    (ulimit -f "${limit[0]}"; exec "$@") >out.txt 2>err.txt
  else
    "$@" >out.txt 2>err.txt
  fi
  local status=$?
  [[ $status -eq 1 ]] || fail "$name: exit $status, expected 1 ($(cat err.txt))"
  grep -qF "$out" err.txt || fail "$name: the message does not name $out: $(cat err.txt)"
  grep -qF "$reason" err.txt || fail "$name: the message does not say '$reason': $(cat err.txt)"
  [[ $(grep -vc 'runs on uncalibrated defaults' err.txt) -le 2 ]] ||
    fail "$name: more than a short message: $(cat err.txt)"
  if ls "$mnt" | grep -q '\.partial-'; then fail "$name: temporary left behind: $(ls "$mnt")"; fi
  [[ ! -e $out ]] || fail "$name: $out exists after a failed write"
  echo "ok: $name: $(grep -v 'uncalibrated defaults' err.txt | head -1)"
}

# Jobs are sized first: on the tiny disk, jobs whose estimate exceeds the free
# space refuse to start (exit 2, before any work); with --force (or with an
# estimate that fits) they start and fail cleanly.
if [[ $mode == disk ]]; then
  for job in "run tiny.toml -r 2" "sweep sweep.toml --replications 100" "trial trial.toml --trials 2000"; do
    # shellcheck disable=SC2086
    "$pbsim" $job --quiet --out "$mnt/sized.h5" >out.txt 2>err.txt
    status=$?
    [[ $status -eq 2 ]] || fail "$job on a full disk: exit $status, expected 2 ($(cat err.txt))"
    grep -qF "of disk is free in $mnt" err.txt || fail "$job: no sizing message: $(cat err.txt)"
    grep -qF -- "--force" err.txt || fail "$job: the message does not name --force: $(cat err.txt)"
    [[ -z $(ls "$mnt") ]] || fail "$job: wrote something although refused: $(ls "$mnt")"
    echo "ok: refused before starting: $job"
  done
fi
check "run" "$mnt/run.h5" "$pbsim" run tiny.toml -r 2 --quiet --force --out "$mnt/run.h5"
check "run of two scenarios" "$mnt/two.h5" "$pbsim" run tiny.toml policy.toml -r 2 --quiet --force --out "$mnt/two.h5"
check "sweep" "$mnt/sweep.h5" "$pbsim" sweep sweep.toml --quiet --force --out "$mnt/sweep.h5"
check "trial" "$mnt/trial.h5" "$pbsim" trial trial.toml --quiet --force --out "$mnt/trial.h5"
check "calibrate" "$mnt/cal.h5" "$pbsim" calibrate cal.toml --quiet --out "$mnt/cal.h5"
check "compare" "$mnt/cmp.h5" "$pbsim" compare both.h5 --quiet --out "$mnt/cmp.h5"
check "sensitivity" "$mnt/sens.h5" "$pbsim" sensitivity sweep.h5 --output cost_total --quiet --bootstrap 20 --out "$mnt/sens.h5"
# The inputs of compare and sensitivity are untouched.
h5dump -H both.h5 >/dev/null || fail "both.h5 damaged"
h5dump -H sweep.h5 >/dev/null || fail "sweep.h5 damaged"
echo "OK: every writer fails cleanly ($reason)"
