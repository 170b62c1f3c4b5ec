// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRules
import Testing

/// Late readings, restart in the middle, combinations and maintenance notices.
@Suite struct EngineSemanticsTests {
    typealias F = EngineFixture
    static let rain = F.rule("ff-rain", .accumulation(table: F.countyTable, antecedent: nil))

    @Test func lateReadingRaisesTheCurrentWindow() {
        var engine = F.engine([Self.rain])
        // 2 mm every 5 min, the reading of minute 20 (15 mm) arrives last.
        let inOrder = stride(from: 0.0, through: 50, by: 5).filter { $0 != 20 }.map { (minutes: $0, value: 2.0) }
        #expect(engine.feed(F.rain.id, inOrder).isEmpty)
        let late = engine.feed(F.rain.id, [(20, 15)])
        #expect(late.map(Expected.init) == [Expected("S1", .none, .blue, at: 50, .raised, late: true)])
        #expect(late.first?.evidence.first?.value == 35)
    }

    @Test func lateReadingRaisesAtItsOwnTime() {
        var engine = F.engine([Self.rain])
        // 1 mm a minute... every 5 min to minute 90; then a 30 mm reading of minute 30: the hour ending at 30
        // held 37 mm, the current hour (30, 90] does not include it.
        let inOrder = stride(from: 0.0, through: 90, by: 5).filter { $0 != 30 }.map { (minutes: $0, value: 1.0) }
        #expect(engine.feed(F.rain.id, inOrder).isEmpty)
        let late = engine.feed(F.rain.id, [(30, 30)])
        #expect(late.map(Expected.init) == [Expected("S1", .none, .blue, at: 30, .raised, late: true)])
        #expect(late.first?.evidence.first?.value == 36)
    }

    @Test func lateReadingOnALevelRuleRaisesAtItsTime() {
        let rule = F.rule("ff-water", .level(tiers: PersistenceRuleTests.water, falling: false), input: .sensor(.waterLevel))
        var engine = F.engine([rule])
        #expect(engine.feed(F.water.id, [(10, 1.0)]).isEmpty)
        // The peak of minute 5 arrives after the reading of minute 10 (a gateway that was offline).
        let late = engine.feed(F.water.id, [(5, 2.2)])
        #expect(late.map(Expected.init) == [Expected("S1", .none, .yellow, at: 5, .raised, late: true)])
        #expect(late.first?.evidence.first?.value == 2.2)
        // A late low value changes nothing.
        #expect(engine.feed(F.water.id, [(7, 0.1)]).isEmpty)
    }

    @Test func lateReadingNeverLowers() {
        var engine = F.engine([Self.rain])
        _ = engine.feed(F.rain.id, [(0, 40), (10, 1)])
        #expect(engine.level(ofSite: "S1") == .blue)
        #expect(engine.feed(F.rain.id, [(5, 0)]).isEmpty)
        #expect(engine.level(ofSite: "S1") == .blue)
    }

    @Test func repeatedAndTooOldReadingsAreIgnored() {
        var engine = F.engine([Self.rain])
        _ = engine.feed(F.rain.id, [(0, 20), (30, 10)])
        // The same time stamp again (ingestion would call it a duplicate) and one older than every window.
        #expect(engine.feed(F.rain.id, [(30, 10), (-2000, 500)]).isEmpty)
        #expect(engine.level(ofSite: "S1") == .none)
    }

    /// A storm on two sites with rain, water level and crack, as a list of readings in arrival order.
    static let storm: [ReadingRow] = {
        var readings: [ReadingRow] = []
        for step in 0..<450 {
            let minutes = Double(step * 5)
            let rain = step < 60 ? Double(step % 7) * 1.3 : (step < 120 ? 6.1 : 0)
            readings.append(ReadingRow(channelID: F.rain.id, timestamp: F.at(minutes), value: rain))
            readings.append(ReadingRow(channelID: F.rain2.id, timestamp: F.at(minutes), value: rain * 0.8))
            let water = max(0.5, 1.0 + Double(min(step, 130)) * 0.015 - Double(max(0, step - 130)) * 0.02) + (step % 2 == 0 ? 0.04 : -0.04)
            readings.append(ReadingRow(channelID: F.water.id, timestamp: F.at(minutes), value: water))
            if step % 2 == 0 {
                readings.append(ReadingRow(channelID: F.crack.id, timestamp: F.at(minutes), value: Double(step) * 0.2))
            }
        }
        // A few late ones.
        readings.swapAt(100, 140)
        readings.swapAt(301, 330)
        return readings
    }()

    static let stormRules: [RuleDefinition] = [
        F.rule("ff-rain", .accumulation(table: F.countyTable, antecedent: nil), persistence: Persistence(consecutive: 2, hold: 1_800_000)),
        F.rule(
            "ff-water", .level(tiers: PersistenceRuleTests.water, falling: false), input: .sensor(.waterLevel),
            persistence: Persistence(forDuration: 600_000, hysteresis: 0.05, hold: 900_000), watch: 0.8),
        F.rule("dz-rain", .accumulation(table: F.countyTable, antecedent: nil), target: .siteKind(.geohazard)),
        F.rule(
            "dz-crack", .level(tiers: Tiers([.blue: 10, .yellow: 20]), falling: false), target: .siteKind(.geohazard),
            input: .sensor(.crack)),
        F.rule(
            "dz-both",
            .combination(all: true, conditions: [Condition(rule: "dz-rain", atLeast: .blue), Condition(rule: "dz-crack", atLeast: .yellow)], level: .orange),
            target: .siteKind(.geohazard), input: nil),
    ]

