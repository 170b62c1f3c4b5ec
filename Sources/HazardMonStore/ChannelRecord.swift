// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// A stored channel with its stable id and where it is mounted: what ingestion looks a reading's
/// (device, channel) up in.
public struct ChannelRecord: Sendable, Hashable {
    /// Stable for the (device, channel code) pair across every re-import; readings refer to it.
    public let id: Int64
    /// The device the channel belongs to, as the device reports it.
    public let deviceID: String
    /// The site the device is mounted on.
    public let siteCode: String
    /// The monitoring point on that site.
    public let pointCode: String
    /// The channel's code, kind, unit, interval and valid range as last imported.
    public let channel: Channel
    /// Whether the channel has left the register (its id stays reserved and comes back if it returns).
    public let retired: Bool

    /// Creates a record; the store makes these, tests may too.
    public init(id: Int64, deviceID: String, siteCode: String, pointCode: String, channel: Channel, retired: Bool) {
        self.id = id
        self.deviceID = deviceID
        self.siteCode = siteCode
        self.pointCode = pointCode
        self.channel = channel
        self.retired = retired
    }
}
