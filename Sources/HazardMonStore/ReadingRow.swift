// SPDX-License-Identifier: Apache-2.0

/// One reading on its way into the `readings` table: a value of a registered channel at a moment.
///
/// The key is (``channelID``, ``timestamp``); ingestion is idempotent on it (see ``IngestWriter``).
public struct ReadingRow: Sendable, Hashable {
    /// The channel's stable id from the channel directory (``ChannelRecord/id``).
    public var channelID: Int64
    /// When the device measured the value: milliseconds since the Unix epoch, UTC.
    public var timestamp: Int64
    /// The measured value in the channel's unit. Must not be NaN, which SQLite cannot store; SQLite
    /// stores -0.0 as 0.0.
    public var value: Double

    /// A reading of `channelID` at `timestamp` (ms since the Unix epoch, UTC).
    public init(channelID: Int64, timestamp: Int64, value: Double) {
        self.channelID = channelID
        self.timestamp = timestamp
        self.value = value
    }
}

/// What became of one reading offered to ``IngestWriter/commit(_:health:receivedAt:inTransaction:beforeInserts:)``.
///
/// The first reading stored for a (channel, time stamp) wins; later ones never change it.
public enum ReadingOutcome: Sendable, Hashable {
    /// Stored: nothing was known for this key before.
    case accepted
    /// Already stored with the same value (equal as `Double`, so `0.0` and `-0.0` are the same): a
    /// harmless repeat, as when a device retries a batch.
    case duplicate
    /// Already stored with another value, which is kept and given here. Worth reporting: the device or
    /// gateway sent two different values for one moment.
    case conflict(storedValue: Double)
}

/// A reading as stored, read back by ``Store/readings(channelID:from:to:)``.
public struct StoredReading: Sendable, Hashable {
    /// When the device measured the value: milliseconds since the Unix epoch, UTC.
    public var timestamp: Int64
    /// The value first stored for this time stamp.
    public var value: Double
    /// When the batch that stored it was received: milliseconds since the Unix epoch, UTC.
    public var receivedAt: Int64

    /// A stored reading; the store makes these, tests may too.
    public init(timestamp: Int64, value: Double, receivedAt: Int64) {
        self.timestamp = timestamp
        self.value = value
        self.receivedAt = receivedAt
    }
}
