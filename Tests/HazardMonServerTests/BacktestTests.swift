// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRegistry
import HazardMonRules
import HazardMonServer
import HazardMonStore
import Testing

/// Replaying stored readings through the live rules and a candidate, and the difference.
@Suite("rules backtest")
struct BacktestTests {
    static let t0: Int64 = 1_784_505_600_000  // 2026-07-20T00:00:00Z

    static func rules(yellow: Int) throws -> RuleSet {
        let text = """
            rules:
              - id: g-rain
                applies_to: {site: G001}
                sensor: rain
                accumulation: {windows: [1h], tiers: {blue: [35], yellow: [\(yellow)]}}
            """
        return RuleSet(rules: try RuleFileLoader.parse(text, file: "rules.yaml"), fingerprint: "y\(yellow)")
    }

    @Test("a lower candidate threshold raises earlier; the diff shows both sides; the warm-up fills the windows")
    func candidateAgainstLive() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let path = folder.appendingPathComponent("hazardmon.sqlite").path
            try await withStore(StorageConfiguration(path: path)) { store in
                let registry = try await RegistryLoader.load(directory: folder.appendingPathComponent("sites").path)
                try await store.replaceRegistry(registry)
                let records = try await store.channels()
                let rain = try #require(records.first { $0.deviceID == "10000001" && $0.channel.code == "L3_YL_1" })
                // 10 mm every 10 minutes from 23:40 to 00:30: 20 mm of it falls before `from` (00:00).
                let rows = (0..<6).map { ReadingRow(channelID: rain.id, timestamp: Self.t0 - 1_200_000 + Int64($0) * 600_000, value: 10) }
                let writer = try IngestWriter(configuration: StorageConfiguration(path: path))
                try writer.commit(rows, health: [], receivedAt: Self.t0)
                writer.close()
                let channels = BoundChannel.from(records: records, registry: registry)
                let from = Self.t0
                let to = Self.t0 + 3_600_000
                let (live, candidate) = try await store.withDatabase { db in
                    (
                        try Backtest.run(rules: try Self.rules(yellow: 45), channels: channels, from: from, to: to, in: db),
                        try Backtest.run(rules: try Self.rules(yellow: 40), channels: channels, from: from, to: to, in: db)
                    )
                }
                // Replayed: the 4 readings at 00:00..00:30 (two earlier ones only fill the window).
                #expect(live.readings == 4)
                // The hour to 00:00 holds 30 mm: nothing. Live: 40 mm at 00:10 is blue, 50 mm at 00:20 yellow.
                // Candidate: yellow at 00:10 already.
                #expect(live.transitions.map { [$0.from, $0.to] } == [[.none, .blue], [.blue, .yellow]])
                #expect(live.transitions.map(\.at) == [Self.t0 + 600_000, Self.t0 + 1_200_000])
                #expect(candidate.transitions.map { [$0.from, $0.to] } == [[.none, .yellow]])
                #expect(candidate.transitions.map(\.at) == [Self.t0 + 600_000])
                #expect(candidate.transitions.first?.evidence.first?.value == 40)
                let diff = Backtest.diff(live: live.transitions, candidate: candidate.transitions)
                #expect(diff.same == 0)
                #expect(diff.onlyLive.map(\.to) == [.blue, .yellow])
                #expect(diff.onlyCandidate.map(\.to) == [.yellow])
                #expect(Backtest.diff(live: live.transitions, candidate: live.transitions).isEmpty)
            }
        }
    }
}
