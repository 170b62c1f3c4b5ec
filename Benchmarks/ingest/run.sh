#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Ingest storage throughput: IngestWriter.commit against the raw C ceiling, same rows, same batches, same
# pragmas, fresh files, one after the other in this run. Prints both medians and the ratio.
#
#   Benchmarks/ingest/run.sh [N=1000000] [BATCH=1000] [CHANNELS=100]
#   DIR=/dev/shm Benchmarks/ingest/run.sh      # where the database files go (default: a temporary folder)
#
# The Swift side is built with swiftc -O -wmo straight from Sources/HazardMonCore and Sources/HazardMonStore,
# the same optimisation SwiftPM's release build uses, so neither Package.swift nor the Hummingbird build is
# involved. Binaries go to .build/bench/.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-1000000}
BATCH=${2:-1000}
CHANNELS=${3:-100}

out=.build/bench
mkdir -p "$out/modules"
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
cc -O2 -o "$out/sqlite_c_ceiling" Benchmarks/ingest/sqlite_c_ceiling.c $(pkg-config --cflags --libs sqlite3)

swift_flags="-O -wmo -swift-version 6 -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility"
# shellcheck disable=SC2086  # the flags are several words on purpose
swiftc $swift_flags -parse-as-library -module-name HazardMonCore -emit-module -emit-module-path "$out/modules/HazardMonCore.swiftmodule" \
    -emit-library -static -o "$out/libHazardMonCore.a" Sources/HazardMonCore/*.swift
# shellcheck disable=SC2086
swiftc $swift_flags -parse-as-library -module-name HazardMonStore -I "$out/modules" -I Sources/CSQLite \
    -emit-module -emit-module-path "$out/modules/HazardMonStore.swiftmodule" \
    -emit-library -static -o "$out/libHazardMonStore.a" Sources/HazardMonStore/*.swift
# shellcheck disable=SC2086
swiftc $swift_flags -parse-as-library -I "$out/modules" -I Sources/CSQLite -o "$out/writer_bench" \
    Benchmarks/ingest/writer_bench.swift -L "$out" -lHazardMonStore -lHazardMonCore -lsqlite3

work=$(mktemp -d "${DIR:-${TMPDIR:-/tmp}}/hazardmon-ingest-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
c_out=$("$out/sqlite_c_ceiling" "$work/c.sqlite" "$N" "$BATCH" "$CHANNELS")
echo "$c_out"
w_out=$("$out/writer_bench" "$work/w.sqlite" "$N" "$BATCH" "$CHANNELS")
echo "$w_out"
c=$(echo "$c_out" | sed -n 's/^c_ceiling rows_per_s=//p')
w=$(echo "$w_out" | sed -n 's/^writer rows_per_s=\([0-9]*\).*/\1/p')
awk -v w="$w" -v c="$c" 'BEGIN { printf "ingest writer/C ratio: %.2fx (writer %d rows/s, C %d rows/s)\n", w / c, w, c }'
