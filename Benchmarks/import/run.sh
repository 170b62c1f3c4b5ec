#!/usr/bin/env bash
# Register import benchmark: `hazardmon sites import` of N generated sites (validation, PROJ projection to
# CGCS2000 and the working CRS, one SQLite transaction) side by side with ogr2ogr importing the same points
# from CSV into a GeoPackage with the same reprojection (EPSG:4490 -> EPSG:4545). Prints medians and the ratio.
# Usage: Benchmarks/import/run.sh [N] [RUNS]     (release build expected at .build/release/hazardmon)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
RUNS=${2:-3}
BIN=${HAZARDMON:-.build/release/hazardmon}
[ -x "$BIN" ] || { echo "build first: swift build -c release" >&2; exit 1; }
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing: apt-get install -y gdal-bin" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 tools/gen_sample_county.py --bench "$N" --out "$work/register" >/dev/null
python3 - "$BIN" "$work" "$N" "$RUNS" <<'PY'
import os, statistics, subprocess, sys, time
binary, work, n, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def timed(cmd, cleanup):
    cleanup()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start
def rm(*paths):
    def go():
        for p in paths:
            if os.path.exists(p): os.remove(p)
    return go
db = os.path.join(work, "bench.sqlite")
gpkg = os.path.join(work, "out.gpkg")
ours, ogr = [], []
for _ in range(runs):
    ours.append(timed([binary, "sites", "import", os.path.join(work, "register"), "--db", db, "--log-level", "warning"],
                      rm(db, db + "-wal", db + "-shm")))
    # The same CSV file hazardmon reads (all register columns), points taken from its lon/lat columns.
    ogr.append(timed(["ogr2ogr", "-f", "GPKG", gpkg, os.path.join(work, "register", "geohazard.csv"),
                      "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-s_srs", "EPSG:4490", "-t_srs", "EPSG:4545"],
                     rm(gpkg)))
# A re-import of the same register: every site compared, nothing changed.
again = [timed([binary, "sites", "import", os.path.join(work, "register"), "--db", db, "--log-level", "warning"], lambda: None)
         for _ in range(runs)]
mo, mg, ma = statistics.median(ours), statistics.median(ogr), statistics.median(again)
print(f"register import, {n} sites, {runs} runs (median seconds)")
print(f"  hazardmon sites import : {mo:.2f} s  ({n / mo:,.0f} sites/s)  runs {', '.join(f'{t:.2f}' for t in ours)}")
print(f"  ogr2ogr CSV -> GPKG    : {mg:.2f} s  ({n / mg:,.0f} rows/s)   runs {', '.join(f'{t:.2f}' for t in ogr)}")
print(f"  re-import, no changes  : {ma:.2f} s")
print(f"import hazardmon/ogr2ogr time ratio: {mo / mg:.2f}x ({'faster' if mo < mg else 'slower'} than ogr2ogr)")
PY
