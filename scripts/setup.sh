#!/usr/bin/env bash
# Set up pbsim: install any missing Debian packages, then configure and build
# (Release) into build/. Idempotent: when everything is present it only runs
# the (incremental) CMake configure and build.
#
# Run it directly (scripts/setup.sh) or source it from a bash script; either
# way the work happens in a subshell, so the caller's directory and shell
# options are left alone (set -euo pipefail applies inside it), and a
# failure is returned as a non-zero status.

PBSIM_PACKAGES=(
  build-essential cmake g++ pkg-config clang-format
  libboost-graph-dev libtbb-dev libhdf5-dev hdf5-tools libcli11-dev catch2
  libtomlplusplus-dev librandom123-dev nlohmann-json3-dev
  libopenmpi-dev openmpi-bin
  python3 python3-h5py python3-numpy python3-scipy python3-matplotlib
  python3-xarray python3-h5netcdf python3-netcdf4 netcdf-bin  # the interop test: netCDF readers
  r-base-core r-cran-hdf5r octave octave-netcdf               # ... and R and Octave
  chromium python3-websocket  # the report's browser check and screenshot
)

pbsim_setup() (
  set -euo pipefail
  log() { echo "[pbsim] $*"; }
  die() { echo "[pbsim] ERROR: $*" >&2; exit 1; }

  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$root"

  command -v dpkg-query >/dev/null 2>&1 \
    || die "dpkg-query not found: this set-up script expects Debian 12 (bookworm)."

  missing=()
  for pkg in "${PBSIM_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done

  if ((${#missing[@]} > 0)); then
    log "missing Debian packages: ${missing[*]}"
    if [[ "$(id -u)" -eq 0 ]]; then
      as_root=()
    elif command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      die "not running as root and sudo is not available; install as root: apt-get install ${missing[*]}"
    fi
    log "apt-get update"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    log "apt-get install ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "${missing[@]}"
  else
    log "all required Debian packages are installed"
  fi

  # MPI sweeps (mpirun -n K pbsim sweep ...) are built by default, so the
  # test suite checks them; PBSIM_MPI=OFF scripts/setup.sh builds without.
  log "configuring (Release, PBSIM_MPI=${PBSIM_MPI:-ON}) in $root/build"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPBSIM_MPI="${PBSIM_MPI:-ON}" >/dev/null \
    || die "CMake configure failed (see the messages above)"
  log "building with $(nproc) jobs"
  cmake --build build -j"$(nproc)" || die "build failed (see the compiler output above)"
  log "build complete: $root/build/pbsim"
)

pbsim_setup
