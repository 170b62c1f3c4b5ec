// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRules
import Testing

@Suite struct RuleCheckTests {
    static let sampleFolder = sampleRulesFolder

    @Test func sampleRulesLoadAndCheckClean() async throws {
        let registry = try await sampleRegistry.value
        let rules = try RuleFileLoader.load(directory: Self.sampleFolder)
        let issues = RuleCheck.check(rules, registry: registry, retentionDays: 400)
        #expect(issues.isEmpty, "\(issues.map(\.description).joined(separator: "\n"))")

        // Every kind is used at least once, and the persistence keys each at least once.
        var kinds: Set<String> = []
        for rule in rules.rules {
            switch rule.kind {
            case .level: kinds.insert("level")
            case .accumulation(_, let antecedent): kinds.insert(antecedent == nil ? "accumulation" : "antecedent")
            case .rate: kinds.insert("rate")
            case .tangentialAngle: kinds.insert("tangential_angle")
            case .inverseVelocity: kinds.insert("inverse_velocity")
            case .intensityDuration: kinds.insert("intensity_duration")
            case .combination: kinds.insert("combination")
            case .noData: kinds.insert("no_data")
            case .deviceHealth: kinds.insert("device_health")
            }
        }
        #expect(kinds.count == 10)
        let persistence = rules.rules.map(\.persistence)
        #expect(persistence.contains { $0.forDuration > 0 })
        #expect(persistence.contains { $0.consecutive > 1 })
        #expect(persistence.contains { $0.hysteresis > 0 && $0.hysteresisIsFraction })
        #expect(persistence.contains { $0.hysteresis > 0 && !$0.hysteresisIsFraction })
        #expect(persistence.contains { $0.hold > 0 })
        #expect(persistence.contains { $0.expiry != nil })
        #expect(rules.rules.contains { $0.watchFraction == 0.75 })
        #expect(rules.rules.contains { !$0.overrides.isEmpty })
        #expect(!rules.rules.contains { $0.isMaintenance && $0.watchFraction != nil })
    }

    @Test func sampleCountyTablesAreTheDomainNumbers() throws {
        let rules = Dictionary(uniqueKeysWithValues: try RuleFileLoader.load(directory: Self.sampleFolder).rules.map { ($0.id, $0) })
        let h: Int64 = 3_600_000
        let county = try #require(rules["ff-rain-county"])
        guard case .accumulation(let table, nil) = county.kind else {
            Issue.record("ff-rain-county is not a plain accumulation")
            return
        }
        #expect(table.windows == [h, 3 * h, 6 * h, 24 * h])
        #expect(table.tiers.map(\.level) == [.blue, .yellow, .orange, .red])
        #expect(table.tiers.map(\.values) == [[35, 55, 70, 100], [45, 75, 95, 130], [60, 100, 120, 160], [80, 120, 150, 200]])
        guard case .accumulation(let normal, let antecedent?) = rules["dz-rain-soil"]?.kind else {
            Issue.record("dz-rain-soil has no antecedent")
            return
        }
        #expect(antecedent.source == .channel(.code("L3_HS_1")))
        #expect([antecedent.dry, normal, antecedent.wet].map { $0.tiers[0].values } == [[40, 65, 95], [35, 60, 90], [30, 50, 80]])
        #expect(rules["dz-rain-id"]?.kind == .intensityDuration(
            a: 14.82, b: 0.39, durations: [1, 3, 6, 12, 24, 48].map { $0 * h }, factors: Tiers([.yellow: 0.75, .orange: 1, .red: 1.5])))
        guard case .rate(_, let per, _, let tiers) = rules["dr-tilt-rate"]?.kind else {
            Issue.record("dr-tilt-rate is not a rate")
            return
        }
        #expect(per == h)
        #expect(tiers == Tiers([.blue: 0.01, .yellow: 0.1]))
    }

    @Test func bindings() async throws {
        let registry = try await sampleRegistry.value
        let rules = Dictionary(uniqueKeysWithValues: try RuleFileLoader.load(directory: Self.sampleFolder).rules.map { ($0.id, $0) })
        // Every flash-flood site has one rain gauge; only some geohazard sites have a mud-level radar.
        let rain = RuleCheck.binding(of: try #require(rules["ff-rain-county"]), registry: registry)
        #expect(rain.sites.count == 40)
        #expect(rain.channels.count == 40)
        #expect(rain.channels.allSatisfy { $0.channel.kind == .rain })
        let mud = RuleCheck.binding(of: try #require(rules["dz-mud-level"]), registry: registry)
        #expect(mud.channels.map(\.siteCode) == ["DZ500999-0003", "DZ500999-0005", "DZ500999-0010", "DZ500999-0025", "DZ500999-0034"])
        #expect(mud.channels.allSatisfy { $0.channel.code == "L4_NW_1" })
    }

    @Test func sampleRulesAgainstAShortRetention() async throws {
        let registry = try await sampleRegistry.value
        let rules = try RuleFileLoader.load(directory: Self.sampleFolder)
        let issues = RuleCheck.check(rules, registry: registry, retentionDays: 1).map(\.description)
        // 24 h is exactly the retention and allowed; 48 h of rain and 78 h of crack history are not.
        #expect(issues.count == 2, "\(issues.joined(separator: "\n"))")
        #expect(issues.contains { $0.hasPrefix("geohazard.yaml:") && $0.contains("dz-rain-id.intensity_duration.durations: reads 48h") })
        #expect(issues.contains { $0.contains("dz-crack-iv.inverse_velocity.window: reads 78h") })
    }
}
