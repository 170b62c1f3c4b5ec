// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRules
import Testing

/// Level rules with `for`, `consecutive`, hysteresis, hold and expiry: flapping input held, slow rises waited for.
@Suite struct PersistenceRuleTests {
    typealias F = EngineFixture

    static let water = Tiers([.blue: 1.5, .yellow: 2.0, .orange: 2.5, .red: 3.0])

    static func waterRule(_ persistence: Persistence, watch: Double? = nil) -> RuleDefinition {
        F.rule("ff-water", .level(tiers: water, falling: false), input: .sensor(.waterLevel), persistence: persistence, watch: watch)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var persistence: Persistence
        var readings: [(minutes: Double, value: Double)]
        var expected: [Expected]
        var testDescription: String { self.name }
    }

    static func every5(_ values: [Double]) -> [(minutes: Double, value: Double)] {
        values.enumerated().map { (minutes: Double($0.offset * 5), value: $0.element) }
    }

    static let cases: [Case] = [
        Case(
            name: "no persistence: flapping input flaps",
            persistence: Persistence(), readings: every5([2.01, 1.99, 2.01, 1.99]),
            expected: [
                Expected("S1", .none, .yellow, at: 0, .raised), Expected("S1", .yellow, .blue, at: 5, .lowered),
                Expected("S1", .blue, .yellow, at: 10, .raised), Expected("S1", .yellow, .blue, at: 15, .lowered),
            ]),
        Case(
            name: "10 % hysteresis holds yellow until the level falls below 1.8 m",
            persistence: Persistence(hysteresis: 0.1), readings: every5([2.01, 1.95, 2.02, 1.81, 2.0, 1.79, 1.2]),
            expected: [
                Expected("S1", .none, .yellow, at: 0, .raised), Expected("S1", .yellow, .blue, at: 25, .lowered),
                Expected("S1", .blue, .none, at: 30, .lowered),
            ]),
        Case(
            name: "absolute hysteresis of 0.3 m",
            persistence: Persistence(hysteresis: 0.3, hysteresisIsFraction: false), readings: every5([2.01, 1.75, 1.69]),
            expected: [Expected("S1", .none, .yellow, at: 0, .raised), Expected("S1", .yellow, .blue, at: 10, .lowered)]),
        Case(
            name: "hold 30 min: lowered at the first reading 30 min after the raise",
            persistence: Persistence(hold: 30 * 60_000), readings: every5([2.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
            expected: [Expected("S1", .none, .yellow, at: 0, .raised), Expected("S1", .yellow, .none, at: 30, .lowered)]),
        Case(
            name: "3 consecutive readings: an interrupted run starts again",
            persistence: Persistence(consecutive: 3), readings: every5([2.1, 2.1, 1.0, 2.1, 2.1, 2.1]),
            expected: [Expected("S1", .none, .yellow, at: 25, .raised)]),
        Case(
            name: "for 10 min: raised at the reading 10 min after the condition began",
            persistence: Persistence(forDuration: 10 * 60_000), readings: every5([1.6, 2.1, 2.2, 2.1, 2.3]),
            expected: [Expected("S1", .none, .blue, at: 10, .raised), Expected("S1", .blue, .yellow, at: 15, .raised)]),
        Case(
            name: "for 10 min: each level has its own timer",
            persistence: Persistence(forDuration: 10 * 60_000), readings: every5([2.6, 2.6, 2.6, 1.0]),
            expected: [Expected("S1", .none, .orange, at: 10, .raised), Expected("S1", .orange, .none, at: 15, .lowered)]),
    ]

    @Test(arguments: cases)
    func levelWithPersistence(_ c: Case) {
        var engine = F.engine([Self.waterRule(c.persistence)])
        let got = engine.feed(F.water.id, c.readings).map(Expected.init)
        #expect(got == c.expected)
    }

    @Test func fallingTiersWarnWhenLow() {
        let rule = F.rule("low", .level(tiers: Tiers([.blue: 10, .yellow: 5]), falling: true), input: .sensor(.waterLevel))
        var engine = F.engine([rule])
        let got = engine.feed(F.water.id, Self.every5([12, 10, 4.9, 11])).map(Expected.init)
        #expect(
            got == [
                Expected("S1", .none, .blue, at: 5, .raised), Expected("S1", .blue, .yellow, at: 10, .raised),
                Expected("S1", .yellow, .none, at: 15, .lowered),
            ])
    }

    @Test func expiryLapsesALevelWhenDataStops() {
        var engine = F.engine([Self.waterRule(Persistence(expiry: 3_600_000))])
        _ = engine.feed(F.water.id, [(0, 2.2)])
        #expect(engine.advanceClock(to: F.at(59)).isEmpty)
        // Noticed by the clock at +61 min, the level lapsed at +60 (1 h after the last reading).
        let output = engine.advanceClock(to: F.at(61))
        #expect(output.transitions.map(Expected.init) == [Expected("S1", .yellow, .none, at: 60, .expired)])
        #expect(output.transitions.first?.evidence == [])
        #expect(engine.state(of: "ff-water@S1/2")?.evidence?.measure == "expired")
        // A later clock does nothing more.
        #expect(engine.advanceClock(to: F.at(200)).isEmpty)
    }

    @Test func nearThresholdWatchIsANoticeNotALevel() {
        var engine = F.engine([Self.waterRule(Persistence(), watch: 0.75)])
        let notices = Self.every5([1.0, 1.2, 1.3, 1.6, 1.0]).flatMap { reading in
            engine.apply([ReadingRow(channelID: F.water.id, timestamp: F.at(reading.minutes), value: reading.value)]).notices
        }
        // 75 % of blue (1.5 m) = 1.125 m: watch starts at 1.2, ends when blue is raised, and does not come back at 1.0.
        #expect(notices.map(\.kind) == [.nearThreshold, .nearThreshold])
        #expect(notices.map(\.active) == [true, false])
        #expect(notices.map(\.at) == [F.at(5), F.at(15)])
        #expect(notices.first?.detail == "value 1.2 reached 75.0% of 1.5")
    }
}
