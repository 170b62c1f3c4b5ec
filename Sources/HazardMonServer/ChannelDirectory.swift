// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonStore

/// Every active device and channel of the register, for validating readings without a database query.
///
/// Built from the store's channel records (whose ids are stable across re-imports) and swapped as a
/// whole on reload, so a request always sees one consistent register.
public struct ChannelDirectory: Sendable {
    /// A channel as the feed needs it.
    public struct Entry: Sendable, Hashable {
        public var id: Int64
        public var channel: Channel
    }

    /// A device with its site and channels by code.
    public struct DeviceEntry: Sendable {
        public var siteCode: String
        public var channels: [String: Entry]
    }

    public private(set) var devices: [String: DeviceEntry] = [:]

    public init(records: [ChannelRecord]) {
        for record in records where !record.retired {
            self.devices[record.deviceID, default: DeviceEntry(siteCode: record.siteCode, channels: [:])]
                .channels[record.channel.code] = Entry(id: record.id, channel: record.channel)
        }
    }

    public var channelCount: Int { self.devices.values.reduce(0) { $0 + $1.channels.count } }

    /// The devices mounted on any of these sites.
    public func devices(onSites sites: Set<String>) -> Set<String> {
        Set(self.devices.filter { sites.contains($0.value.siteCode) }.keys)
    }
}
