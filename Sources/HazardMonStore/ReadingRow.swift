// SPDX-License-Identifier: Apache-2.0

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
