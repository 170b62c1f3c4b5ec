// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRules
import Testing

/// Rolling-window rain against the county table (domain.md §1) at each boundary, antecedent classes and the
/// intensity-duration power law.
@Suite struct AccumulationRuleTests {
    typealias F = EngineFixture

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var readings: [(minutes: Double, value: Double)]
        var expected: [Expected]
        var testDescription: String { self.name }
    }

    static func repeated(_ count: Int, every minutes: Double, from start: Double = 0, _ value: Double) -> [(minutes: Double, value: Double)] {
        (0..<count).map { (minutes: start + Double($0) * minutes, value: value) }
    }

    static let countyCases: [Case] = [
        Case(
            name: "1 h reaches exactly 35 mm (50 x 0.7): blue at the 50th reading",
            readings: repeated(50, every: 1, from: 1, 0.7), expected: [Expected("S1", .none, .blue, at: 50, .raised)]),
        Case(name: "1 h at 34.9 mm stays none", readings: repeated(49, every: 1, from: 1, 0.7) + [(50, 0.6)], expected: []),
        Case(
            name: "1 h exactly 45 mm: yellow, skipping blue",
            readings: [(10, 20), (20, 25)], expected: [Expected("S1", .none, .yellow, at: 20, .raised)]),
        Case(
            name: "1 h 60 then 80 mm: orange then red",
            readings: [(10, 30), (20, 30), (30, 20)],
            expected: [Expected("S1", .none, .orange, at: 20, .raised), Expected("S1", .orange, .red, at: 30, .raised)]),
        Case(
            name: "the window is (T-1h, T]: a reading exactly 1 h earlier is out",
            readings: [(0, 20), (60, 15)], expected: []),
        Case(
            name: "... and one 59 min earlier is in",
            readings: [(0, 20), (59, 15)], expected: [Expected("S1", .none, .blue, at: 59, .raised)]),
        Case(
            name: "3 h reaches 55 mm with no hour at 35: blue on the 3 h window",
            readings: repeated(34, every: 5, from: 5, 1.6) + [(175, 0.6)], expected: [Expected("S1", .none, .blue, at: 175, .raised)]),
        Case(
            name: "24 h reaches 100 mm at 5 mm an hour: blue after 20 readings",
            readings: repeated(20, every: 60, 5.0), expected: [Expected("S1", .none, .blue, at: 1140, .raised)]),
        Case(
            name: "24 h 130 mm at 6.5 mm an hour: yellow after 20 readings (blue at 16)",
            readings: repeated(20, every: 60, 6.5),
            expected: [Expected("S1", .none, .blue, at: 900, .raised), Expected("S1", .blue, .yellow, at: 1140, .raised)]),
        Case(
            name: "a storm that passes: lowered as the 1 h window empties",
            readings: [(0, 40), (30, 0), (59, 0), (61, 0)],
            expected: [Expected("S1", .none, .blue, at: 0, .raised), Expected("S1", .blue, .none, at: 61, .lowered)]),
    ]

    @Test(arguments: countyCases)
    func countyTable(_ c: Case) {
        var engine = F.engine([F.rule("ff-rain", .accumulation(table: F.countyTable, antecedent: nil))])
        let got = engine.feed(F.rain.id, c.readings).map(Expected.init)
        #expect(got == c.expected)
    }

    @Test func evidenceNamesTheWindowSumAndThreshold() throws {
        var engine = F.engine([F.rule("ff-rain", .accumulation(table: F.countyTable, antecedent: nil))])
        let transitions = engine.feed(F.rain.id, Self.repeated(20, every: 60, 6.5))
        let evidence = try #require(transitions.last?.evidence.first)
        #expect(evidence.rule == "ff-rain")
        #expect(evidence.channel == "D1/L3_YL_1")
        #expect(evidence.channelID == 1)
        #expect(evidence.measure == "rain_24h")
        #expect(evidence.value == 130)
        #expect(evidence.threshold == 130)
        #expect(evidence.window == 86_400_000)
        #expect(evidence.at == F.at(1140))
        #expect(engine.level(ofSite: "S1") == .yellow)
        #expect(engine.siteStatuses["S1"]?.since == F.at(1140))
    }

    static let moisture = Antecedent(
        source: .channel(.sensor(.soilMoisture)), dryBelow: 20, wetFrom: 35,
        dry: WindowTable(windows: [3_600_000], tiers: [(.blue, [40])]),
        normal: WindowTable(windows: [3_600_000], tiers: [(.blue, [35])]),
        wet: WindowTable(windows: [3_600_000], tiers: [(.blue, [30])]))

    @Test(arguments: [
        (soil: 40.0, rain: 30.0, level: WarningLevel.blue, detail: "moisture wet (40)"),
        (soil: 34.9, rain: 30.0, level: .none, detail: ""),
        (soil: 34.9, rain: 35.0, level: .blue, detail: "moisture normal (34.9)"),
        (soil: 10.0, rain: 39.9, level: .none, detail: ""),
        (soil: 10.0, rain: 40.0, level: .blue, detail: "moisture dry (10)"),
    ])
    func antecedentMoistureChoosesTheTable(soil: Double, rain: Double, level: WarningLevel, detail: String) {
        var engine = F.engine([
            F.rule("ff-rain", .accumulation(table: Self.moisture.normal, antecedent: Self.moisture))
        ])
        _ = engine.feed(F.soil.id, [(0, soil)])
        let transitions = engine.feed(F.rain.id, [(10, rain)])
        #expect(engine.level(ofSite: "S1") == level)
        #expect(transitions.first?.evidence.first?.detail ?? "" == detail)
    }

    @Test func antecedentRainBeforeTheWindows() {
        // Antecedent rain over the 72 h before the 1 h window: 2 x 25 mm two days earlier (each too little to
        // warn on dry or normal ground) make the ground wet, and then 30 mm in an hour warns.
        var antecedent = Self.moisture
        antecedent.source = .rain(window: 72 * 3_600_000)
        antecedent.dryBelow = 10
        antecedent.wetFrom = 50
        var engine = F.engine([F.rule("ff-rain", .accumulation(table: antecedent.normal, antecedent: antecedent))])
        #expect(engine.feed(F.rain.id, [(0, 25), (90, 25)]).isEmpty)
        let transitions = engine.feed(F.rain.id, [(2 * 1440, 30)])
        #expect(transitions.map(Expected.init) == [Expected("S1", .none, .blue, at: 2880, .raised)])
        #expect(transitions.first?.evidence.first?.detail == "moisture wet (50)")
    }

    @Test(arguments: [
        (rain: 11.0, level: WarningLevel.none),
        (rain: 11.2, level: .yellow),  // 0.75 x 14.82 = 11.115 mm in 1 h
        (rain: 14.82, level: .orange),  // Caine at D = 1 h: 14.82 mm/h
        (rain: 22.3, level: .red),  // 1.5 x 14.82 = 22.23
    ])
    func intensityDurationCaine(rain: Double, level: WarningLevel) {
        let rule = F.rule(
            "dz-rain-id",
            .intensityDuration(
                a: 14.82, b: 0.39, durations: [3_600_000, 24 * 3_600_000], factors: Tiers([.yellow: 0.75, .orange: 1.0, .red: 1.5])),
            target: .siteKind(.geohazard))
        var engine = F.engine([rule])
        _ = engine.feed(F.rain2.id, [(0, rain)])
        #expect(engine.level(ofSite: "S2") == level)
    }

    @Test func intensityDurationAt24Hours() throws {
        // I = 14.82 x 24^-0.39 = 4.2911 mm/h, i.e. 103.0 mm in 24 h; 4.3 mm an hour for 24 hours reaches it.
        let rule = F.rule(
            "dz-rain-id", .intensityDuration(a: 14.82, b: 0.39, durations: [3_600_000, 24 * 3_600_000], factors: Tiers([.orange: 1.0])),
            target: .siteKind(.geohazard))
        var engine = F.engine([rule])
        let transitions = engine.feed(F.rain2.id, AccumulationRuleTests.repeated(24, every: 60, 4.3))
        let evidence = try #require(transitions.first?.evidence.first)
        #expect(transitions.map(Expected.init) == [Expected("S2", .none, .orange, at: 23 * 60, .raised)])
        #expect(evidence.measure == "intensity_24h")
        #expect(abs(evidence.value - 4.3) < 1e-9)
        #expect(abs(try #require(evidence.threshold) - 4.291072) < 1e-6)
    }
}
