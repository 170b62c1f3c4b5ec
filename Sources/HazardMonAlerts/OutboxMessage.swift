// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// Which message a recipient gets; the delivery layer renders it with the county's template of that kind.
public enum MessageTemplate: String, Sendable, Hashable, Codable, CaseIterable {
    /// The level and what it asks (prepare, evacuate now).
    case alert
    /// The same alert again, to a tier that has not acknowledged.
    case reminder
    /// To the tier above one that let its deadline pass: who was silent.
    case escalation
    /// A yellow alert ended by itself: stand down (those told at yellow).
    case standDown = "stand_down"
    /// 解除: a person ended the alert (everyone told).
    case allClear = "all_clear"
}

/// A message the machine wants sent: written to the outbox in the same transaction as its event, and sent later
/// by the delivery worker. The key is stable (alert, the event that caused it, recipient), so a message queued
/// again after a crash is recognised and not sent twice.
public struct OutboxMessage: Sendable, Hashable, Codable, CustomStringConvertible {
    public var alertID: AlertID
    public var siteCode: String
    /// A drill: rendered with 【演练】.
    public var exercise: Bool
    public var recipient: Recipient
    public var template: MessageTemplate
    public var level: WarningLevel
    /// When it was queued, ms UTC.
    public var at: Int64
    /// `alert-1/3/monitor@village`: alert id, sequence of the event that caused it, recipient.
    public var idempotencyKey: String

    public init(
        alertID: AlertID, siteCode: String, exercise: Bool, recipient: Recipient, template: MessageTemplate, level: WarningLevel,
        at: Int64, causedBy sequence: Int
    ) {
        self.alertID = alertID
        self.siteCode = siteCode
        self.exercise = exercise
        self.recipient = recipient
        self.template = template
        self.level = level
        self.at = at
        self.idempotencyKey = "\(alertID)/\(sequence)/\(recipient)"
    }

    /// `alert-1/3/monitor@village alert red @60000` (with ` exercise` for a drill).
    public var description: String {
        "\(self.idempotencyKey) \(self.template.rawValue) \(self.level) @\(self.at)" + (self.exercise ? " exercise" : "")
    }
}
