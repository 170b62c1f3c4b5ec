// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonStore
import Testing

/// One row of the outcome table: readings committed earlier, then a batch and the outcomes it must get.
struct OutcomeCase: Sendable, CustomTestStringConvertible {
    let name: String
    let before: [ReadingRow]
    let batch: [ReadingRow]
    let expected: [ReadingOutcome]

    var testDescription: String { self.name }
}

@Suite(.temporaryStore)
struct IngestWriterTests {
    /// 2026-11-29T00:00:00Z and the minutes after it, in ms.
    static let t0: Int64 = 1_795_910_400_000
    static func t(_ minute: Int64) -> Int64 { Self.t0 + minute * 60_000 }
    static func row(_ channel: Int64, _ minute: Int64, _ value: Double) -> ReadingRow {
        ReadingRow(channelID: channel, timestamp: Self.t(minute), value: value)
    }

    static let receivedBefore: Int64 = Self.t(1_000)
    static let receivedNow: Int64 = Self.t(2_000)

    static let outcomeCases: [OutcomeCase] = [
        OutcomeCase(
            name: "new readings are accepted", before: [], batch: [row(1, 0, 1.5), row(1, 1, 2.5)],
            expected: [.accepted, .accepted]),
        OutcomeCase(
            name: "the same value again is a duplicate", before: [row(1, 0, 1.5)], batch: [row(1, 0, 1.5)],
            expected: [.duplicate]),
        OutcomeCase(
            name: "another value is a conflict that reports the stored one", before: [row(1, 0, 1.5)],
            batch: [row(1, 0, 9.75)], expected: [.conflict(storedValue: 1.5)]),
        OutcomeCase(
            name: "0.0 and -0.0 are equal, so a duplicate", before: [row(1, 0, 0.0)], batch: [row(1, 0, -0.0)],
            expected: [.duplicate]),
        OutcomeCase(
            name: "-0.0 is stored as 0.0, and either repeats as a duplicate", before: [row(1, 0, -0.0)],
            batch: [row(1, 0, 0.0), row(1, 0, -0.0)], expected: [.duplicate, .duplicate]),
        OutcomeCase(
            name: "infinity repeats as a duplicate and conflicts with a finite value",
            before: [row(1, 0, .infinity)], batch: [row(1, 0, .infinity), row(1, 0, 1e308)],
            expected: [.duplicate, .conflict(storedValue: .infinity)]),
        OutcomeCase(
            name: "within a batch, a repeat with the same value is a duplicate", before: [],
            batch: [row(1, 0, 4.0), row(1, 0, 4.0)], expected: [.accepted, .duplicate]),
        OutcomeCase(
            name: "within a batch, the first of two values wins (small, then large)", before: [],
            batch: [row(1, 0, 1.0), row(1, 0, 2.0)], expected: [.accepted, .conflict(storedValue: 1.0)]),
        OutcomeCase(
            name: "within a batch, the first of two values wins (large, then small)", before: [],
            batch: [row(1, 0, 2.0), row(1, 0, 1.0)], expected: [.accepted, .conflict(storedValue: 2.0)]),
        OutcomeCase(
            name: "within a batch, repeats apart from each other still follow the caller's order", before: [],
            batch: [row(1, 5, 7.0), row(1, 0, 1.0), row(1, 5, 8.0), row(1, 0, 1.0), row(1, 5, 7.0)],
            expected: [.accepted, .accepted, .conflict(storedValue: 7.0), .duplicate, .duplicate]),
        OutcomeCase(
            name: "repeats within a batch of a key stored before are judged against the stored value",
            before: [row(1, 0, 1.5)], batch: [row(1, 0, 2.0), row(1, 0, 1.5), row(1, 0, 2.0)],
            expected: [.conflict(storedValue: 1.5), .duplicate, .conflict(storedValue: 1.5)]),
        OutcomeCase(
            name: "time stamps out of order are all accepted", before: [],
            batch: [row(1, 2, 0.2), row(1, 0, 0.0), row(1, 1, 0.1), row(1, -3, -0.3)],
            expected: [.accepted, .accepted, .accepted, .accepted]),
        OutcomeCase(
            name: "several channels interleaved, each with its own keys",
            before: [row(2, 0, 20.0), row(3, 1, 31.0)],
            batch: [
                row(3, 0, 30.0), row(1, 0, 10.0), row(2, 0, 20.0), row(3, 1, 99.0), row(1, 1, 11.0), row(2, 1, 21.0),
                row(1, 0, 10.5), row(3, 0, 30.0), row(2, 0, 20.5),
            ],
            expected: [
                .accepted, .accepted, .duplicate, .conflict(storedValue: 31.0), .accepted, .accepted,
                .conflict(storedValue: 10.0), .duplicate, .conflict(storedValue: 20.0),
            ]),
        OutcomeCase(
            name: "the same time stamp on different channels is different keys", before: [row(1, 0, 1.0)],
            batch: [row(2, 0, 1.0), row(1, 0, 1.0), row(3, 0, 5.0)], expected: [.accepted, .duplicate, .accepted]),
        OutcomeCase(
            name: "extreme keys", before: [],
            batch: [
                ReadingRow(channelID: Int64.max, timestamp: Int64.max, value: 1),
                ReadingRow(channelID: 1, timestamp: Int64.min, value: 2),
                ReadingRow(channelID: Int64.max, timestamp: Int64.max, value: 3),
            ],
            expected: [.accepted, .accepted, .conflict(storedValue: 1)]),
    ]

