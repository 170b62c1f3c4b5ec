#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# PROJ throughput: the Geodesy wrapper against a raw C proj_trans_generic loop on the same points.
# Compiles the C baseline into .build/bench/, then runs `hazardmon bench proj` in release mode, which
# prints the medians and the line "proj wrapper/C ratio: 0.93x (wrapper 5.2M pts/s, C 5.6M pts/s)".
#
#   Benchmarks/proj/run.sh [--points N] [--runs R]
#   SCRATCH=.build-geo Benchmarks/proj/run.sh      # another SwiftPM scratch path
set -eu
cd "$(dirname "$0")/../.."

mkdir -p .build/bench
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
cc -O2 -o .build/bench/proj_c_baseline Benchmarks/proj/proj_c_baseline.c $(pkg-config --cflags --libs proj)

swift run -c release --scratch-path "${SCRATCH:-.build}" hazardmon bench proj \
    --baseline .build/bench/proj_c_baseline "$@"
