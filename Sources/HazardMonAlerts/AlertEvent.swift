// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// One append-only entry of an alert's history, written in the same transaction as what caused it.
public struct AlertEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable, Hashable, Codable {
        /// The site rose above none and the alert opened.
        case raised(level: WarningLevel, cause: LevelTransition.Cause, evidence: [Evidence])
        /// The level rose (from none too, when an easing alert rises again).
        case upgraded(from: WarningLevel, to: WarningLevel, cause: LevelTransition.Cause, evidence: [Evidence])
        /// The level fell (to none too, for a blue or yellow alert that then resolves).
        case downgraded(from: WarningLevel, to: WarningLevel, cause: LevelTransition.Cause, evidence: [Evidence])
        /// An orange or red alert's site fell to none: conditions easing, the alert stays open.
        case easing(from: WarningLevel, cause: LevelTransition.Cause, evidence: [Evidence])
        /// A message was put in the outbox (``OutboxMessage`` with the same key).
        case messageQueued(key: String, recipient: Recipient, template: MessageTemplate, level: WarningLevel)
        /// Queued messages of lower levels: not to be sent if they have not been yet.
        case superseded(keys: [String])
        /// The level's alert message went out less than the repeat interval ago, at `lastAt`: not sent again.
        case repeatSuppressed(level: WarningLevel, lastAt: Int64)
        /// The level still stands `repeat_interval` after its alert message last went out: it is sent again.
        case repeated(level: WarningLevel)
        /// A tier acknowledged (叫应).
        case acknowledged(tier: EscalationTier, by: String, note: String?)
        /// A tier that has not acknowledged was reminded.
        case reminded(tier: EscalationTier)
        /// A tier's deadline passed unacknowledged: the next tier up is told; nil when the tier is the top of the
        /// escalation and nobody is above it.
        case escalated(past: EscalationTier, roles: [ContactRole], to: EscalationTier?)
        /// The alert ended: by a person's all-clear (解除), or by itself (`by` nil) when a blue or yellow alert
        /// returned to none.
        case resolved(by: String?, note: String?)
    }

    public var alertID: AlertID
    /// The event's number within its alert, from 1.
    public var sequence: Int
    /// ms UTC.
    public var at: Int64
    public var kind: Kind

    public init(alertID: AlertID, sequence: Int, at: Int64, kind: Kind) {
        self.alertID = alertID
        self.sequence = sequence
        self.at = at
        self.kind = kind
    }

    /// `alert-1#3 @60000 upgraded blue->yellow (raised) [rain-1h]`: one line, every field but the evidence's
    /// numbers (its rules are named).
    public var description: String {
        let head = "\(self.alertID)#\(self.sequence) @\(self.at) "
        func rules(_ evidence: [Evidence]) -> String { "[" + evidence.map(\.rule).joined(separator: ",") + "]" }
        switch self.kind {
        case .raised(let level, let cause, let evidence):
            return head + "raised \(level) (\(cause.rawValue)) \(rules(evidence))"
        case .upgraded(let from, let to, let cause, let evidence):
            return head + "upgraded \(from)->\(to) (\(cause.rawValue)) \(rules(evidence))"
        case .downgraded(let from, let to, let cause, let evidence):
            return head + "downgraded \(from)->\(to) (\(cause.rawValue)) \(rules(evidence))"
        case .easing(let from, let cause, let evidence):
            return head + "easing from \(from) (\(cause.rawValue)) \(rules(evidence))"
        case .messageQueued(let key, let recipient, let template, let level):
            return head + "queued \(template.rawValue) \(level) to \(recipient) key \(key)"
        case .superseded(let keys):
            return head + "superseded " + keys.joined(separator: " ")
        case .repeatSuppressed(let level, let lastAt):
            return head + "repeat suppressed \(level) (last @\(lastAt))"
        case .repeated(let level):
            return head + "repeated \(level)"
        case .acknowledged(let tier, let by, let note):
            return head + "acknowledged \(tier) by \(by)" + (note.map { " note \($0)" } ?? "")
        case .reminded(let tier):
            return head + "reminded \(tier)"
        case .escalated(let past, let roles, let to):
            let names = roles.map(\.rawValue).joined(separator: ",")
            return head + "escalated past \(past) (\(names)) to " + (to.map(\.rawValue) ?? "nobody")
        case .resolved(let by, let note):
            return head + "resolved by " + (by ?? "itself") + (note.map { " note \($0)" } ?? "")
        }
    }
}
