// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// What one ``IngestWriter/commit(_:health:receivedAt:inTransaction:beforeInserts:)`` stored.
public struct IngestBatchResult: Sendable, Hashable {
    /// One outcome per reading, in the order the readings were given.
    public var outcomes: [ReadingOutcome]
    /// How many device status rows were written (each inserted or replaced).
    public var healthRowsWritten: Int

    /// A result; the writer makes these, tests may too.
    public init(outcomes: [ReadingOutcome], healthRowsWritten: Int) {
        self.outcomes = outcomes
        self.healthRowsWritten = healthRowsWritten
    }

    /// How many readings were new.
    public var accepted: Int { self.outcomes.count(where: { $0 == .accepted }) }
    /// How many readings repeated a stored one with the same value.
    public var duplicates: Int { self.outcomes.count(where: { $0 == .duplicate }) }
    /// How many readings disagreed with a stored one (which was kept).
    public var conflicts: Int { self.outcomes.count(where: { if case .conflict = $0 { true } else { false } }) }
}

/// The write half of sensor ingestion: commits a batch of readings and device status reports in one
/// SQLite transaction, on a connection of its own.
///
/// ```swift
/// let writer = try IngestWriter(configuration: StorageConfiguration(path: path))
/// let result = try writer.commit(rows, health: reports, receivedAt: nowMilliseconds) { db, outcomes in
///     try rules.apply(rows, outcomes, db)   // rule state, alert events, outbox: the same transaction
/// }
/// // Only now may the requests that carried `rows` be answered 2xx (design.md).
/// writer.close()
/// ```
///
/// ## Idempotence
/// A reading is keyed by (channel id, time stamp) and the first value stored for a key wins. Offering a
/// key again gives ``ReadingOutcome/duplicate`` when the value is the same and
/// ``ReadingOutcome/conflict(storedValue:)`` when it is not; the stored value never changes. Repeats
/// within one batch follow the same rule in the caller's order. A device status report is keyed by
/// (device id, time stamp) and a repeat replaces it.
///
/// ## Speed
/// Each batch is inserted in (channel id, time stamp) order, the table's key order, through prepared
/// statements kept for the writer's lifetime. Key order also puts the repeats of a key next to each
/// other, so a repeat within the batch is settled without asking SQLite. A key stored by an earlier
/// batch costs one extra point lookup. Measured against raw C in `Benchmarks/ingest/README.md`.
///
/// ## Threading
/// An `IngestWriter` is not `Sendable`. Call it from one thread at a time, the caller's: in the daemon,
/// every call (`init`, `commit`, `close`) runs on the ingestion loop's serial `DispatchQueue`. It never
/// dispatches anywhere itself; `commit` blocks that thread for the transaction and calls `inTransaction`
/// on it. This confinement is what lets its connection run without SQLite's mutex, as for ``Database``.
///
/// The writer's connection is its own, separate from the ``Store`` actor's, so ingestion never queues
/// behind the actor's jobs. The two meet only in SQLite's locks: in WAL mode the store's reads run while
/// the writer writes and see each batch once it has committed, and a commit waits (up to the busy
/// timeout) while the store itself writes, for instance during a registry import.
///
/// ## Closing
/// Call ``close()`` when ingestion stops. `deinit` asserts that happened and closes anyway as a safety
/// net in release builds.
public final class IngestWriter {
    /// How the writer's connection was opened.
    public let configuration: StorageConfiguration
    private let database: Database
    /// nil once closed.
    private var statements: Statements?
    private let encoder: JSONEncoder

    /// The writer's prepared statements, compiled once when it opens and reused by every commit.
    ///
    /// A class so that the writer can drop (and so finalise) all of them in one assignment when it
    /// closes; `Statement` is `~Copyable`, and `let` properties of a class can be borrowed in place.
    private final class Statements {
        /// Skips a key that is already stored. `ON CONFLICT (key) DO NOTHING` rather than `INSERT OR
        /// IGNORE`: OR IGNORE would also skip rows that break NOT NULL or a column type, silently.
        let insertReading: Statement
        /// The stored value of a key, read only when an insert was skipped.
        let storedValue: Statement
        /// Inserts or replaces a status report.
        let upsertHealth: Statement

        init(_ db: Database) throws(StorageError) {
            self.insertReading = try db.prepare(
                """
                INSERT INTO readings(channel_id, ts, value, received_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (channel_id, ts) DO NOTHING
                """)
            self.storedValue = try db.prepare("SELECT value FROM readings WHERE channel_id = ?1 AND ts = ?2")
            self.upsertHealth = try db.prepare(
                """
                INSERT INTO device_health(
                    device_id, ts, received_at, battery_percent, supply_volt, solar_volt, temperature, humidity,
                    signal, firmware, sensor_state)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                ON CONFLICT (device_id, ts) DO UPDATE SET
                    received_at = excluded.received_at, battery_percent = excluded.battery_percent,
                    supply_volt = excluded.supply_volt, solar_volt = excluded.solar_volt,
                    temperature = excluded.temperature, humidity = excluded.humidity, signal = excluded.signal,
                    firmware = excluded.firmware, sensor_state = excluded.sensor_state
                """)
        }
    }

