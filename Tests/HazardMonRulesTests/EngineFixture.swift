// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRules

/// A small county for engine tests: sites with the channels the rules read, ids fixed.
enum EngineFixture {
    /// 2026-07-20T00:00:00Z.
    static let t0: Int64 = 1_784_505_600_000

    /// Event time `minutes` after ``t0``.
    static func at(_ minutes: Double) -> Int64 { t0 + Int64((minutes * 60_000).rounded()) }

    static func channel(
        _ id: Int64, site: String = "S1", kind: SiteKind = .flashFlood, point: String = "JC01", device: String? = nil,
        code: String, sensor: SensorKind, unit: String? = nil, interval: Int = 300
    ) -> BoundChannel {
        BoundChannel(
            id: id, deviceID: device ?? "D\(id)", siteCode: site, siteKind: kind, pointCode: point,
            channel: Channel(
                code: code, kind: sensor, unit: unit ?? sensor.defaultUnit, intervalSeconds: interval, validMin: -1e9,
                validMax: 1e9))
    }

    static let rain = channel(1, code: "L3_YL_1", sensor: .rain)
    static let water = channel(2, code: "L3_DB_1", sensor: .waterLevel)
    static let soil = channel(3, code: "L3_HS_1", sensor: .soilMoisture)
    static let crack = channel(4, site: "S2", kind: .geohazard, code: "L1_LF_1", sensor: .crack, interval: 600)
    static let rain2 = channel(5, site: "S2", kind: .geohazard, code: "L3_YL_1", sensor: .rain)

    static let all = [rain, water, soil, crack, rain2]

    static func rule(
        _ id: String, _ kind: RuleKind, target: RuleTarget = .siteKind(.flashFlood), input: ChannelSelector? = .sensor(.rain),
        persistence: Persistence = Persistence(), watch: Double? = nil
    ) -> RuleDefinition {
        RuleDefinition(id: id, target: target, input: input, kind: kind, persistence: persistence, watchFraction: watch)
    }

    /// The county table of domain.md §1 (江华县), 1/3/6/24 h.
    static let countyTable = WindowTable(
        windows: [1, 3, 6, 24].map { Int64($0) * 3_600_000 },
        tiers: [
            (.blue, [35, 55, 70, 100]), (.yellow, [45, 75, 95, 130]), (.orange, [60, 100, 120, 160]), (.red, [80, 120, 150, 200]),
        ])

    static func engine(_ rules: [RuleDefinition], channels: [BoundChannel] = all) -> RuleEngine {
        RuleEngine(rules: RuleSet(rules: rules, fingerprint: "test"), channels: channels)
    }
}

/// One line of an expected table: a site went from → to at a time.
struct Expected: Equatable, CustomStringConvertible {
    var site: String
    var from: WarningLevel
    var to: WarningLevel
    var at: Int64
    var cause: LevelTransition.Cause
    var late = false

    init(_ site: String, _ from: WarningLevel, _ to: WarningLevel, at minutes: Double, _ cause: LevelTransition.Cause, late: Bool = false) {
        self.site = site
        self.from = from
        self.to = to
        self.at = EngineFixture.at(minutes)
        self.cause = cause
        self.late = late
    }

    init(_ transition: LevelTransition) {
        self.site = transition.siteCode
        self.from = transition.from
        self.to = transition.to
        self.at = transition.at
        self.cause = transition.cause
        self.late = transition.late
    }

    var description: String {
        "\(self.site) \(self.from)→\(self.to) at +\(Double(self.at - EngineFixture.t0) / 60_000)min \(self.cause)\(self.late ? " late" : "")"
    }
}

extension RuleEngine {
    /// Feeds readings one batch per reading (as a device posting each) and collects the transitions.
    mutating func feed(_ channel: Int64, _ series: [(minutes: Double, value: Double)]) -> [LevelTransition] {
        series.flatMap { self.apply([ReadingRow(channelID: channel, timestamp: EngineFixture.at($0.minutes), value: $0.value)]).transitions }
    }
}