    /// What the table must hold after `batches` were committed in order: for each key, the first value
    /// offered and the receipt time of the batch that brought it.
    static func firstValues(_ batches: [(rows: [ReadingRow], receivedAt: Int64)]) -> [Int64: [StoredReading]] {
        var first: [Int64: [Int64: StoredReading]] = [:]
        for (rows, receivedAt) in batches {
            for row in rows where first[row.channelID, default: [:]][row.timestamp] == nil {
                first[row.channelID, default: [:]][row.timestamp] = StoredReading(
                    timestamp: row.timestamp, value: row.value, receivedAt: receivedAt)
            }
        }
        return first.mapValues { $0.values.sorted { $0.timestamp < $1.timestamp } }
    }

    @Test(arguments: Self.outcomeCases)
    func outcomesComeBackInTheCallersOrder(_ example: OutcomeCase) async throws {
        let context = try temporaryStore()
        #expect(example.batch.count == example.expected.count, "the case itself is malformed")
        let result = try withIngestWriter(at: context.path) { writer throws in
            if !example.before.isEmpty {
                let earlier = try writer.commit(example.before, health: [], receivedAt: Self.receivedBefore)
                #expect(earlier.outcomes == [ReadingOutcome](repeating: .accepted, count: example.before.count))
            }
            return try writer.commit(example.batch, health: [], receivedAt: Self.receivedNow)
        }
        #expect(result.outcomes == example.expected)
        #expect(result.healthRowsWritten == 0)
        #expect(result.accepted + result.duplicates + result.conflicts == example.batch.count)

        // The table holds exactly the first value offered for each key, read back through the Store.
        let expected = Self.firstValues([(example.before, Self.receivedBefore), (example.batch, Self.receivedNow)])
        for (channel, readings) in expected {
            let stored = try await context.store.readings(channelID: channel)
            #expect(stored == readings, "channel \(channel)")
            // Bit-exact, except that SQLite stores -0.0 as 0.0 (adding 0.0 turns -0.0 into 0.0 and
            // changes nothing else).
            #expect(
                stored.map { ($0.value + 0.0).bitPattern } == readings.map { ($0.value + 0.0).bitPattern },
                "channel \(channel)")
            #expect(!stored.contains { $0.value == 0 && $0.value.sign == .minus }, "channel \(channel)")
        }
        #expect(try await context.store.readingCount() == expected.values.map(\.count).reduce(0, +))
    }

    @Test func aConflictKeepsTheFirstValueAndItsReceiptTime() async throws {
        let context = try temporaryStore()
        try withIngestWriter(at: context.path) { writer throws in
            try writer.commit([Self.row(7, 0, 12.25)], health: [], receivedAt: Self.receivedBefore)
            let result = try writer.commit([Self.row(7, 0, 13.0)], health: [], receivedAt: Self.receivedNow)
            #expect(result.outcomes == [.conflict(storedValue: 12.25)])
            #expect(result.conflicts == 1)
        }
        #expect(
            try await context.store.readings(channelID: 7) == [
                StoredReading(timestamp: Self.t(0), value: 12.25, receivedAt: Self.receivedBefore)
            ])
    }

    @Test func readingsCanBeReadInAHalfOpenWindow() async throws {
        let context = try temporaryStore()
        try withIngestWriter(at: context.path) { writer throws in
            try writer.commit(
                (0..<10).map { Self.row(4, $0, Double($0)) } + [Self.row(5, 3, 99)], health: [], receivedAt: Self.receivedNow)
        }
        let store = context.store
        #expect(try await store.readings(channelID: 4).map(\.value) == (0..<10).map(Double.init))
        #expect(try await store.readings(channelID: 4, from: Self.t(3)).map(\.value) == [3, 4, 5, 6, 7, 8, 9])
        #expect(try await store.readings(channelID: 4, to: Self.t(3)).map(\.value) == [0, 1, 2])
        #expect(try await store.readings(channelID: 4, from: Self.t(3), to: Self.t(5)).map(\.value) == [3, 4])
        #expect(try await store.readings(channelID: 4, from: Self.t(5), to: Self.t(5)).isEmpty)
        #expect(try await store.readings(channelID: 5).map(\.value) == [99])
        #expect(try await store.readings(channelID: 6).isEmpty)
    }

    @Test func theHookRunsInsideTheTransactionWithTheOutcomes() async throws {
        let context = try temporaryStore()
        let rows = [Self.row(1, 0, 1.0), Self.row(2, 0, 2.0), Self.row(1, 0, 3.0)]
        var seen: [ReadingOutcome] = []
        let result = try withIngestWriter(at: context.path) { writer throws in
            try writer.commit(rows, health: [DeviceHealthRow(deviceID: "YL-0001", timestamp: Self.t(0))], receivedAt: Self.receivedNow) {
                db, outcomes throws in
                seen = outcomes
                #expect(db.isInTransaction)
                // The hook sees the batch it belongs to: readings and status reports are already written.
                #expect(try scalar("SELECT count(*) FROM readings", in: db) == .integer(2))
                #expect(try scalar("SELECT sum(value) FROM readings", in: db) == .real(3.0))
                #expect(try scalar("SELECT count(*) FROM device_health", in: db) == .integer(1))
                // Another connection does not, until the commit (a 2xx may only follow the commit).
                try withDatabase(at: context.path) { other throws in
                    #expect(try scalar("SELECT count(*) FROM readings", in: other) == .integer(0))
                }
                // What the hook writes commits with the readings.
                try db.execute("INSERT INTO registry_events(at, kind, detail) VALUES ('2026-11-29T00:00:00.000Z', 'test.hook', '{}')")
            }
        }
        #expect(seen == [.accepted, .accepted, .conflict(storedValue: 1.0)])
        #expect(result.outcomes == seen)
        try withDatabase(at: context.path) { db throws in
            #expect(try scalar("SELECT count(*) FROM readings", in: db) == .integer(2))
            #expect(try scalar("SELECT count(*) FROM registry_events WHERE kind = 'test.hook'", in: db) == .integer(1))
        }
    }

    struct HookFailure: Error, Equatable {
        let reason: String
    }

    @Test func aThrowingHookRollsBackTheWholeBatchAndTheWriterCarriesOn() async throws {
        let context = try temporaryStore()
        let rows: [ReadingRow] = (0..<50).map { (i: Int64) -> ReadingRow in Self.row(i % 5 + 1, i / 5, Double(i)) }
        let report = DeviceHealthRow(deviceID: "LF-0001", timestamp: Self.t(0), batteryPercent: 80)
        try withIngestWriter(at: context.path) { writer throws in
            try writer.commit([Self.row(1, 0, -1.0)], health: [], receivedAt: Self.receivedBefore)

            let error = #expect(throws: HookFailure.self) {
                try writer.commit(rows, health: [report], receivedAt: Self.receivedNow) { db, _ throws in
                    try db.execute("INSERT INTO registry_events(at, kind, detail) VALUES ('x', 'test.hook', '{}')")
                    throw HookFailure(reason: "rule evaluation failed")
                }
            }
            #expect(error == HookFailure(reason: "rule evaluation failed"))

            // A StorageError from the hook rolls back just the same and arrives unchanged.
            let storageError = #expect(throws: StorageError.self) {
                try writer.commit(rows, health: [report], receivedAt: Self.receivedNow) { db, _ throws in
                    try db.execute("INSERT INTO no_such_table VALUES (1)")
                }
            }
            #expect(storageError?.message == "no such table: no_such_table")
        }
        // Only the reading committed before the failures is there; nothing of the failed batches.
        #expect(try await context.store.readingCount() == 1)
        #expect(try await context.store.latestHealth(deviceID: "LF-0001") == nil)
        try withDatabase(at: context.path) { db throws in
            #expect(try scalar("SELECT count(*) FROM registry_events", in: db) == .integer(0))
        }

        // The next commit works and judges the same rows as if the failed ones never happened.
        let result = try withIngestWriter(at: context.path) { writer throws in
            try writer.commit(rows, health: [report], receivedAt: Self.receivedNow)
        }
        #expect(result.outcomes == [.conflict(storedValue: -1.0)] + [ReadingOutcome](repeating: .accepted, count: 49))
        #expect(try await context.store.readingCount() == 50)
        #expect(try await context.store.latestHealth(deviceID: "LF-0001") == report)
    }

    @Test func aRollbackMidBatchLeavesTheSameWriterUsable() async throws {
        let context = try temporaryStore()
        try withIngestWriter(at: context.path) { writer throws in
            #expect(throws: HookFailure.self) {
                try writer.commit([Self.row(1, 0, 1.0), Self.row(1, 1, 2.0)], health: [], receivedAt: Self.receivedNow) { _, _ throws in
                    throw HookFailure(reason: "no")
                }
            }
            // The same prepared statements run again on the same connection.
            let result = try writer.commit([Self.row(1, 1, 2.0), Self.row(1, 0, 1.0), Self.row(1, 1, 2.5)], health: [], receivedAt: Self.receivedNow)
            #expect(result.outcomes == [.accepted, .accepted, .conflict(storedValue: 2.0)])
        }
        #expect(try await context.store.readings(channelID: 1).map(\.value) == [1.0, 2.0])
    }

    @Test func aNaNIsRefusedBeforeAnythingIsWritten() async throws {
        let context = try temporaryStore()
        try withIngestWriter(at: context.path) { writer throws in
            let error = #expect(throws: StorageError.self) {
                try writer.commit([Self.row(1, 0, 1.0), Self.row(3, 2, .nan)], health: [], receivedAt: Self.receivedNow)
            }
            guard case .rejected(let message)? = error else {
                Issue.record("expected rejected, got \(String(describing: error))")
                return
            }
            #expect(message.hasPrefix("reading 1 of the batch (channel 3, ts \(Self.t(2))) is NaN"))
        }
        #expect(try await context.store.readingCount() == 0)
    }

    @Test func writesAreVisibleToAStoreOpenOnTheSameFile() async throws {
        let context = try temporaryStore()
        #expect(try await context.store.readingCount() == 0)
        try withIngestWriter(at: context.path) { writer throws in
            try writer.commit([Self.row(11, 0, 3.5), Self.row(12, 0, 4.5)], health: [], receivedAt: Self.receivedNow)
        }
        // The store's connection was open all along and sees the committed batch.
        #expect(try await context.store.readingCount() == 2)
        #expect(
            try await context.store.readings(channelID: 12) == [StoredReading(timestamp: Self.t(0), value: 4.5, receivedAt: Self.receivedNow)])
    }

    @Test func statusReportsAreUpsertedAndTheLatestIsFound() async throws {
        let context = try temporaryStore()
        let early = DeviceHealthRow(
            deviceID: "YL-0001", timestamp: Self.t(0), batteryPercent: 93, supplyVolt: 12.1, solarVolt: 18.4,
            temperature: 21.5, humidity: 60, signal: -71, firmware: "V2.1.0", sensorState: ["L3_YL_1": 0])
        var late = early
        late.timestamp = Self.t(10)
        late.batteryPercent = 88
        late.sensorState = ["L3_YL_1": -3, "L1_LF_1": 0, "L1_LF_2": -1]
        var middle = early
        middle.timestamp = Self.t(5)
        middle.batteryPercent = 90
        let sparse = DeviceHealthRow(deviceID: "SW-0101", timestamp: Self.t(3))

        let result = try withIngestWriter(at: context.path) { writer throws in
            // Out of order on purpose: the latest is the largest time stamp, not the last written.
            try writer.commit([], health: [late, early, sparse, middle], receivedAt: Self.receivedBefore)
        }
        #expect(result.healthRowsWritten == 4)
        #expect(result.outcomes.isEmpty)
        #expect(try await context.store.latestHealth(deviceID: "YL-0001") == late)
        #expect(try await context.store.latestHealth(deviceID: "SW-0101") == sparse)
        #expect(try await context.store.latestHealth(deviceID: "never-reported") == nil)

        // A repeat of (device, time stamp) replaces the report, every field of it.
        var corrected = late
        corrected.batteryPercent = nil
        corrected.firmware = "V2.1.1"
        corrected.sensorState = [:]
        try withIngestWriter(at: context.path) { writer throws in
            let again = try writer.commit([], health: [corrected], receivedAt: Self.receivedNow)
            #expect(again.healthRowsWritten == 1)
        }
        #expect(try await context.store.latestHealth(deviceID: "YL-0001") == corrected)
        try withDatabase(at: context.path) { db throws in
            #expect(try scalar("SELECT count(*) FROM device_health", in: db) == .integer(4))
            #expect(
                try scalar("SELECT received_at FROM device_health WHERE device_id = 'YL-0001' AND ts = \(Self.t(10))", in: db)
                    == .integer(Self.receivedNow))
            #expect(
                try scalar("SELECT sensor_state FROM device_health WHERE device_id = 'YL-0001' AND ts = \(Self.t(5))", in: db)
                    == .text(#"{"L3_YL_1":0}"#))
        }
    }

    @Test func aWriterCanBeClosedOnceAndRefusesWorkAfterwards() throws {
        let context = try temporaryStore()
        let writer = try IngestWriter(configuration: StorageConfiguration(path: context.path))
        #expect(writer.isOpen)
        writer.close()
        writer.close()
        #expect(!writer.isOpen)
        #expect(throws: StorageError.closed(path: context.path)) {
            try writer.commit([Self.row(1, 0, 1)], health: [], receivedAt: Self.receivedNow)
        }
    }

    @Test func tenThousandRowsInOneCommit() async throws {
        let context = try temporaryStore()
        // 100 channels, 100 minutes, in arrival order: every channel's minute m before anyone's m + 1.
        let rows: [ReadingRow] = (0..<10_000).map { (i: Int) -> ReadingRow in
            Self.row(Int64(i % 100 + 1), Int64(i / 100), Double(i) / 8)
        }
        var changed = rows
        for i in stride(from: 0, to: changed.count, by: 7) { changed[i].value += 1 }

        try withIngestWriter(at: context.path) { writer throws in
            let first = try writer.commit(rows, health: [], receivedAt: Self.receivedBefore)
            #expect(first.accepted == 10_000)
            // The same rows again, every 7th with another value: duplicates and conflicts, in order.
            let second = try writer.commit(changed, health: [], receivedAt: Self.receivedNow)
            #expect(second.outcomes.count == 10_000)
            for (i, outcome) in second.outcomes.enumerated() {
                let expected: ReadingOutcome = i % 7 == 0 ? .conflict(storedValue: rows[i].value) : .duplicate
                if outcome != expected {
                    Issue.record("row \(i): \(outcome), expected \(expected)")
                    break
                }
            }
            #expect(second.conflicts == (10_000 + 6) / 7)
        }
        #expect(try await context.store.readingCount() == 10_000)
        let channel37 = try await context.store.readings(channelID: 37)
        #expect(channel37.count == 100)
        let minutes: [Int64] = Array(0..<100)
        #expect(channel37.map(\.timestamp) == minutes.map { Self.t($0) })
        #expect(channel37.map(\.value) == minutes.map { (m: Int64) -> Double in Double(m * 100 + 36) / 8 })
        #expect(channel37.allSatisfy { $0.receivedAt == Self.receivedBefore })
    }
}