    /// Opens a connection to the database file, migrates it to the current schema (``Store/migrator``,
    /// the same steps the ``Store`` runs) and prepares the writer's statements.
    ///
    /// - Parameter configuration: Path, `synchronous` level and busy timeout; the connection is set up as
    ///   every ``Database`` is (WAL, foreign keys on).
    /// - Throws: ``StorageError/open(path:code:message:)`` when the file cannot be opened,
    ///   ``StorageError/migration(version:message:)`` when the schema cannot be brought up to date or is
    ///   newer than this build. The connection is closed again on failure.
    public init(configuration: StorageConfiguration) throws(StorageError) {
        let database = try Database(configuration: configuration)
        do throws(StorageError) {
            try Store.migrator.migrate(database)
            self.statements = try Statements(database)
        } catch {
            database.close()
            throw error
        }
        self.configuration = configuration
        self.database = database
        let encoder = JSONEncoder()
        // Sorted keys make the stored text of a sensor state a function of its value.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.encoder = encoder
    }

    deinit {
        assert(!self.database.isOpen, "IngestWriter at \(self.configuration.path) was not closed before deinit; call close()")
        self.close()
    }

    /// Whether the writer is open.
    public var isOpen: Bool { self.statements != nil }

    /// Finalises the statements and closes the connection. Calling it again does nothing; commits after
    /// it throw ``StorageError/closed(path:)``.
    public func close() {
        self.statements = nil
        self.database.close()
    }

    /// Stores a batch of readings and device status reports in one transaction, and runs
    /// `inTransaction` inside it.
    ///
    /// Runs `BEGIN IMMEDIATE`, inserts the readings in (channel id, time stamp) order, upserts the status
    /// reports, calls `inTransaction` with the connection and the outcomes, then `COMMIT`s. Whatever
    /// `inTransaction` writes (rule state, alert events, outbox rows) therefore commits atomically with the
    /// readings that caused it. When anything fails, `inTransaction` included, the whole batch rolls back
    /// and the error propagates; the writer stays usable. When this returns, the batch is committed.
    ///
    /// The transaction always runs, also for an empty batch, so `inTransaction` can do time-driven work.
    ///
    /// - Parameters:
    ///   - rows: The readings, in any order, repeats allowed (see ``IngestWriter`` on idempotence). Each
    ///     `channelID` must be a channel id from the channel directory (``Store/channels(includingRetired:)``).
    ///   - health: Device status reports; a repeat of a (device, time stamp) replaces the earlier one, so
    ///     within the batch the last one wins.
    ///   - receivedAt: When the batch arrived, ms since the Unix epoch, UTC; stored with every new row.
    ///   - inTransaction: Further work for the same transaction, given this writer's connection and one
    ///     outcome per reading in the order of `rows`. It must not begin, commit or roll back itself.
    ///   - beforeInserts: Work in the same transaction before the batch is written: it reads the database
    ///     as the previous commits left it (the rule engine rebuilds its state there).
    /// - Returns: The outcomes in the order of `rows` and the number of status rows written.
    /// - Throws: ``StorageError/rejected(_:)`` (before taking the write lock) when a reading's value is
    ///   NaN or a sensor state cannot be encoded; ``StorageError/closed(path:)`` after ``close()``; any
    ///   SQLite failure as a ``StorageError``; or exactly what `inTransaction` threw. Nothing is stored then.
    @discardableResult
    public func commit(
        _ rows: [ReadingRow], health: [DeviceHealthRow], receivedAt: Int64,
        inTransaction: (Database, [ReadingOutcome]) throws -> Void = { _, _ in },
        beforeInserts: (Database) throws -> Void = { _ in }
    ) throws -> IngestBatchResult {
        guard let statements = self.statements else { throw StorageError.closed(path: self.configuration.path) }
        // Check and encode everything before taking the write lock.
        if let index = rows.firstIndex(where: { $0.value.isNaN }) {
            throw StorageError.rejected(
                "reading \(index) of the batch (channel \(rows[index].channelID), ts \(rows[index].timestamp)) is NaN, "
                    + "which SQLite cannot store; nothing of the batch was written")
        }
        let order = Self.keyOrder(rows)
        let states = try health.map { report throws(StorageError) in try self.encodeSensorState(report) }

        try self.database.execute("BEGIN IMMEDIATE TRANSACTION")
        do {
            try beforeInserts(self.database)
            let outcomes = try Self.insertReadings(
                rows, in: order, receivedAt: receivedAt, statements.insertReading, statements.storedValue, self.database)
            try Self.upsertHealth(health, states: states, receivedAt: receivedAt, statements.upsertHealth)
            try inTransaction(self.database, outcomes)
            try self.database.execute("COMMIT TRANSACTION")
            return IngestBatchResult(outcomes: outcomes, healthRowsWritten: health.count)
        } catch {
            self.database.rollbackAfterFailure()
            throw error
        }
    }

