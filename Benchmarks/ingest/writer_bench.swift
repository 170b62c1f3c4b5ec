// SPDX-License-Identifier: Apache-2.0
//
// IngestWriter throughput on the same rows, batches and file setup as sqlite_c_ceiling.c, so the two
// numbers compare directly.
//
//   usage: writer_bench DB_PATH [N=1000000] [BATCH=1000] [CHANNELS=100]
//
// Each of 3 runs deletes DB_PATH (and -wal, -shm), opens an IngestWriter on it (which creates and
// migrates the schema), and commits N rows in batches of BATCH, one `commit` a batch. Rows are built
// before the clock starts, in the C program's arrival order: row i is channel i % CHANNELS + 1 at minute
// i / CHANNELS, value (i % 1000) * 0.25. Then the same batches are committed a second time, when every
// row is a duplicate (the path of a device retrying). Only the commit loops are timed. Prints each run
// and the medians:
//
//   writer rows_per_s=<median> duplicates_per_s=<median>
//
// Build and run with Benchmarks/ingest/run.sh, which compiles HazardMonCore and HazardMonStore with
// `swiftc -O -wmo` (no change to Package.swift, no Hummingbird build).

import Foundation
import HazardMonCore
import HazardMonStore

@main
struct WriterBench {
    static let runs = 3
    /// 2026-11-29T00:00:00Z in ms, as in the C program.
    static let startMilliseconds: Int64 = 1_795_910_400_000

    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: writer_bench DB_PATH [N=1000000] [BATCH=1000] [CHANNELS=100]\n".utf8))
            exit(2)
        }
        let path = arguments[1]
        let n = arguments.count > 2 ? Int(arguments[2]) ?? 0 : 1_000_000
        let batch = arguments.count > 3 ? Int(arguments[3]) ?? 0 : 1_000
        let channels = arguments.count > 4 ? Int(arguments[4]) ?? 0 : 100
        guard n > 0, batch > 0, channels > 0 else {
            FileHandle.standardError.write(Data("N, BATCH and CHANNELS must be positive integers\n".utf8))
            exit(2)
        }
        print("writer n=\(n) batch=\(batch) channels=\(channels)")

        let rows = (0..<n).map { (i: Int) -> ReadingRow in
            let minute = Int64(i / channels)
            return ReadingRow(
                channelID: Int64(i % channels + 1), timestamp: Self.startMilliseconds + minute * 60_000,
                value: Double(i % 1000) * 0.25)
        }
        let batches = stride(from: 0, to: n, by: batch).map { Array(rows[$0..<min($0 + batch, n)]) }

        var inserts: [Double] = []
        var duplicates: [Double] = []
        for run in 1...Self.runs {
            Self.removeDatabase(path)
            let writer = try IngestWriter(configuration: StorageConfiguration(path: path))
            let receivedAt = Self.startMilliseconds + 86_400_000
            let first = try Self.timed {
                for rows in batches {
                    let result = try writer.commit(rows, health: [], receivedAt: receivedAt)
                    guard result.accepted == rows.count else { fatalError("a fresh file refused rows: \(result.outcomes)") }
                }
            }
            let second = try Self.timed {
                for rows in batches {
                    let result = try writer.commit(rows, health: [], receivedAt: receivedAt)
                    guard result.duplicates == rows.count else { fatalError("repeated rows were not duplicates") }
                }
            }
            writer.close()
            Self.removeDatabase(path)
            inserts.append(Double(n) / first)
            duplicates.append(Double(n) / second)
            print("run \(run): \(Int(inserts.last!)) rows/s, \(Int(duplicates.last!)) duplicates/s")
        }
        print("writer rows_per_s=\(Int(Self.median(inserts))) duplicates_per_s=\(Int(Self.median(duplicates)))")
    }

    static func timed(_ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    static func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }

    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}