@Suite(.temporaryDirectory)
struct IngestWriterFileTests {
    @Test func aWriterOnANewFileMigratesIt() throws {
        let path = try temporaryDirectory().path()
        try withIngestWriter(at: path) { writer throws in
            try writer.commit([IngestWriterTests.row(1, 0, 1)], health: [], receivedAt: IngestWriterTests.receivedNow)
        }
        try withDatabase(at: path) { db throws in
            #expect(try db.userVersion == Store.migrator.latestVersion)
            #expect(try scalar("SELECT count(*) FROM readings", in: db) == .integer(1))
        }
    }

    @Test func reopeningTheFileKeepsEverything() async throws {
        let path = try temporaryDirectory().path()
        let rows: [ReadingRow] = (0..<300).map { (i: Int) -> ReadingRow in
            IngestWriterTests.row(Int64(i % 3 + 1), Int64(i / 3), Double(i))
        }
        let report = DeviceHealthRow(
            deviceID: "GP-0007", timestamp: IngestWriterTests.t(9), batteryPercent: 55.5, firmware: "固件 1.0",
            sensorState: ["L1_GP_1": -2])
        try withIngestWriter(at: path) { writer throws in
            try writer.commit(rows, health: [report], receivedAt: IngestWriterTests.receivedBefore)
        }
        // A new writer on the reopened file knows every key: the same rows are all duplicates now.
        let again = try withIngestWriter(at: path) { writer throws in
            try writer.commit(Array(rows.reversed()), health: [], receivedAt: IngestWriterTests.receivedNow)
        }
        #expect(again.outcomes == [ReadingOutcome](repeating: .duplicate, count: 300))
        try await withStore(at: path) { store throws in
            #expect(try await store.readingCount() == 300)
            #expect(try await store.readings(channelID: 2).map(\.value) == stride(from: 1.0, to: 300, by: 3).map { $0 })
            #expect(try await store.latestHealth(deviceID: "GP-0007") == report)
        }
    }

