#!/usr/bin/env bash
# Checks that an installed hazardmon binary needs only system libraries: no RUNPATH/RPATH, and every
# shared library ldd resolves lives under /lib or /usr/lib (PROJ, SQLite, libc and their dependencies),
# none in the Swift toolchain (libswiftCore, Foundation, Dispatch). Exit 0 clean, 1 not, 2 cannot check.
# Usage: scripts/check-binary.sh [BINARY]   (default .build-install/release/hazardmon)
set -euo pipefail
binary=${1:-.build-install/release/hazardmon}
[ -x "$binary" ] || { echo "check-binary: $binary: no such executable" >&2; exit 2; }
command -v ldd >/dev/null && command -v readelf >/dev/null || { echo "check-binary: needs ldd and readelf (binutils)" >&2; exit 2; }

problems=0
if runpath=$(readelf -d "$binary" | grep -E '\((RUNPATH|RPATH)\)'); then
  echo "check-binary: $binary has a run-time search path (the Swift runtime is not linked in):" >&2
  echo "$runpath" >&2
  problems=1
fi
libs=$(ldd "$binary")
if grep -q 'not found' <<<"$libs"; then
  echo "check-binary: missing libraries:" >&2
  grep 'not found' <<<"$libs" >&2
  problems=1
fi
# "name => /path (addr)" lines, and the loader's own "/lib64/ld-linux... (addr)" line.
outside=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' <<<"$libs" | grep -Ev '^/(usr/)?lib(64|32|x32)?/' || true)
if [ -n "$outside" ]; then
  echo "check-binary: libraries outside the system's library folders:" >&2
  echo "$outside" >&2
  problems=1
fi
if grep -Eq 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime' <<<"$libs"; then
  echo "check-binary: the Swift runtime is linked dynamically:" >&2
  grep -E 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime' <<<"$libs" >&2
  problems=1
fi
if [ "$problems" -ne 0 ]; then exit 1; fi
direct=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "check-binary: $binary needs only system libraries: $direct"
