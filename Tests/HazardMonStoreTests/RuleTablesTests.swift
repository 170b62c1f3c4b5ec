// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonStore
import Testing

/// The rule engine's tables on a real file: round trips, the append-only logs, the restart query.
@Suite(.temporaryDirectory) struct RuleTablesTests {
    static let evidence = Evidence(
        rule: "ff-rain", level: .yellow, channelID: 7, channel: "D7/L3_YL_1", measure: "rain_1h", value: 46.5, threshold: 45,
        at: 1_784_505_600_000, window: 3_600_000, detail: "moisture wet (40)")

    @Test func writtenRowsReadBack() async throws {
        let path = try temporaryDirectory().path()
        let transition = LevelTransition(
            siteCode: "S1", from: .none, to: .yellow, at: 1_784_505_600_000, cause: .raised, late: true, evidence: [Self.evidence])
        let notice = RuleNotice(
            kind: .noData, rule: "m", siteCode: "S1", subject: "D7/L3_YL_1", active: true, at: 1_784_505_700_000, detail: "silent")
        let site = SiteStatus(siteCode: "S1", level: .yellow, since: 1_784_505_600_000, evidence: [Self.evidence])
        try withDatabase(at: path) { db throws in
            try Store.migrator.migrate(db)
            try db.transaction { db throws(StorageError) in
                try RuleTables.write(
                    states: [("ff-rain@S1/7", #"{"level":2}"#)], sites: [site], transitions: [transition], notices: [notice],
                    recordedAt: 1_784_505_800_000, in: db)
                // A state written again replaces the first.
                try RuleTables.write(
                    states: [("ff-rain@S1/7", #"{"level":3}"#)], sites: [], transitions: [], notices: [], recordedAt: 0, in: db)
            }
            #expect(try RuleTables.states(in: db) == ["ff-rain@S1/7": #"{"level":3}"#])
        }
        try await withStore(at: path) { store throws in
            #expect(try await store.levelTransitions() == [transition])
            #expect(try await store.levelTransitions(from: 1_784_505_600_001) == [])
            #expect(try await store.levelTransitions(site: "S2") == [])
            #expect(try await store.ruleNotices() == [notice])
            #expect(try await store.siteLevels() == [site])
        }
    }

    @Test(arguments: ["level_transitions", "rule_notices"])
    func logsAreAppendOnly(table: String) throws {
        let path = try temporaryDirectory().path()
        try withDatabase(at: path) { db throws in
            try Store.migrator.migrate(db)
            try RuleTables.write(
                states: [], sites: [],
                transitions: [LevelTransition(siteCode: "S1", from: .none, to: .blue, at: 1, cause: .raised, evidence: [])],
                notices: [RuleNotice(kind: .lowBattery, rule: "m", siteCode: "S1", subject: "D1", active: true, at: 1, detail: "")],
                recordedAt: 2, in: db)
            #expect(throws: StorageError.self) { try db.execute("UPDATE \(table) SET at = 5") }
            #expect(throws: StorageError.self) { try db.execute("DELETE FROM \(table)") }
        }
    }

    @Test func recentReadingsAreTheSpanBeforeTheNewest() throws {
        let path = try temporaryDirectory().path()
        try withDatabase(at: path) { db throws in
            try Store.migrator.migrate(db)
            for ts in stride(from: Int64(0), through: 10_000, by: 1000) {
                try db.execute("INSERT INTO readings(channel_id, ts, value, received_at) VALUES (1, \(ts), \(ts / 1000), 0)")
                try db.execute("INSERT INTO readings(channel_id, ts, value, received_at) VALUES (2, \(ts + 50_000), 1, 0)")
            }
            let recent = try RuleTables.recentReadings(channelID: 1, span: 3000, in: db)
            #expect(recent.map(\.timestamp) == [7000, 8000, 9000, 10_000])
            #expect(recent.map(\.value) == [7, 8, 9, 10])
            #expect(try RuleTables.recentReadings(channelID: 3, span: 3000, in: db).isEmpty)
        }
    }
}
