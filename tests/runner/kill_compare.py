#!/usr/bin/python3
"""pbsim compare never damages the run it reads: SIGKILL it at many points (after short
delays, and as soon as its temporary copy appears) and the run file is, every time,
either byte-for-byte what it was or, if compare had finished, the same data with
/comparison added; always readable by h5py and h5dump.
Usage: kill_compare.py PBSIM_BINARY
"""
import hashlib
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

SCENARIO = """\
name = "base"
start = "2001-01"
end = "2012-12"
[population]
users = 6000
councils = 40
"""
POLICY = 'extends = "base.toml"\nname = "policy"\n[crisis_prevention]\ncoverage = { "2005-01" = 1.0 }\n'


def digest(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def check(condition, message):
    if not condition:
        sys.exit(f"kill_compare: FAIL: {message}")


def readable(path):
    with h5py.File(path, "r") as f:
        _ = f["scenarios/policy/summary/cost_total"][()]
    return subprocess.run(["h5dump", "-H", str(path)], capture_output=True).returncode == 0


def main():
    pbsim = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "base.toml").write_text(SCENARIO)
        (tmp / "policy.toml").write_text(POLICY)
        run = tmp / "run.h5"
        subprocess.run([pbsim, "run", "base.toml", "policy.toml", "-r", "6", "--quiet", "--out",
                        str(run)], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        pristine = tmp / "pristine.h5"
        shutil.copy(run, pristine)
        before = digest(run)
        killed_mid_write = finished = 0
        # Delays in seconds, then None: kill as soon as the temporary copy exists.
        for delay in [0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, None, None, None]:
            shutil.copy(pristine, run)
            for p in tmp.glob("*.partial-*"):
                p.unlink()
            proc = subprocess.Popen([pbsim, "compare", str(run), "-q"], cwd=tmp,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if delay is None:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and proc.poll() is None \
                        and not list(tmp.glob("run.h5.partial-*")):
                    time.sleep(0.0002)
            else:
                time.sleep(delay)
            saw_temporary = bool(list(tmp.glob("run.h5.partial-*")))
            proc.send_signal(signal.SIGKILL)
            status = proc.wait()
            # A kill after the rename (compare still writing its CSV) leaves the
            # new, complete file: either way the file is whole, never half-written.
            replaced = digest(run) != before
            if status == -signal.SIGKILL and not replaced:
                killed_mid_write += saw_temporary
            else:
                check(status in (0, -signal.SIGKILL), f"compare exited {status}")
                finished += 1
                with h5py.File(run, "r") as f:
                    check("comparison" in f, "a finished compare left no /comparison")
                diff = subprocess.run(["h5diff", "-q", str(pristine), str(run), "/scenarios",
                                       "/scenarios"])
                check(diff.returncode == 0, "compare changed the scenarios' data")
            check(readable(run), f"killed after {delay}: the run file is not readable")
        check(killed_mid_write >= 1, "no kill landed while the temporary copy was being written")
    print(f"kill_compare: OK ({killed_mid_write} kills during the write, {finished} finished)")


if __name__ == "__main__":
    main()
