// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRules
import HazardMonServer
import HazardMonStore
import Logging
import Testing

/// The rule engine inside a real daemon: transitions committed with the readings, duplicates not counted
/// twice, a restart in the middle of a storm, bad rules refused at start.
@Suite("rules in the daemon")
struct RulesDaemonTests {
    static func transitions(_ folder: URL) async throws -> [LevelTransition] {
        try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
            try await $0.levelTransitions()
        }
    }

    /// A storm at G001 (rain) and F001 (water level), 5-minute readings ending a little before now.
    static func storm(steps: Int) -> [[(String, String, String, Any)]] {
        (0..<steps).map { step in
            let secondsAgo = Double(steps - step) * 300 + 60
            let rain = [0.0, 2, 5, 9, 12, 14, 10, 6, 1, 0, 0, 0, 0, 0, 0, 0][step % 16]
            let water = [1.0, 1.2, 1.6, 2.1, 2.4, 1.9, 1.4, 1.0][step % 8]
            return [
                ("10000001", "L3_YL_1", stamp(-secondsAgo), rain),
                ("10000003", "L3_DB_1", stamp(-secondsAgo), water),
            ]
        }
    }

    @Test("a crossing is written with its readings: level, time, evidence; the site level is stored")
    func transitionCommittedWithReadings() async throws {
        let t1 = stamp(-600)
        let t2 = stamp(-300)
        try await withDaemon { client, folder async throws in
            #expect(try await client.post([("10000001", "L3_YL_1", t1, 20.0)]).status == 200)
            #expect(try await Self.transitions(folder).isEmpty)
            // Answered 200 only after the commit: the transition is already there.
            #expect(try await client.post([("10000001", "L3_YL_1", t2, 26.0)]).status == 200)
            let transitions = try await Self.transitions(folder)
            #expect(transitions.count == 1)
            let t = try #require(transitions.first)
            #expect(t.siteCode == "G001" && t.from == .none && t.to == .yellow && t.cause == .raised)
            #expect(t.at == Timestamp.parse(t2))
            #expect(t.evidence.first?.rule == "g-rain")
            #expect(t.evidence.first?.measure == "rain_1h")
            #expect(t.evidence.first?.value == 46)
            #expect(t.evidence.first?.threshold == 45)
            #expect(t.evidence.first?.channel == "10000001/L3_YL_1")
            let levels = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                try await $0.siteLevels()
            }
            #expect(levels.map(\.siteCode) == ["G001"])
            #expect(levels.first?.level == .yellow)
            #expect(levels.first?.since == Timestamp.parse(t2))
            let metrics = try await client.metrics().text
            #expect(metrics.contains(#"hazardmon_site_level{site="G001"} 2"#))
            #expect(metrics.contains(#"hazardmon_level_transitions_total{to="yellow"} 1"#))
        }
    }

    @Test("a device retrying a batch: duplicates never count twice")
    func duplicatesDoNotCount() async throws {
        let batch: [(String, String, String, Any)] = [
            ("10000001", "L3_YL_1", stamp(-900), 15.0), ("10000001", "L3_YL_1", stamp(-600), 15.0),
        ]
        try await withDaemon { client, folder async throws in
            #expect(try await client.post(batch).statuses == ["accepted", "accepted"])
            #expect(try await client.post(batch).statuses == ["duplicate", "duplicate"])
            #expect(try await client.post(batch).statuses == ["duplicate", "duplicate"])
            // 30 mm, not 60 or 90: no level.
            #expect(try await Self.transitions(folder).isEmpty)
            #expect(try await client.post([("10000001", "L3_YL_1", stamp(-300), 5.0)]).statuses == ["accepted"])
            #expect(try await Self.transitions(folder).map(\.to) == [.blue])
        }
    }

    @Test("a storm with a restart in the middle gives the same transitions at the same event times")
    func restartInTheMiddle() async throws {
        let storm = Self.storm(steps: 40)
        let straight = try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            return try await withDaemon(in: folder) { client, folder async throws in
                for batch in storm { #expect(try await client.post(batch).status == 200) }
                return try await Self.transitions(folder)
            }
        }
        #expect(straight.count >= 8)
        #expect(Set(straight.map(\.siteCode)) == ["G001", "F001"])
        // Cut at several points; at 3 and 21 the first batch after the restart itself crosses a threshold.
        for cut in [3, 17, 21] {
            let restarted = try await withTemporaryFolder { folder in
                try TestRegister.write(into: folder)
                try await withDaemon(in: folder) { client, _ async throws in
                    for batch in storm[..<cut] { #expect(try await client.post(batch).status == 200) }
                }
                return try await withDaemon(in: folder) { client, folder async throws in
                    for batch in storm[cut...] { #expect(try await client.post(batch).status == 200) }
                    return try await Self.transitions(folder)
                }
            }
            #expect(restarted == straight, "restart after batch \(cut)")
        }
        #expect(straight.contains { $0.at == Timestamp.parse(storm[3][1].2) })
        #expect(straight.contains { $0.at == Timestamp.parse(storm[21][1].2) })
    }

    @Test("the idle clock: a level lapses when its data stops, a silent channel raises a no-data notice")
    func idleClock() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            try Data(
                """
                rules:
                  - id: f-water
                    applies_to: {kind: flash_flood}
                    sensor: water_level
                    level: {tiers: {blue: 1.5}}
                    expiry: 3s
                  - id: g-silent
                    applies_to: {site: G001}
                    sensor: crack
                    no_data: {factor: 1.5}
                """.utf8
            ).write(to: folder.appendingPathComponent("thresholds/rules.yaml"))
            try await withDaemon(in: folder, configure: { $0.ruleClockSeconds = 1 }) { client, folder async throws in
                // Crack interval 600 s: silent after 15 min. This reading is 16 min old when it arrives.
                #expect(try await client.post([("10000002", "L1_LF_1", stamp(-960), 3.0)]).statuses == ["accepted"])
                #expect(try await client.post([("10000003", "L3_DB_1", stamp(-1), 1.6)]).statuses == ["accepted"])
                // No more readings: the clock commits alone.
                let deadline = ContinuousClock.now + .seconds(15)
                var transitions: [LevelTransition] = []
                while ContinuousClock.now < deadline, transitions.count < 2 {
                    try await Task.sleep(for: .milliseconds(200))
                    transitions = try await Self.transitions(folder)
                }
                #expect(transitions.map(\.to) == [.blue, .none])
                #expect(transitions.map(\.cause) == [.raised, .expired])
                #expect(transitions.last.map { $0.at - transitions[0].at }.map { $0 >= 3000 } == true)
                let notices = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                    try await $0.ruleNotices()
                }
                #expect(notices.map(\.kind) == [.noData])
                #expect(notices.first?.subject == "10000002/L1_LF_1")
                #expect(notices.first?.active == true)
            }
        }
    }

    @Test("bad rules at start: the daemon refuses to start and names file:line")
    func badRulesRefused() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            try Data(
                """
                rules:
                  - id: g-rain
                    applies_to: {site: G999}
                    sensor: rain
                    level: {tiers: {blue: 1}}
                """.utf8
            ).write(to: folder.appendingPathComponent("thresholds/rules.yaml"))
            let error = await #expect(throws: RuleError.self) {
                try await withDaemon(in: folder) { _, _ in }
            }
            // File names are relative to the rule folder, which the log names beside them.
            #expect(error?.issues.map(\.description) == ["rules.yaml:3: g-rain.applies_to.site: unknown site 'G999'"])
        }
    }
}
