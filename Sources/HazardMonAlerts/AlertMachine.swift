// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// Every open alert and the next alert number: what the daemon stores (as JSON, in the transaction that writes
/// the events) to carry the machine over a restart.
public struct AlertState: Sendable, Hashable, Codable {
    /// The number the next alert opened gets; every number below it was given, so an id below it that is not
    /// open belongs to a resolved alert.
    public var nextNumber: Int64
    /// The open (and easing) alerts, by id.
    public var open: [Alert]

    public init(nextNumber: Int64 = 1, open: [Alert] = []) {
        self.nextNumber = nextNumber
        self.open = open
    }
}

/// The alert state machine of issue 9: pure and deterministic, no clock read and no I/O.
///
/// ```swift
/// var machine = AlertMachine(policy: roster.policy)
/// let step = try machine.apply(.transition(transition))   // events + outbox messages
/// let later = try machine.apply(.tick(at: now))            // reminders, escalations
/// let saved = machine.state                                 // Codable: store it with the events
/// ```
///
/// Rules:
/// - One alert per site and exercise flag. It opens when the site rises above none and follows the level.
/// - At a level, the policy's roles are told (``MessageTemplate/alert``), grouped by tier. A tier told at a level
///   with `ack_within` must acknowledge by then. Before that, reminders go to it every `remind_every` when the
///   policy gives one, else one reminder at half the deadline. At the deadline the next tier of the escalation is
///   told (``MessageTemplate/escalation``); if that tier was not told at the level, its own deadline starts then.
///   An acknowledgement stops the tier's reminders and escalation until the alert rises again (a rise tells the
///   level's tiers again and re-arms them).
/// - A level's alert message is not sent again within the policy's `repeat_interval` of the last one in the
///   same alert (a level that falls and rises again). While the level stands (open, not easing), it is sent
///   again to the level's roles every `repeat_interval` after the last one, acknowledged or not; this does not
///   re-arm acknowledgements. A rise supersedes queued lower-level messages.
/// - A fall is recorded, no message goes out. Back at none, a blue or yellow alert resolves itself (stand-down
///   to those told at yellow); an orange or red one is marked easing and stays open until ``AlertInput/resolve(_:by:note:at:)``,
///   which sends the all-clear to everyone told.
/// - Timers move only on ``AlertInput/tick(at:)``: one tick sends at most one reminder per tier (missed slots
///   are not sent in a burst), and a deadline that is due wins over a reminder due in the same tick.
public struct AlertMachine: Sendable {
    public let policy: AlertPolicy
    public private(set) var state: AlertState

    /// A machine at `state` (a fresh one, or the one stored before a restart).
    public init(policy: AlertPolicy, state: AlertState = AlertState()) {
        self.policy = policy
        self.state = state
    }

    /// The open alert of a site (real, or the drill), if any.
    public func openAlert(site: String, exercise: Bool = false) -> Alert? {
        self.state.open.first { $0.siteCode == site && $0.exercise == exercise }
    }

    /// Applies one input.
    ///
    /// - Returns: the events and outbox messages it caused, in order (empty when it changed nothing).
    /// - Throws: ``AlertError`` for an acknowledgement or all-clear of an unknown or resolved alert, or from a tier
    ///   never told; the state is then unchanged.
    public mutating func apply(_ input: AlertInput) throws(AlertError) -> AlertStep {
        var step = AlertStep()
        switch input {
        case .transition(let transition, let exercise):
            self.follow(transition, exercise: exercise, into: &step)
        case .acknowledge(let id, let tier, let by, let at, let note):
            var alert = try self.openAlert(id)
            guard let index = alert.tiers.firstIndex(where: { $0.tier == tier }) else { throw .tierNotTold(id, tier) }
            if alert.tiers[index].acknowledgedAt == nil {
                alert.tiers[index].acknowledgedBy = by
                alert.tiers[index].acknowledgedAt = at
                alert.tiers[index].acknowledgedNote = note
            }
            alert.tiers[index].nextReminderAt = nil
            self.record(.acknowledged(tier: tier, by: by, note: note), at: at, alert: &alert, into: &step)
            self.store(alert)
        case .resolve(let id, let by, let note, let at):
            var alert = try self.openAlert(id)
            self.end(&alert, by: by, note: note, at: at, into: &step)
        case .tick(let at):
            for alert in self.state.open {
                var alert = alert
                if self.advance(&alert, to: at, into: &step) { self.store(alert) }
            }
        }
        return step
    }

    /// Applies inputs in order, their outputs joined. A refused input throws: the inputs before it stay applied
    /// and their output is lost with the throw, so this is for tables and replays that expect no refusal; the
    /// daemon applies one input at a time.
    public mutating func apply(_ inputs: [AlertInput]) throws(AlertError) -> AlertStep {
        var all = AlertStep()
        for input in inputs {
            let step = try self.apply(input)
            all.events += step.events
            all.messages += step.messages
        }
        return all
    }

    // MARK: - Transitions

