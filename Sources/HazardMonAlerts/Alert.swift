// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// The number of an alert: given in opening order by ``AlertState`` (1, 2, 3, …), never reused, shared by real
/// and exercise alerts. `hazardmon alerts resolve 17` names alert 17.
public struct AlertID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var number: Int64

    public init(_ number: Int64) {
        self.number = number
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.number < rhs.number }

    /// `alert-17`.
    public var description: String { "alert-\(self.number)" }
}

/// Where an alert stands.
public enum AlertStatus: String, Sendable, Hashable, Codable {
    /// The site is above none.
    case open
    /// An orange or red alert whose site fell back to none: conditions easing, the evacuation still stands until
    /// a person gives the all-clear (解除).
    case easing
    /// Ended: by itself (blue or yellow back to none) or by a person's all-clear.
    case resolved
}

/// Whom a message is for, at the level of the policy: a role in the alert's village, its township or the county.
///
/// The machine does not know the roster's people: the delivery layer turns a recipient into contacts with
/// ``Roster/recipients(level:scope:)`` and ``Roster/tierContacts(scope:)`` for the site's village, its
/// township or the county, at the moment it sends (so a roster reloaded in between is the one used).
public struct Recipient: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var role: ContactRole
    /// The tier whose contacts hold the role (a ``ContactRole/maintainer``, who has no tier of its own, is the
    /// site's village's).
    public var tier: EscalationTier

    public init(role: ContactRole, tier: EscalationTier) {
        self.role = role
        self.tier = tier
    }

    /// The role at its own tier (a maintainer at the village).
    public init(role: ContactRole) {
        self.init(role: role, tier: role.tier ?? .village)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.tier, lhs.role) < (rhs.tier, rhs.role)
    }

    /// `village_head@village`.
    public var description: String { "\(self.role)@\(self.tier)" }
}

/// One tier's part in an alert (叫应): when it was told, at which level and which roles, whether it has
/// acknowledged, and its reminder and escalation clock.
public struct TierState: Sendable, Hashable, Codable {
    public var tier: EscalationTier
    /// The level the tier was told at.
    public var level: WarningLevel
    /// The roles of the tier told.
    public var roles: [ContactRole]
    /// When the tier was told, ms UTC.
    public var toldAt: Int64
    /// When the tier must have acknowledged (told + the level's `ack_within`); nil: no acknowledgement asked.
    public var deadline: Int64?
    /// When the next reminder is due; nil: none (acknowledged, past the deadline, or none asked).
    public var nextReminderAt: Int64?
    /// The level's `remind_every` in ms; nil: one reminder at half the deadline.
    public var remindEvery: Int64?
    public var acknowledgedBy: String?
    public var acknowledgedAt: Int64?
    public var acknowledgedNote: String?
    /// The times reminders went to the tier.
    public var remindedAt: [Int64]
    /// When the deadline passed unacknowledged and the tier was escalated past.
    public var escalatedAt: Int64?

    public init(
        tier: EscalationTier, level: WarningLevel, roles: [ContactRole], toldAt: Int64, deadline: Int64?, nextReminderAt: Int64?,
        remindEvery: Int64?, acknowledgedBy: String? = nil, acknowledgedAt: Int64? = nil, acknowledgedNote: String? = nil,
        remindedAt: [Int64] = [], escalatedAt: Int64? = nil
    ) {
        self.tier = tier
        self.level = level
        self.roles = roles
        self.toldAt = toldAt
        self.deadline = deadline
        self.nextReminderAt = nextReminderAt
        self.remindEvery = remindEvery
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedNote = acknowledgedNote
        self.remindedAt = remindedAt
        self.escalatedAt = escalatedAt
    }

    /// Whether someone of the tier acknowledged since it was last told.
    public var isAcknowledged: Bool { self.acknowledgedAt != nil }
}

/// One open alert of a site (a real one or an exercise): its level, its history's counters, and who was told what.
public struct Alert: Sendable, Hashable, Codable {
    public var id: AlertID
    public var siteCode: String
    /// A drill (演练): kept apart from the site's real alert, never merged with it.
    public var exercise: Bool
    /// The site's level now (none while easing).
    public var level: WarningLevel
    /// The highest level the alert reached: orange or red make it an evacuation that only a person ends.
    public var highest: WarningLevel
    public var openedAt: Int64
    public var status: AlertStatus
    /// The rule engine's evidence of the last change.
    public var evidence: [Evidence]
    /// The sequence number of the alert's last event (its first is 1).
    public var sequence: Int
    /// Each tier told, in tier order.
    public var tiers: [TierState]
    /// Everyone told, with the level they were told at, in the order first told (the stand-down and all-clear
    /// go to them).
    public var told: [Told]
    /// Messages queued and not superseded, with their level: a higher level supersedes those below it.
    public var live: [LiveMessage]
    /// When each level's alert message last went out (the repeat interval is counted from it).
    public var lastAlerted: [WarningLevel: Int64]

    /// A recipient told at a level.
    public struct Told: Sendable, Hashable, Codable {
        public var recipient: Recipient
        public var level: WarningLevel
    }

    /// A queued message's key and level.
    public struct LiveMessage: Sendable, Hashable, Codable {
        public var key: String
        public var level: WarningLevel
    }

    public init(id: AlertID, siteCode: String, exercise: Bool, level: WarningLevel, openedAt: Int64, evidence: [Evidence]) {
        self.id = id
        self.siteCode = siteCode
        self.exercise = exercise
        self.level = level
        self.highest = level
        self.openedAt = openedAt
        self.status = .open
        self.evidence = evidence
        self.sequence = 0
        self.tiers = []
        self.told = []
        self.live = []
        self.lastAlerted = [:]
    }

    /// Whether the alert is an evacuation (it reached orange or red) that never ends by itself.
    public var isEvacuation: Bool { self.highest >= .orange }
}
