// SPDX-License-Identifier: Apache-2.0

/// Why a rule stands at its level: the measure it computed, the threshold it reached, and where from.
///
/// Stored as JSON with every transition, and what an alert quotes ("1 h rain 47.5 mm ≥ 45 mm").
public struct Evidence: Sendable, Hashable, Codable {
    /// The rule's id.
    public var rule: String
    /// The rule's level when this was taken.
    public var level: WarningLevel
    /// The channel read: its stable id and `device/channel` code; nil for combinations.
    public var channelID: Int64?
    public var channel: String?
    /// What was measured: `value`, `rain_1h`, `rate`, `angle`, `time_to_failure_h`, `intensity_3h`, `all`, `any`...
    public var measure: String
    /// The measured number, in the rule's unit (mm, m, mm/d, °, h, mm/h).
    public var value: Double
    /// The threshold of ``level`` the measure reached (nil when the level is none).
    public var threshold: Double?
    /// Event time of the reading evaluated, ms since the epoch UTC.
    public var at: Int64
    /// The window the measure covers, when it has one, in ms.
    public var window: Int64?
    /// Extra facts (moisture class, fitted failure time, parts of a combination).
    public var detail: String?

    public init(
        rule: String, level: WarningLevel, channelID: Int64? = nil, channel: String? = nil, measure: String, value: Double,
        threshold: Double? = nil, at: Int64, window: Int64? = nil, detail: String? = nil
    ) {
        self.rule = rule
        self.level = level
        self.channelID = channelID
        self.channel = channel
        self.measure = measure
        self.value = value
        self.threshold = threshold
        self.at = at
        self.window = window
        self.detail = detail
    }
}

extension Evidence {
    /// Writes the evidence as `JSONEncoder` with `.sortedKeys` would, without its cost (it is written on the
    /// ingest commit's path).
    public func write(to json: inout JSONTextWriter) {
        json.object { json in
            json.key("at") { $0.integer(self.at) }
            json.key("channel", self.channel) { $0.string($1) }
            json.key("channelID", self.channelID) { $0.integer($1) }
            json.key("detail", self.detail) { $0.string($1) }
            json.key("level") { $0.integer(self.level.rawValue) }
            json.key("measure") { $0.string(self.measure) }
            json.key("rule") { $0.string(self.rule) }
            json.key("threshold", self.threshold) { $0.number($1) }
            json.key("value") { $0.number(self.value) }
            json.key("window", self.window) { $0.integer($1) }
        }
    }
}

/// A site's warning level changed: the record the alert chain starts from.
public struct LevelTransition: Sendable, Hashable, Codable {
    public enum Cause: String, Sendable, Hashable, Codable {
        /// A reading took the site up.
        case raised
        /// Readings fell back (past hysteresis and hold).
        case lowered
        /// Data stopped and the level lapsed after its expiry cap.
        case expired
        /// The rule set changed (reload) and the site's rules now stand elsewhere.
        case reconfigured
    }

    public var siteCode: String
    public var from: WarningLevel
    public var to: WarningLevel
    /// Event time that caused it (the reading's time stamp, or the clock for an expiry), ms UTC.
    public var at: Int64
    public var cause: Cause
    /// Raised by a reading that arrived after later ones of its channel (out of order).
    public var late: Bool
    /// The rules at the new level (for a lowering: what still holds, possibly nothing).
    public var evidence: [Evidence]

    public init(siteCode: String, from: WarningLevel, to: WarningLevel, at: Int64, cause: Cause, late: Bool = false, evidence: [Evidence]) {
        self.siteCode = siteCode
        self.from = from
        self.to = to
        self.at = at
        self.cause = cause
        self.late = late
        self.evidence = evidence
    }
}

/// An internal notice: maintenance (no data, device fault, low battery) or a near-threshold watch. Never
/// a warning level, never evacuation; for the duty officer and the maintainers.
public struct RuleNotice: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case noData = "no_data"
        case deviceFault = "device_fault"
        case lowBattery = "low_battery"
        case nearThreshold = "near_threshold"
    }

    public var kind: Kind
    public var rule: String
    public var siteCode: String
    /// `device/channel`, or the device id for device notices.
    public var subject: String
    /// True when the notice starts, false when it clears.
    public var active: Bool
    /// Event time (reading or clock), ms UTC.
    public var at: Int64
    /// Human-readable facts: "silent since 2026-07-20T08:00:00Z (3 × 300 s)".
    public var detail: String

    public init(kind: Kind, rule: String, siteCode: String, subject: String, active: Bool, at: Int64, detail: String) {
        self.kind = kind
        self.rule = rule
        self.siteCode = siteCode
        self.subject = subject
        self.active = active
        self.at = at
        self.detail = detail
    }
}

/// A site's current warning level and why: the highest level of the rules on the site.
public struct SiteStatus: Sendable, Hashable, Codable {
    public var siteCode: String
    public var level: WarningLevel
    /// When the site entered the level (event time, ms).
    public var since: Int64
    /// The rules at ``level`` and their evidence.
    public var evidence: [Evidence]

    public init(siteCode: String, level: WarningLevel, since: Int64, evidence: [Evidence]) {
        self.siteCode = siteCode
        self.level = level
        self.since = since
        self.evidence = evidence
    }
}