    private mutating func follow(_ transition: LevelTransition, exercise: Bool, into step: inout AlertStep) {
        let new = transition.to
        let at = transition.at
        guard var alert = self.openAlert(site: transition.siteCode, exercise: exercise) else {
            guard new > .none else { return }
            var alert = Alert(
                id: AlertID(self.state.nextNumber), siteCode: transition.siteCode, exercise: exercise, level: new, openedAt: at,
                evidence: transition.evidence
            )
            self.state.nextNumber += 1
            let cause = self.record(.raised(level: new, cause: transition.cause, evidence: transition.evidence), at: at, alert: &alert, into: &step)
            self.tell(&alert, level: new, at: at, causedBy: cause, into: &step)
            self.state.open.append(alert)
            self.state.open.sort { $0.id < $1.id }
            return
        }
        let old = alert.level
        guard new != old else { return }
        alert.level = new
        alert.evidence = transition.evidence
        if new > old {
            alert.status = .open
            alert.highest = max(alert.highest, new)
            let cause = self.record(
                .upgraded(from: old, to: new, cause: transition.cause, evidence: transition.evidence), at: at, alert: &alert, into: &step
            )
            let lower = alert.live.filter { $0.level < new }
            if !lower.isEmpty {
                alert.live.removeAll { $0.level < new }
                self.record(.superseded(keys: lower.map(\.key)), at: at, alert: &alert, into: &step)
            }
            self.tell(&alert, level: new, at: at, causedBy: cause, into: &step)
            self.store(alert)
        } else if new > .none {
            self.record(.downgraded(from: old, to: new, cause: transition.cause, evidence: transition.evidence), at: at, alert: &alert, into: &step)
            self.store(alert)
        } else if alert.isEvacuation {
            alert.status = .easing
            self.record(.easing(from: old, cause: transition.cause, evidence: transition.evidence), at: at, alert: &alert, into: &step)
            self.store(alert)
        } else {
            self.record(.downgraded(from: old, to: new, cause: transition.cause, evidence: transition.evidence), at: at, alert: &alert, into: &step)
            self.end(&alert, by: nil, note: nil, at: at, into: &step)
        }
    }

    /// Tells the roles of `level` (unless the level's alert went out within the repeat interval) and arms each
    /// tier told.
    private func tell(_ alert: inout Alert, level: WarningLevel, at: Int64, causedBy cause: Int, into step: inout AlertStep) {
        let roles = self.policy.roles(at: level)
        guard !roles.isEmpty else { return }
        if let last = alert.lastAlerted[level], at - last < Self.milliseconds(self.policy.repeatInterval) {
            self.record(.repeatSuppressed(level: level, lastAt: last), at: at, alert: &alert, into: &step)
            return
        }
        alert.lastAlerted[level] = at
        let recipients = roles.map { Recipient(role: $0) }
        for recipient in recipients {
            self.queue(.alert, to: recipient, level: level, at: at, causedBy: cause, alert: &alert, into: &step)
        }
        for tier in EscalationTier.allCases {
            let told = recipients.filter { $0.tier == tier }.map(\.role)
            guard !told.isEmpty else { continue }
            self.arm(&alert, tier: tier, roles: told, level: level, at: at)
        }
    }

    /// Starts `tier`'s acknowledgement clock at `level` from `at`, replacing what it had.
    private func arm(_ alert: inout Alert, tier: EscalationTier, roles: [ContactRole], level: WarningLevel, at: Int64) {
        let policyLevel = self.policy.levels[level]
        let deadline = policyLevel?.ackWithin.map { at + Self.milliseconds($0) }
        let every = policyLevel?.remindEvery.map { Self.milliseconds($0) }
        var reminder: Int64? = nil
        if let deadline {
            let first = every.map { at + $0 } ?? at + (deadline - at) / 2
            reminder = first < deadline ? first : nil
        }
        let state = TierState(
            tier: tier, level: level, roles: roles, toldAt: at, deadline: deadline, nextReminderAt: reminder, remindEvery: every
        )
        alert.tiers.removeAll { $0.tier == tier }
        alert.tiers.append(state)
        alert.tiers.sort { $0.tier < $1.tier }
    }

    // MARK: - Clock