    // MARK: Readings

    /// The indexes of `rows` in (channel id, time stamp, index) order: key order, and for equal keys the
    /// caller's order, so the first of a run of equal keys is the one the caller gave first.
    static func keyOrder(_ rows: [ReadingRow]) -> [Int] {
        let inOrder = zip(rows, rows.dropFirst()).allSatisfy { earlier, later in
            (earlier.channelID, earlier.timestamp) <= (later.channelID, later.timestamp)
        }
        // A batch from one channel, or a replay, is often in key order already: one pass instead of a sort.
        guard !inOrder else { return Array(rows.indices) }
        var keys = rows.enumerated().map { (channelID: $1.channelID, timestamp: $1.timestamp, index: $0) }
        keys.sort { ($0.channelID, $0.timestamp, $0.index) < ($1.channelID, $1.timestamp, $1.index) }
        return keys.map(\.index)
    }

    /// Inserts `rows` in `order` and returns their outcomes in the caller's order.
    ///
    /// Equal keys are adjacent in `order`, so a repeat of the previous key within the batch is settled
    /// against the value remembered for it, without touching SQLite. Otherwise the insert is tried; when
    /// SQLite reports no change the key was stored before this batch, and its value is read back.
    private static func insertReadings(
        _ rows: [ReadingRow], in order: [Int], receivedAt: Int64, _ insert: borrowing Statement,
        _ storedValue: borrowing Statement, _ db: Database
    ) throws(StorageError) -> [ReadingOutcome] {
        var outcomes = [ReadingOutcome](repeating: .accepted, count: rows.count)
        // Bindings survive reset: the receipt time is the same for every row.
        try insert.bind(receivedAt, at: 4)
        var previous: (channelID: Int64, timestamp: Int64, stored: Double)?
        for index in order {
            let row = rows[index]
            if let previous, previous.channelID == row.channelID, previous.timestamp == row.timestamp {
                outcomes[index] = Self.outcome(of: row.value, stored: previous.stored)
                continue
            }
            try insert.bind(row.channelID, at: 1)
            try insert.bind(row.timestamp, at: 2)
            try insert.bind(row.value, at: 3)
            // Resetting keeps `changes`, which counts the last completed INSERT: 0 when it was skipped.
            defer { insert.reset() }
            try insert.step()
            var stored = row.value
            if db.changes == 0 {
                stored = try Self.storedValue(of: row, storedValue)
                outcomes[index] = Self.outcome(of: row.value, stored: stored)
            }
            previous = (row.channelID, row.timestamp, stored)
        }
        return outcomes
    }

    private static func storedValue(of row: ReadingRow, _ query: borrowing Statement) throws(StorageError) -> Double {
        try query.bind(row.channelID, at: 1)
        try query.bind(row.timestamp, at: 2)
        defer { query.reset() }
        guard try query.step() else {
            throw .corrupt("the insert of channel \(row.channelID) at \(row.timestamp) was skipped, but no row has that key")
        }
        return query.double(at: 0)
    }

    /// Equal as `Double` (so `0.0 == -0.0`) or the very same bits.
    private static func outcome(of value: Double, stored: Double) -> ReadingOutcome {
        value == stored || value.bitPattern == stored.bitPattern ? .duplicate : .conflict(storedValue: stored)
    }

    // MARK: Device health

    private func encodeSensorState(_ report: DeviceHealthRow) throws(StorageError) -> String {
        do {
            return String(decoding: try self.encoder.encode(report.sensorState), as: UTF8.self)
        } catch {
            throw .rejected("the sensor state of device \(report.deviceID) at \(report.timestamp) cannot be encoded: \(error)")
        }
    }

    private static func upsertHealth(
        _ reports: [DeviceHealthRow], states: [String], receivedAt: Int64, _ upsert: borrowing Statement
    ) throws(StorageError) {
        for (report, state) in zip(reports, states) {
            try upsert.bind(report.deviceID, at: 1)
            try upsert.bind(report.timestamp, at: 2)
            try upsert.bind(receivedAt, at: 3)
            try upsert.bind(report.batteryPercent, at: 4)
            try upsert.bind(report.supplyVolt, at: 5)
            try upsert.bind(report.solarVolt, at: 6)
            try upsert.bind(report.temperature, at: 7)
            try upsert.bind(report.humidity, at: 8)
            try upsert.bind(report.signal, at: 9)
            try upsert.bind(report.firmware, at: 10)
            try upsert.bind(state, at: 11)
            defer { upsert.reset() }
            try upsert.step()
        }
    }
}

// Explicit non-conformance: a writer stays on the thread (queue) that uses it (see Threading).
@available(*, unavailable)
extension IngestWriter: Sendable {}
