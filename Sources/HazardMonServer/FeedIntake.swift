// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonStore

/// The result for one value of a request, as the response reports it.
public struct ItemResult: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Stored (committed before the response was sent).
        case accepted
        /// The same channel, time stamp and value were already stored.
        case duplicate
        /// The channel and time stamp were already stored with another value, which stays.
        case conflict
        /// Not stored, for the reason given; sending it again will not help.
        case rejected
        /// A field of a multi-field value for which the device has no channel (e.g. a tilt meter's `AZI`).
        case ignored
    }

    public var index: Int
    public var device: String
    public var channel: String
    public var status: Status
    public var reason: String?
}

/// Checks a decoded request against the register and the token, producing the rows to commit.
struct FeedIntake {
    struct Limits {
        var now: Int64  // ms
        var futureToleranceMilliseconds: Int64
        var retentionMilliseconds: Int64
    }

    /// Results in request order; the accepted ones still say `accepted` until the commit decides.
    var results: [ItemResult] = []
    /// Rows to commit and, for each, the position of its result.
    var rows: [ReadingRow] = []
    var rowResults: [Int] = []
    var health: [DeviceHealthRow] = []
    /// Devices of the register that the token may not write.
    var forbidden: Set<String> = []

    /// The fields of provincial comma lists, in order, by the method code of the channel (`L1_QJ_1` → QJ).
    static let commaFields: [String: [String]] = [
        "QJ": ["X", "Y", "Z", "angle", "AZI"], "GP": ["X", "Y", "Z"], "SW": ["X", "Y"], "JS": ["X", "Y", "Z"],
    ]

    init(document: FeedDocument, directory: ChannelDirectory, grant: TokenTable.Grant, limits: Limits) {
        for device in Set(document.items.map(\.device)).union(document.statuses.map(\.device)) {
            if let entry = directory.devices[device], !grant.covers(device: device, site: entry.siteCode) {
                self.forbidden.insert(device)
            }
        }
        guard self.forbidden.isEmpty else { return }
        self.results.reserveCapacity(document.items.count)
        self.rows.reserveCapacity(document.items.count)
        for item in document.items {
            self.take(item, directory: directory, limits: limits)
        }
        for status in document.statuses {
            self.take(status, directory: directory, limits: limits)
        }
    }

    private mutating func reject(_ item: FeedDocument.Item, channel: String? = nil, _ reason: String) {
        self.results.append(
            ItemResult(index: item.index, device: item.device, channel: channel ?? item.channel, status: .rejected, reason: reason))
    }

    private mutating func take(_ item: FeedDocument.Item, directory: ChannelDirectory, limits: Limits) {
        guard let device = directory.devices[item.device] else {
            self.reject(item, "unknown device \(item.device)")
            return
        }
        guard let ts = Timestamp.parse(item.ts) else {
            self.reject(item, "ts '\(item.ts)' is not an RFC 3339 time stamp such as 2020-07-20T08:00:00.000Z")
            return
        }
        if ts > limits.now + limits.futureToleranceMilliseconds {
            self.reject(item, "ts \(item.ts) is \((ts - limits.now) / 1000) s in the future (tolerance \(limits.futureToleranceMilliseconds / 1000) s)")
            return
        }
        if ts < limits.now - limits.retentionMilliseconds {
            self.reject(item, "ts \(item.ts) is older than the retention of \(limits.retentionMilliseconds / 86_400_000) days")
            return
        }
        switch item.value {
        case .number(let value):
            self.store(item, channel: item.channel, value: value, ts: ts, device: device)
        case .text(let text):
            if let value = Double(text) {
                self.store(item, channel: item.channel, value: value, ts: ts, device: device)
            } else if text.contains(","), let names = Self.commaFields[Self.methodCode(item.channel)] {
                let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard parts.count <= names.count, parts.allSatisfy({ $0 != nil }) else {
                    self.reject(item, "'\(text)' is not a list of up to \(names.count) numbers (\(names.joined(separator: ",")))")
                    return
                }
                var fields: [String: Double] = [:]
                for (name, value) in zip(names, parts) { fields[name] = value }
                self.storeFields(item, fields: fields, ts: ts, device: device)
            } else {
                self.reject(item, "value '\(text)' is not a number")
            }
        case .fields(let fields):
            self.storeFields(item, fields: fields, ts: ts, device: device)
        }
    }