    /// Sends the reminders and escalations of `alert` due at `now`; whether anything happened.
    private func advance(_ alert: inout Alert, to now: Int64, into step: inout AlertStep) -> Bool {
        var changed = false
        for tier in alert.tiers.map(\.tier) {
            guard let index = alert.tiers.firstIndex(where: { $0.tier == tier }) else { continue }
            let state = alert.tiers[index]
            guard !state.isAcknowledged, state.escalatedAt == nil else { continue }
            if let deadline = state.deadline, deadline <= now {
                changed = true
                alert.tiers[index].escalatedAt = now
                alert.tiers[index].nextReminderAt = nil
                let above = self.tier(above: tier)
                let cause = self.record(.escalated(past: tier, roles: state.roles, to: above), at: now, alert: &alert, into: &step)
                guard let above else { continue }
                let roles = ContactRole.allCases.filter { $0.tier == above }
                for role in roles {
                    self.queue(.escalation, to: Recipient(role: role, tier: above), level: state.level, at: now, causedBy: cause, alert: &alert, into: &step)
                }
                if !alert.tiers.contains(where: { $0.tier == above }) {
                    self.arm(&alert, tier: above, roles: roles, level: state.level, at: now)
                }
            } else if let due = state.nextReminderAt, due <= now {
                changed = true
                alert.tiers[index].remindedAt.append(now)
                var next: Int64? = nil
                if let every = state.remindEvery, let deadline = state.deadline {
                    var slot = due + every
                    while slot <= now { slot += every }
                    next = slot < deadline ? slot : nil
                }
                alert.tiers[index].nextReminderAt = next
                let cause = self.record(.reminded(tier: tier), at: now, alert: &alert, into: &step)
                for role in state.roles {
                    self.queue(.reminder, to: Recipient(role: role, tier: tier), level: state.level, at: now, causedBy: cause, alert: &alert, into: &step)
                }
            }
        }
        let level = alert.level
        let roles = self.policy.roles(at: level)
        if alert.status == .open, !roles.isEmpty, let last = alert.lastAlerted[level],
            now - last >= Self.milliseconds(self.policy.repeatInterval)
        {
            changed = true
            alert.lastAlerted[level] = now
            let cause = self.record(.repeated(level: level), at: now, alert: &alert, into: &step)
            for role in roles {
                self.queue(.alert, to: Recipient(role: role), level: level, at: now, causedBy: cause, alert: &alert, into: &step)
            }
        }
        return changed
    }

    /// The next tier of the policy's escalation above `tier`.
    private func tier(above tier: EscalationTier) -> EscalationTier? {
        guard let index = self.policy.escalation.firstIndex(of: tier), index + 1 < self.policy.escalation.count else { return nil }
        return self.policy.escalation[index + 1]
    }

    // MARK: - Ending

    /// Ends `alert`: a person's all-clear to everyone told, or (`by` nil) a blue or yellow alert's stand-down to
    /// those told at yellow. Queued messages still unsent are superseded.
    private mutating func end(_ alert: inout Alert, by: String?, note: String?, at: Int64, into step: inout AlertStep) {
        if !alert.live.isEmpty {
            self.record(.superseded(keys: alert.live.map(\.key)), at: at, alert: &alert, into: &step)
            alert.live = []
        }
        alert.status = .resolved
        let cause = self.record(.resolved(by: by, note: note), at: at, alert: &alert, into: &step)
        var recipients: [Recipient] = []
        if by == nil {
            for told in alert.told where told.level == .yellow && !recipients.contains(told.recipient) { recipients.append(told.recipient) }
        } else {
            for told in alert.told where !recipients.contains(told.recipient) { recipients.append(told.recipient) }
        }
        let template: MessageTemplate = by == nil ? .standDown : .allClear
        let level: WarningLevel = by == nil ? .yellow : alert.highest
        for recipient in recipients {
            self.queue(template, to: recipient, level: level, at: at, causedBy: cause, alert: &alert, into: &step)
        }
        self.state.open.removeAll { $0.id == alert.id }
    }

    // MARK: - Records

    private func openAlert(_ id: AlertID) throws(AlertError) -> Alert {
        if let alert = self.state.open.first(where: { $0.id == id }) { return alert }
        if id.number >= 1 && id.number < self.state.nextNumber { throw .alreadyResolved(id) }
        throw .unknownAlert(id)
    }

    private mutating func store(_ alert: Alert) {
        guard let index = self.state.open.firstIndex(where: { $0.id == alert.id }) else { return }
        self.state.open[index] = alert
    }

    /// Appends an event to `alert`'s history; its sequence number.
    @discardableResult
    private func record(_ kind: AlertEvent.Kind, at: Int64, alert: inout Alert, into step: inout AlertStep) -> Int {
        alert.sequence += 1
        step.events.append(AlertEvent(alertID: alert.id, sequence: alert.sequence, at: at, kind: kind))
        return alert.sequence
    }

    /// Queues a message (and its event); alert, reminder and escalation messages count as told and stay live
    /// until superseded.
    private func queue(
        _ template: MessageTemplate, to recipient: Recipient, level: WarningLevel, at: Int64, causedBy cause: Int, alert: inout Alert,
        into step: inout AlertStep
    ) {
        let message = OutboxMessage(
            alertID: alert.id, siteCode: alert.siteCode, exercise: alert.exercise, recipient: recipient, template: template, level: level,
            at: at, causedBy: cause
        )
        step.messages.append(message)
        self.record(.messageQueued(key: message.idempotencyKey, recipient: recipient, template: template, level: level), at: at, alert: &alert, into: &step)
        switch template {
        case .alert, .reminder, .escalation:
            let told = Alert.Told(recipient: recipient, level: level)
            if !alert.told.contains(told) { alert.told.append(told) }
            alert.live.append(Alert.LiveMessage(key: message.idempotencyKey, level: level))
        case .standDown, .allClear:
            break
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
