#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Rule engine throughput: `hazardmon bench rules` in release mode. Readings/s through RuleEngine.apply with
# 10,000 rain channels and 1/3/6/24 h accumulation windows, against two same-run baselines over the same
# readings (floor: append only; rescan: every window summed from scratch per reading), and the bytes of
# state per channel. Prints the medians of RUNS runs and the ratios; see Benchmarks/rules/README.md.
#
#   Benchmarks/rules/run.sh [--channels 10000] [--days 2] [--runs 3]
#   HAZARDMON=.build-bench/release/hazardmon Benchmarks/rules/run.sh   # a binary already built: no build
#   SCRATCH=.build-bench Benchmarks/rules/run.sh                       # build with another scratch path
set -eu
cd "$(dirname "$0")/../.."

if [ -n "${HAZARDMON:-}" ]; then
    BIN=$HAZARDMON
else
    SCRATCH=${SCRATCH:-.build}
    swift build -c release --scratch-path "$SCRATCH" --product hazardmon
    BIN=$SCRATCH/release/hazardmon
fi
[ -x "$BIN" ] || { echo "no hazardmon binary at $BIN" >&2; exit 1; }
[ $# -gt 0 ] || set -- --channels 10000 --days 2 --runs 3
exec "$BIN" bench rules "$@"
