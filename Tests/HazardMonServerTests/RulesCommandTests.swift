// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonServer
import Testing

/// `hazardmon rules backtest` and `rules levels` run as the built executable, on a database a real daemon filled.
@Suite("rules commands")
struct RulesCommandTests {
    /// Runs the built `hazardmon` with `arguments`; returns exit status, stdout and stderr.
    static func hazardmon(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let run = try HazardmonRun.run(arguments)
        return (run.status, run.out, run.err)
    }

    @Test("backtest prints the transitions and the diff of a candidate; levels shows the live state")
    func backtestAndLevels() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let start = Date(timeIntervalSinceNow: -3600)
            let times = (0..<4).map { start.addingTimeInterval(Double($0) * 600) }
            func iso(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
            try await withDaemon(in: folder) { client, _ async throws in
                // Water at F001: 1.6 (blue), 2.1 (yellow), 1.8, 1.2.
                for (time, value) in zip(times, [1.6, 2.1, 1.8, 1.2]) {
                    #expect(try await client.post([("10000003", "L3_DB_1", iso(time), value)]).statuses == ["accepted"])
                }
            }
            let candidate = folder.appendingPathComponent("candidate")
            try FileManager.default.createDirectory(at: candidate, withIntermediateDirectories: true)
            try Data(TestRegister.rules.replacingOccurrences(of: "yellow: 2.0", with: "yellow: 1.7").utf8)
                .write(to: candidate.appendingPathComponent("rules.yaml"))
            let db = folder.appendingPathComponent("hazardmon.sqlite").path
            let from = iso(start.addingTimeInterval(-60))
            let to = iso(Date())
            let result = try Self.hazardmon([
                "rules", "backtest", "--db", db, "--from", from, "--to", to,
                "--live", folder.appendingPathComponent("thresholds").path, "--rules", candidate.path,
            ])
            #expect(result.status == 0, "\(result.err)")
            let lines = result.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("4 readings through") == true)
            // The candidate's yellow at 1.7 m: yellow at the 2nd reading, kept at 1.8, blue... none at 1.2.
            #expect(lines.contains { $0.contains("F001  none -> blue  raised") && $0.contains("f-water: value 1.6 >= 1.5") })
            #expect(lines.contains { $0.contains("F001  yellow -> none  lowered") })
            #expect(lines.contains { $0.hasPrefix("diff against the live rules") && $0.contains("only live") })
            #expect(lines.contains { $0.hasPrefix("+ ") && $0.contains("F001  yellow -> none") })
            #expect(lines.contains { $0.hasPrefix("- ") && $0.contains("F001  yellow -> blue") })

            let levels = try Self.hazardmon(["rules", "levels", "--db", db])
            #expect(levels.status == 0)
            #expect(levels.out.contains("no site above none"))
            #expect(levels.out.contains("F001  blue -> yellow  raised  recorded "))

            let bad = try Self.hazardmon(["rules", "backtest", "--db", db, "--from", "yesterday", "--to", to])
            #expect(bad.status == 64)
            #expect(bad.err.contains("--from 'yesterday': not a date or time; accepted: YYYY-MM-DD"))
        }
    }
}
