#!/usr/bin/env bash
# Fails if any C++ file of the repository differs from `clang-format` with the
# repository's .clang-format (Debian's clang-format 14). Fix with:
#   clang-format -i $(git ls-files '*.cpp' '*.hpp')
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "[pbsim] clang-format is missing (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/pbsim-format.$$; then
  grep -m 20 "error:" /tmp/pbsim-format.$$ >&2 || true
  rm -f /tmp/pbsim-format.$$
  echo "[pbsim] formatting differs from .clang-format in the files above; run: clang-format -i \$(git ls-files '*.cpp' '*.hpp')" >&2
  exit 1
fi
rm -f /tmp/pbsim-format.$$
echo "[pbsim] format check: ${#files[@]} C++ files match .clang-format"
