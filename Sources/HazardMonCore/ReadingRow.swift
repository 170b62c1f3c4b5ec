// SPDX-License-Identifier: Apache-2.0

/// One reading of a registered channel at a moment: what ingestion stores (`IngestWriter`, keyed and
/// idempotent on (``channelID``, ``timestamp``)) and what the rule engine evaluates.
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
