// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// A registered channel as the engine sees it: its stable id and where it is mounted.
public struct BoundChannel: Sendable, Hashable {
    /// The stable channel id readings carry (the store's `channels.id`).
    public var id: Int64
    public var deviceID: String
    public var siteCode: String
    public var siteKind: SiteKind
    public var pointCode: String
    public var channel: Channel

    public init(id: Int64, deviceID: String, siteCode: String, siteKind: SiteKind, pointCode: String, channel: Channel) {
        self.id = id
        self.deviceID = deviceID
        self.siteCode = siteCode
        self.siteKind = siteKind
        self.pointCode = pointCode
        self.channel = channel
    }

    /// `device/channel`, as messages name a channel.
    public var name: String { "\(self.deviceID)/\(self.channel.code)" }

    /// Every channel of a register, numbered in register order from `firstID`: for checking rules against a
    /// register that is not (yet) in a database, where real ids do not matter.
    public static func numbering(_ registry: Registry, firstID: Int64 = 1) -> [BoundChannel] {
        var next = firstID
        var channels: [BoundChannel] = []
        for site in registry.sites {
            for point in site.points {
                for device in point.devices {
                    for channel in device.channels {
                        channels.append(
                            BoundChannel(
                                id: next, deviceID: device.id, siteCode: site.code, siteKind: site.kind, pointCode: point.code,
                                channel: channel))
                        next += 1
                    }
                }
            }
        }
        return channels
    }
}

extension ChannelSelector {
    /// Whether a channel is one this selector picks.
    public func matches(_ channel: Channel) -> Bool {
        switch self {
        case .sensor(let kind): channel.kind == kind
        case .code(let code): channel.code == code
        }
    }
}

/// One rule applied to one site, and for measuring rules to one channel (or device): the unit the engine
/// keeps state for.
public struct RuleInstance: Sendable, Hashable {
    /// `rule@site`, `rule@site/channelID` or `rule@site#device`: the key its state is stored under.
    public var key: String
    /// The rule as it applies to this site (the site's override when it has one).
    public var definition: RuleDefinition
    public var siteCode: String
    /// The channel read; nil for combinations and device-health rules.
    public var channel: BoundChannel?
    /// The device watched by a device-health rule.
    public var deviceID: String?
    /// The channel an antecedent-moisture class is read from, when the rule has one.
    public var antecedentChannelID: Int64?
    /// A digest of the definition: state stored under another digest belongs to an edited rule and is dropped.
    public var digest: String
}

/// Binds a rule set to the registered channels: which rules run on which site and channel.
public enum RuleBinder {
    /// Every instance of every rule, in rule-file order, then site and channel order.
    ///
    /// A target that matches nothing yields no instance; ``RuleCheck`` reports those as errors before a rule
    /// set is accepted.
    public static func instances(of rules: RuleSet, channels: [BoundChannel]) -> [RuleInstance] {
        var sitesInOrder: [String] = []
        var channelsBySite: [String: [BoundChannel]] = [:]
        var kindOfSite: [String: SiteKind] = [:]
        for channel in channels {
            if channelsBySite[channel.siteCode] == nil {
                sitesInOrder.append(channel.siteCode)
                kindOfSite[channel.siteCode] = channel.siteKind
            }
            channelsBySite[channel.siteCode, default: []].append(channel)
        }
        var instances: [RuleInstance] = []
        for rule in rules.rules {
            let sites: [String]
            switch rule.target {
            case .siteKind(let kind): sites = sitesInOrder.filter { kindOfSite[$0] == kind }
            case .site(let code), .point(let code, _): sites = channelsBySite[code] == nil ? [] : [code]
            case .channel(let device, let code):
                sites = channels.first { $0.deviceID == device && $0.channel.code == code }.map { [$0.siteCode] } ?? []
            }
            for site in sites {
                let definition = rule.overrides[site] ?? rule
                let digest = Self.digest(of: definition)
                let onSite = (channelsBySite[site] ?? []).filter { channel in
                    switch rule.target {
                    case .siteKind, .site: true
                    case .point(_, let point): channel.pointCode == point
                    case .channel(let device, let code): channel.deviceID == device && channel.channel.code == code
                    }
                }
                let inputs = onSite.filter { definition.input?.matches($0.channel) ?? true }
                switch definition.kind {
                case .combination:
                    instances.append(
                        RuleInstance(
                            key: "\(rule.id)@\(site)", definition: definition, siteCode: site, channel: nil, deviceID: nil,
                            antecedentChannelID: nil, digest: digest))
                case .deviceHealth:
                    var devices: [String] = []
                    for channel in inputs where !devices.contains(channel.deviceID) { devices.append(channel.deviceID) }
                    for device in devices {
                        instances.append(
                            RuleInstance(
                                key: "\(rule.id)@\(site)#\(device)", definition: definition, siteCode: site, channel: nil,
                                deviceID: device, antecedentChannelID: nil, digest: digest))
                    }
                default:
                    var antecedentID: Int64?
                    if case .accumulation(_, let antecedent?) = definition.kind, case .channel(let selector) = antecedent.source {
                        antecedentID = (channelsBySite[site] ?? []).first { selector.matches($0.channel) }?.id
                    }
                    for channel in inputs {
                        instances.append(
                            RuleInstance(
                                key: "\(rule.id)@\(site)/\(channel.id)", definition: definition, siteCode: site, channel: channel,
                                deviceID: channel.deviceID, antecedentChannelID: antecedentID, digest: digest))
                    }
                }
            }
        }
        return instances
    }

    /// FNV-1a 64 of the definition's text without its file position and overrides: stable across processes
    /// and across edits elsewhere in the file (a comment added above a rule does not reset its state).
    static func digest(of definition: RuleDefinition) -> String {
        var plain = definition
        plain.mark = SourceMark(file: "", line: 0)
        plain.marks = [:]
        plain.overrides = [:]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in String(describing: plain).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