    /// A database made by a build that knew only v1 gets the readings tables and keeps its register.
    @Test func aVersion1DatabaseIsMigratedToTheLatest() async throws {
        let path = try temporaryDirectory().path()
        let v1 = Migrator(Array(Store.migrator.migrations.prefix(1)))
        try withDatabase(at: path) { db throws in
            try v1.migrate(db)
            #expect(try db.userVersion == 1)
            try db.execute(
                """
                INSERT INTO channels(device_id, channel_code, site_code, point_code, kind, unit, interval_s, valid_min, valid_max)
                VALUES ('YL-0001', 'L3_YL_1', '500237010001', 'JC01', 'rain', 'mm', 300, 0, 200)
                """)
        }
        try await withStore(at: path) { store throws in
            #expect(try await store.schemaVersion() == Store.migrator.latestVersion)
            #expect(try await store.channels().map(\.id) == [1])
            #expect(try await store.readingCount() == 0)
        }
        try withDatabase(at: path) { db throws in
            // Both new tables, keyed as designed: STRICT and WITHOUT ROWID.
            let shape = try db.prepare(
                "SELECT name, strict, wr FROM pragma_table_list WHERE name IN ('readings', 'device_health') ORDER BY name")
            let tables = try shape.fetchAll { "\($0.string(at: 0)) strict=\($0.int(at: 1)) wr=\($0.int(at: 2))" }
            #expect(tables == ["device_health strict=1 wr=1", "readings strict=1 wr=1"])
            let keys = try db.prepare("SELECT name FROM pragma_table_info('readings') WHERE pk > 0 ORDER BY pk")
            #expect(try keys.fetchAll { $0.string(at: 0) } == ["channel_id", "ts"])
        }
        let result = try withIngestWriter(at: path) { writer throws in
            try writer.commit([ReadingRow(channelID: 1, timestamp: IngestWriterTests.t0, value: 0.5)], health: [], receivedAt: 0)
        }
        #expect(result.outcomes == [.accepted])
    }
}
