// SPDX-License-Identifier: Apache-2.0
import Foundation

extension Store {
    /// The stored readings of one channel in time order, optionally within a window.
    ///
    /// The window is half-open, `from <= ts < to`, so consecutive windows never count a reading twice.
    /// Reads through the store's own connection: it sees every batch an ``IngestWriter`` has committed.
    ///
    /// - Parameters:
    ///   - channelID: The channel's id (``ChannelRecord/id``).
    ///   - from: The first time stamp included (ms since the Unix epoch, UTC); nil for no lower bound.
    ///   - to: The first time stamp no longer included; nil for no upper bound.
    /// - Returns: The readings, ordered by time stamp.
    public func readings(channelID: Int64, from: Int64? = nil, to: Int64? = nil) throws(StorageError) -> [StoredReading] {
        try Self.readings(channelID: channelID, from: from, to: to, in: self.database)
    }

    /// ``readings(channelID:from:to:)`` on a given connection (the ingest writer's, a backtest's).
    public static func readings(
        channelID: Int64, from: Int64? = nil, to: Int64? = nil, in database: Database
    ) throws(StorageError) -> [StoredReading] {
        // One statement per combination of bounds, so SQLite plans each as a range scan of the primary key.
        var conditions = ["channel_id = ?1"]
        if from != nil { conditions.append("ts >= ?2") }
        if to != nil { conditions.append("ts < ?3") }
        let query = try database.prepare(
            "SELECT ts, value, received_at FROM readings WHERE \(conditions.joined(separator: " AND ")) ORDER BY ts")
        try query.bind(channelID, at: 1)
        if let from { try query.bind(from, at: 2) }
        if let to { try query.bind(to, at: 3) }
        return try query.fetchAll { row in
            StoredReading(timestamp: row.int64(at: 0), value: row.double(at: 1), receivedAt: row.int64(at: 2))
        }
    }

    /// How many readings are stored, over all channels.
    public func readingCount() throws(StorageError) -> Int {
        let query = try self.database.prepare("SELECT count(*) FROM readings")
        return try query.step() ? query.int(at: 0) : 0
    }

    /// A device's current status: its stored report with the latest time stamp, or nil when it has
    /// never reported.
    ///
    /// - Parameter deviceID: The device as it identifies itself.
    /// - Throws: ``StorageError/corrupt(_:)`` when the stored sensor state is not a JSON object of integers.
    public func latestHealth(deviceID: String) throws(StorageError) -> DeviceHealthRow? {
        let query = try self.database.prepare(
            """
            SELECT ts, battery_percent, supply_volt, solar_volt, temperature, humidity, signal, firmware, sensor_state
            FROM device_health WHERE device_id = ? ORDER BY ts DESC LIMIT 1
            """)
        try query.bind(deviceID, at: 1)
        guard try query.step() else { return nil }
        let timestamp = query.int64(at: 0)
        var sensorState: [String: Int] = [:]
        if let state = query.optionalData(at: 8) {
            do {
                sensorState = try self.decoder.decode([String: Int].self, from: state)
            } catch {
                throw .corrupt("device \(deviceID) at \(timestamp): the stored sensor state cannot be decoded: \(error)")
            }
        }
        return DeviceHealthRow(
            deviceID: deviceID, timestamp: timestamp, batteryPercent: query.optionalDouble(at: 1),
            supplyVolt: query.optionalDouble(at: 2), solarVolt: query.optionalDouble(at: 3),
            temperature: query.optionalDouble(at: 4), humidity: query.optionalDouble(at: 5),
            signal: query.optionalDouble(at: 6), firmware: query.optionalString(at: 7), sensorState: sensorState)
    }
}
