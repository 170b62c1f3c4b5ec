// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonAlerts
import HazardMonCore
import Testing

/// The policy the alert tables run under (the sample county's `roster/policy.yaml`, without gateways), inputs
/// written in minutes, and the machine's output as lines.
enum AlertFixture {
    /// blue: monitor + township, no acknowledgement; yellow: + head, grid worker, 30 min, reminders every 10 min;
    /// orange: as yellow, 10 min, no `remind_every` (one reminder at 5 min); red: + county, 5 min, every 2 min.
    static let policy = AlertPolicy(
        levels: [
            .blue: .init(roles: [.monitor, .townshipDuty]),
            .yellow: .init(roles: [.monitor, .villageHead, .gridWorker, .townshipDuty], ackWithin: .seconds(1800), remindEvery: .seconds(600)),
            .orange: .init(roles: [.monitor, .villageHead, .gridWorker, .townshipDuty], ackWithin: .seconds(600)),
            .red: .init(
                roles: [.monitor, .villageHead, .gridWorker, .townshipDuty, .countyDuty], ackWithin: .seconds(300), remindEvery: .seconds(120)
            ),
        ],
        escalation: [.village, .township, .county],
        repeatInterval: .seconds(7200),
        gateways: [:]
    )

    /// ms of `minutes` after the epoch.
    static func ms(_ minutes: Double) -> Int64 { Int64(minutes * 60_000) }

    /// A level change of `site` at minute `minutes`, with one rule's evidence (`rain-<level>`).
    static func change(
        _ from: WarningLevel, _ to: WarningLevel, at minutes: Double, site: String = "S1", exercise: Bool = false
    ) -> AlertInput {
        let evidence = to == .none ? [] : [Evidence(rule: "rain-\(to)", level: to, measure: "rain_1h", value: 50, threshold: 45, at: Self.ms(minutes))]
        let cause: LevelTransition.Cause = to > from ? .raised : .lowered
        return .transition(LevelTransition(siteCode: site, from: from, to: to, at: Self.ms(minutes), cause: cause, evidence: evidence), exercise: exercise)
    }

    static func tick(_ minutes: Double) -> AlertInput { .tick(at: Self.ms(minutes)) }

    static func ack(_ id: Int64, _ tier: EscalationTier, by: String, at minutes: Double) -> AlertInput {
        .acknowledge(AlertID(id), tier: tier, by: by, at: Self.ms(minutes))
    }

    static func resolve(_ id: Int64, by: String, at minutes: Double) -> AlertInput {
        .resolve(AlertID(id), by: by, note: "slope inspected", at: Self.ms(minutes))
    }

    /// Runs `inputs` through a fresh machine (or `machine`); the events as lines.
    static func run(_ inputs: [AlertInput], machine: inout AlertMachine) throws -> [String] {
        try machine.apply(inputs).events.map(\.description)
    }

    static func run(_ inputs: [AlertInput]) throws -> [String] {
        var machine = AlertMachine(policy: Self.policy)
        return try Self.run(inputs, machine: &machine)
    }

    /// The lines that are not queued messages (the story without its fan-out).
    static func story(_ lines: [String]) -> [String] {
        lines.filter { !$0.contains(" queued ") }
    }

    /// The JSON of `state`, decoded again: what a restarted daemon would read back.
    static func roundTrip(_ state: AlertState) throws -> AlertState {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try JSONDecoder().decode(AlertState.self, from: encoder.encode(state))
    }

    /// The lines of a table written as one multi-line string.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }
}
