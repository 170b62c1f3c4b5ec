#!/usr/bin/env bash
# Checks the system libraries HazardMon builds against and installs them with apt-get when missing.
# Usage: scripts/deps.sh [extra Debian packages...]   (the bench target adds gdal-bin, proj-bin)
set -euo pipefail

packages=(libproj-dev proj-data libsqlite3-dev pkg-config)
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists proj || missing+=(libproj-dev)
  pkg-config --exists sqlite3 || missing+=(libsqlite3-dev)
  projdata=$(pkg-config --variable=datadir proj 2>/dev/null || true)
  [ -f "${projdata:-/usr/share/proj}/proj.db" ] || missing+=(proj-data)
fi
for extra in "$@"; do
  case "$extra" in
    gdal-bin) command -v ogr2ogr >/dev/null 2>&1 || missing+=(gdal-bin) ;;
    proj-bin) command -v cs2cs >/dev/null 2>&1 || missing+=(proj-bin) ;;
    *) dpkg -s "$extra" >/dev/null 2>&1 || missing+=("$extra") ;;
  esac
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
# Install the whole base set with whatever is missing, so a half-installed machine ends up complete.
want=$(printf '%s\n' "${packages[@]}" "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" -ne 0 ]; then
  echo "HazardMon needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y $want" >&2
  exit 1
fi
echo "Installing Debian packages: $want" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $want >/dev/null
