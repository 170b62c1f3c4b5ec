// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// Everything that moves an alert: the rule engine's level changes, people (acknowledgement, all-clear) and the
/// clock. Time is always given, ms UTC; the machine reads no clock.
public enum AlertInput: Sendable, Hashable, Codable {
    /// A site's level changed; `exercise` for a drill, which opens and follows its own alert.
    case transition(LevelTransition, exercise: Bool = false)
    /// Someone of `tier` acknowledged (叫应) the alert: that tier's reminders and escalation stop until the alert
    /// rises again.
    case acknowledge(AlertID, tier: EscalationTier, by: String, at: Int64, note: String? = nil)
    /// A person gives the all-clear (解除): the alert ends and everyone told gets the all-clear.
    case resolve(AlertID, by: String, note: String? = nil, at: Int64)
    /// The clock: reminders and escalations due at or before `at` happen.
    case tick(at: Int64)
}

/// What one input did: the events to append and the messages to put in the outbox, in order.
public struct AlertStep: Sendable, Hashable {
    public var events: [AlertEvent]
    public var messages: [OutboxMessage]

    public init(events: [AlertEvent] = [], messages: [OutboxMessage] = []) {
        self.events = events
        self.messages = messages
    }
}

/// An input the machine refuses; the state is left as it was.
public enum AlertError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No alert ever had the id.
    case unknownAlert(AlertID)
    /// The alert has already ended.
    case alreadyResolved(AlertID)
    /// The tier acknowledging was never told of the alert.
    case tierNotTold(AlertID, EscalationTier)

    public var description: String {
        switch self {
        case .unknownAlert(let id): "\(id): no such alert"
        case .alreadyResolved(let id): "\(id): already resolved"
        case .tierNotTold(let id, let tier): "\(id): the \(tier) tier was not told of this alert"
        }
    }
}