    /// A multi-field value: field `X` of `L1_GP_1` goes to channel `L1_GP_X` (CGS names such as
    /// `gpsTotalX`, `dispsX` and `gX` count as `X`).
    private mutating func storeFields(
        _ item: FeedDocument.Item, fields: [String: Double], ts: Int64, device: ChannelDirectory.DeviceEntry
    ) {
        let base = Self.baseCode(item.channel)
        var stored = 0
        for name in fields.keys.sorted() {
            let code = "\(base)_\(Self.axis(name))"
            guard device.channels[code] != nil else {
                self.results.append(
                    ItemResult(index: item.index, device: item.device, channel: code, status: .ignored,
                               reason: "device \(item.device) has no channel \(code) for field \(name)"))
                continue
            }
            stored += 1
            self.store(item, channel: code, value: fields[name] ?? .nan, ts: ts, device: device)
        }
        if stored == 0, fields.isEmpty {
            self.reject(item, "empty object value")
        }
    }

    private mutating func store(
        _ item: FeedDocument.Item, channel code: String, value: Double, ts: Int64, device: ChannelDirectory.DeviceEntry
    ) {
        guard let entry = device.channels[code] else {
            let known = device.channels.keys.sorted().joined(separator: ", ")
            self.reject(item, channel: code, "unknown channel \(code) on device \(item.device) (it has \(known))")
            return
        }
        guard value.isFinite else {
            self.reject(item, channel: code, "value is not a finite number")
            return
        }
        let channel = entry.channel
        guard value >= channel.validMin, value <= channel.validMax else {
            self.reject(item, channel: code, "value \(value) is outside the channel's valid range \(channel.validMin.plainText)...\(channel.validMax.plainText) \(channel.unit)")
            return
        }
        self.rowResults.append(self.results.count)
        self.results.append(ItemResult(index: item.index, device: item.device, channel: code, status: .accepted, reason: nil))
        self.rows.append(ReadingRow(channelID: entry.id, timestamp: ts, value: value))
    }

    private mutating func take(_ status: FeedDocument.Status, directory: ChannelDirectory, limits: Limits) {
        func reject(_ reason: String) {
            self.results.append(
                ItemResult(index: status.index, device: status.device, channel: FeedDocument.statusBlock, status: .rejected, reason: reason))
        }
        guard directory.devices[status.device] != nil else {
            reject("unknown device \(status.device)")
            return
        }
        var ts = limits.now
        if let text = status.ts {
            guard let parsed = Timestamp.parse(text), parsed <= limits.now + limits.futureToleranceMilliseconds else {
                reject("ts '\(text)' is not an RFC 3339 time stamp within the accepted window")
                return
            }
            ts = parsed
        }
        self.health.append(
            DeviceHealthRow(
                deviceID: status.device, timestamp: ts, batteryPercent: status.batteryPercent, supplyVolt: status.supplyVolt,
                solarVolt: status.solarVolt, temperature: status.temperature, humidity: status.humidity, signal: status.signal,
                firmware: status.firmware, sensorState: status.sensorState))
        self.results.append(
            ItemResult(index: status.index, device: status.device, channel: FeedDocument.statusBlock, status: .accepted, reason: nil))
    }

    /// `L1_GP_1` → `L1_GP`; a code without a numeric suffix is its own base.
    static func baseCode(_ code: String) -> String {
        guard let underscore = code.lastIndex(of: "_"), code[code.index(after: underscore)...].allSatisfy(\.isNumber),
            code.index(after: underscore) != code.endIndex
        else { return code }
        return String(code[..<underscore])
    }

    /// `L1_QJ_1` → `QJ`.
    static func methodCode(_ code: String) -> String {
        let parts = code.split(separator: "_")
        return parts.count >= 2 ? String(parts[1]) : ""
    }

    static func axis(_ field: String) -> String {
        for prefix in ["gpsTotal", "disps", "g"] where field.hasPrefix(prefix) && field.count == prefix.count + 1 {
            return String(field.dropFirst(prefix.count))
        }
        return field
    }
}
