// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// The county's contact roster and its alert policy, checked against the site register: who serves
/// where, and who is told what at each warning level.
///
/// ```swift
/// let roster = try RosterLoader.load(directory: "roster", registry: registry)
/// roster.recipients(level: .yellow, scope: .village(code: "500999101201"))   // monitor, head, grid worker
/// roster.unreachable(level: .red, village: "500999101203")                    // false for a clean roster
/// ```
///
/// A loaded roster has nobody unreachable: ``RosterLoader`` reports every village, township and the county
/// that a level would reach nobody in. The daemon still asks ``unreachable(level:village:)`` at the moment
/// a level is raised, because a reloaded roster may be older or newer than the register it was checked
/// against; a village with nobody reachable is itself an alert to the county duty officer.
public struct Roster: Sendable, Hashable {
    /// Every contact, in file order.
    public var contacts: [Contact]
    public var policy: AlertPolicy

    public init(contacts: [Contact], policy: AlertPolicy) {
        self.contacts = contacts
        self.policy = policy
    }

    /// The contacts serving `scope` who hold a role told at `level` and whom some gateway reaches, in file
    /// order.
    public func recipients(level: WarningLevel, scope: ContactScope) -> [Contact] {
        let told = Set(self.policy.roles(at: level))
        guard !told.isEmpty else { return [] }
        return self.contacts.filter { contact in
            contact.scope == scope && contact.isReachable && contact.roles.contains { told.contains($0) }
        }
    }

    /// Whether raising `level` expects to tell someone in `scope` and would reach nobody there: the policy
    /// tells at least one role of the scope's tier at that level, and ``recipients(level:scope:)`` is empty.
    ///
    /// A level that tells no role of the scope's tier (blue tells no county role in the sample) expects
    /// nobody there, so the scope is not unreachable.
    public func unreachable(level: WarningLevel, scope: ContactScope) -> Bool {
        let expected = self.policy.roles(at: level).contains { $0.tier == scope.tier }
        return expected && self.recipients(level: level, scope: scope).isEmpty
    }

    /// ``unreachable(level:scope:)`` for the village with the 12-digit `village` code.
    public func unreachable(level: WarningLevel, village: String) -> Bool {
        self.unreachable(level: level, scope: .village(code: village))
    }

    /// The contacts of `scope` whom some gateway reaches and who hold a role of its tier (the township's
    /// duty officers, the county's): the people an alert reaches when it climbs to that scope.
    public func tierContacts(scope: ContactScope) -> [Contact] {
        self.contacts.filter { contact in
            contact.scope == scope && contact.isReachable && contact.roles.contains { $0.tier == scope.tier }
        }
    }

    /// The scope an alert in `scope` climbs to: the next tier of the policy's escalation, for a village its
    /// township (by `registry`); nil when the scope's tier is the last of the escalation, or not in it.
    public func scopeAbove(_ scope: ContactScope, registry: Registry) -> ContactScope? {
        guard let index = self.policy.escalation.firstIndex(of: scope.tier), index + 1 < self.policy.escalation.count else {
            return nil
        }
        switch self.policy.escalation[index + 1] {
        case .village:
            return nil
        case .township:
            guard case .village(let code) = scope, let village = registry.villages.first(where: { $0.code == code }) else { return nil }
            return .township(name: village.township)
        case .county:
            return .county
        }
    }

    /// Whether the county duty officer, who is told when a village has nobody reachable, can be reached.
    public var countyDutyReachable: Bool {
        self.contacts.contains { $0.scope == .county && $0.isReachable && $0.roles.contains(.countyDuty) }
    }

    /// Every scope of `registry` (villages in register order, then townships in the order their first
    /// village comes, then the county) that raising `level` would reach nobody in.
    public func unreachableScopes(level: WarningLevel, registry: Registry) -> [ContactScope] {
        Self.scopes(of: registry).filter { self.unreachable(level: level, scope: $0) }
    }

    /// The villages, townships and county of a register, in that order.
    public static func scopes(of registry: Registry) -> [ContactScope] {
        var townships: [String] = []
        var seen: Set<String> = []
        for village in registry.villages where seen.insert(village.township).inserted { townships.append(village.township) }
        return registry.villages.map { .village(code: $0.code) } + townships.map { .township(name: $0) } + [.county]
    }
}