    /// Runs the storm in batches of 7 readings; at `restartAfter` batches, checkpoints, throws the engine away
    /// and builds a new one from the checkpoint and the readings a database would hold.
    static func run(restartAfter: Int?) -> [LevelTransition] {
        var engine = F.engine(Self.stormRules)
        var saved: [String: InstanceState] = [:]
        var savedSites: [String: SiteStatus] = [:]
        var stored: [Int64: [(timestamp: Int64, value: Double)]] = [:]
        var transitions: [LevelTransition] = []
        let batches = stride(from: 0, to: Self.storm.count, by: 7).map { Array(Self.storm[$0..<min($0 + 7, Self.storm.count)]) }
        for (number, batch) in batches.enumerated() {
            if number == restartAfter {
                var fresh = F.engine(Self.stormRules)
                for (channelID, span) in fresh.history {
                    let rows = (stored[channelID] ?? []).sorted { $0.timestamp < $1.timestamp }
                    guard let newest = rows.last?.timestamp else { continue }
                    fresh.restore(channelID: channelID, readings: rows.filter { $0.timestamp >= newest - span })
                }
                fresh.restore(states: saved, sites: Array(savedSites.values))
                engine = fresh
            }
            let output = engine.apply(batch)
            transitions += output.transitions
            for reading in batch { stored[reading.channelID, default: []].append((reading.timestamp, reading.value)) }
            let checkpoint = engine.takeCheckpoint()
            for (key, state) in checkpoint.instances { saved[key] = state }
            for site in checkpoint.sites { savedSites[site.siteCode] = site }
        }
        return transitions
    }

    @Test func restartInTheMiddleGivesTheSameTransitions() {
        let straight = Self.run(restartAfter: nil)
        // The storm does raise and lower both sites through several levels, combination included.
        #expect(straight.count >= 6)
        #expect(straight.contains { $0.siteCode == "S2" && $0.to == .orange })
        #expect(straight.contains { $0.siteCode == "S1" && $0.cause == .lowered })
        #expect(straight.contains { $0.late })
        for restart in [1, 20, 41, 60, 87, 101, 200] {
            #expect(Self.run(restartAfter: restart) == straight, "restart after batch \(restart)")
        }
    }

    @Test func combinationNeedsAllParts() {
        var engine = F.engine(Self.stormRules)
        _ = engine.feed(F.crack.id, [(0, 21)])
        #expect(engine.level(ofSite: "S2") == .yellow)
        let transitions = engine.feed(F.rain2.id, [(5, 36)])
        #expect(transitions.map(Expected.init) == [Expected("S2", .yellow, .orange, at: 5, .raised)])
        let evidence = transitions.first?.evidence.first
        #expect(evidence?.rule == "dz-both")
        #expect(evidence?.detail == "dz-rain=blue≥blue, dz-crack=yellow≥yellow")
        // The crack falls back: the combination lowers with it and the site goes to rain's blue.
        let after = engine.feed(F.crack.id, [(10, 5)])
        #expect(after.map(Expected.init) == [Expected("S2", .orange, .blue, at: 10, .lowered)])
    }

    @Test func noDataNoticeAfterThreeIntervals() {
        let rule = F.rule("maint-silent", .noData(factor: 3), target: .siteKind(.flashFlood), input: nil)
        var engine = F.engine([rule])
        _ = engine.feed(F.rain.id, [(0, 0)])
        // Rain gauge interval 300 s: silent more than 15 min.
        let early = engine.advanceClock(to: F.at(15))
        let silent = engine.advanceClock(to: F.at(15.5))
        #expect(early.notices.isEmpty)
        #expect(silent.notices.map(\.subject).sorted() == ["D1/L3_YL_1"])
        #expect(silent.notices.allSatisfy { $0.kind == .noData && $0.active })
        #expect(silent.transitions.isEmpty)
        #expect(silent.notices.first?.at == F.at(15))
        #expect(engine.advanceClock(to: F.at(30)).notices.isEmpty)
        // A backlog: readings that are still more than 15 min old leave the channel silent (no flapping).
        #expect(engine.apply([ReadingRow(channelID: F.rain.id, timestamp: F.at(5), value: 0)]).notices.isEmpty)
        #expect(engine.advanceClock(to: F.at(31)).notices.isEmpty)
        _ = engine.apply([ReadingRow(channelID: F.rain.id, timestamp: F.at(31), value: 0)])
        let back = engine.advanceClock(to: F.at(31.5))
        #expect(back.notices.map(\.active) == [false])
        #expect(back.notices.first?.at == F.at(31))
        #expect(engine.level(ofSite: "S1") == .none)
    }

    @Test func deviceHealthNotices() {
        let rule = F.rule("maint-health", .deviceHealth(batteryBelow: 20, faults: true), target: .siteKind(.geohazard), input: nil)
        var engine = F.engine([rule])
        let reports = [
            EngineHealth(deviceID: "D4", timestamp: F.at(0), batteryPercent: 80, sensorState: ["L1_LF_1": 0]),
            EngineHealth(deviceID: "D4", timestamp: F.at(60), batteryPercent: 15, sensorState: ["L1_LF_1": -2]),
            EngineHealth(deviceID: "D4", timestamp: F.at(120), batteryPercent: 18, sensorState: ["L1_LF_1": -2]),
            EngineHealth(deviceID: "D4", timestamp: F.at(180), batteryPercent: 90, sensorState: ["L1_LF_1": 0]),
        ]
        let notices = reports.flatMap { engine.apply([], health: [$0]).notices }
        #expect(notices.map(\.kind) == [.lowBattery, .deviceFault, .lowBattery, .deviceFault])
        #expect(notices.map(\.active) == [true, true, false, false])
        #expect(notices[1].detail == "L1_LF_1: data error (-2)")
        #expect(notices[0].detail == "battery 15% below 20%")
        #expect(engine.level(ofSite: "S2") == .none)
    }
}
