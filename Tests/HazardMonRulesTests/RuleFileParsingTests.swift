// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRules
import Testing

@Suite struct RuleFileParsingTests {
    static let hour: Int64 = 3_600_000

    /// One rule of each kind, as the README writes them.
    static let everyKind = yaml(
        "rules:",
        "  - id: ff-rain",
        "    name: 县表",
        "    applies_to: {kind: flash_flood}",
        "    sensor: rain",
        "    unit: mm",
        "    accumulation:",
        "      windows: [1h, 3h, 6h, 24h]",
        "      tiers:",
        "        内部预警: [35, 55, 70, 100]",
        "        准备转移: [45, 75, 95, 130]",
        "        立即转移: [60, 100, 120, 160]",
        "      antecedent:",
        "        from: {rain: 72h}",
        "        dry_below: 20",
        "        wet_from: 35",
        "        dry: {windows: [1h, 3h, 6h], tiers: {yellow: [40, 65, 95]}}",
        "        wet: {windows: [1h, 3h, 6h], tiers: {yellow: [30, 50, 80]}}",
        "    for: 10m",
        "    consecutive: 2",
        "    hysteresis: 10%",
        "    hold: 30m",
        "    expiry: 72h",
        "    watch: 75%",
        "    overrides:",
        "      - site: SH500999-0003",
        "        accumulation: {windows: [1h, 3h], tiers: {blue: [30, 50]}}",
        "        hold: 1h",
        "  - id: ff-water",
        "    applies_to: {site: SH500999-0001, point: JC02}",
        "    channel: L3_DB_1",
        "    level: {tiers: {blue: 1.5, yellow: 2.0, orange: 2.5, red: 3.0}, direction: falling}",
        "    hysteresis: 0.5",
        "  - id: dr-tilt-rate",
        "    applies_to: {device: '70426924', channel: L1_QJ_X}",
        "    rate: {window: 6h, per: 1h, smoothing: 3, tiers: {blue: 0.01, yellow: 0.1}}",
        "  - id: dz-gnss-angle",
        "    applies_to: {site: DZ500999-0006}",
        "    sensor: gnss",
        "    tangential_angle: {uniform_velocity: 0.5, window: 24h, smoothing: 3}",
        "  - id: dz-crack-iv",
        "    applies_to: {kind: geohazard}",
        "    sensor: crack",
        "    inverse_velocity: {window: 72h, velocity_window: 6h, min_points: 6, horizons: {yellow: 72h, orange: 24h, red: 6h}}",
        "  - id: dz-rain-id",
        "    applies_to: {kind: geohazard}",
        "    sensor: rain",
        "    intensity_duration: {a: 14.82, b: 0.39, durations: [1h, 3h, 6h, 12h, 24h, 48h], factors: {yellow: 0.75, orange: 1.0, red: 1.5}}",
        "  - id: dz-rain-and-move",
        "    applies_to: {kind: geohazard}",
        "    combination: {any: [{rule: dz-rain-id, at_least: 警示}, {rule: dz-crack-iv, at_least: yellow}], level: orange}",
        "  - id: maint-silent",
        "    applies_to: {kind: geohazard}",
        "    sensor: soil_moisture",
        "    no_data: {factor: 3}",
        "  - id: maint-health",
        "    applies_to: {kind: dangerous_rock}",
        "    device_health: {battery_below: 20, faults: true}"
    )

    func rules() throws -> [String: RuleDefinition] {
        let rules = try RuleFileLoader.parse(Self.everyKind, file: "kinds.yaml")
        #expect(rules.map(\.id) == [
            "ff-rain", "ff-water", "dr-tilt-rate", "dz-gnss-angle", "dz-crack-iv", "dz-rain-id", "dz-rain-and-move",
            "maint-silent", "maint-health",
        ])
        return Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
    }

    @Test func accumulationWithAntecedentPersistenceWatchAndOverride() throws {
        let rule = try #require(try self.rules()["ff-rain"])
        let h = Self.hour
        let normal = WindowTable(
            windows: [h, 3 * h, 6 * h, 24 * h],
            tiers: [(.blue, [35, 55, 70, 100]), (.yellow, [45, 75, 95, 130]), (.red, [60, 100, 120, 160])]
        )
        let antecedent = Antecedent(
            source: .rain(window: 72 * h), dryBelow: 20, wetFrom: 35,
            dry: WindowTable(windows: [h, 3 * h, 6 * h], tiers: [(.yellow, [40, 65, 95])]), normal: normal,
            wet: WindowTable(windows: [h, 3 * h, 6 * h], tiers: [(.yellow, [30, 50, 80])])
        )
        #expect(rule.name == "县表")
        #expect(rule.target == .siteKind(.flashFlood))
        #expect(rule.input == .sensor(.rain))
        #expect(rule.unit == "mm")
        #expect(rule.kind == .accumulation(table: normal, antecedent: antecedent))
        #expect(
            rule.persistence
                == Persistence(forDuration: 600_000, consecutive: 2, hysteresis: 0.1, hysteresisIsFraction: true, hold: 1_800_000, expiry: 72 * h)
        )
        #expect(rule.watchFraction == 0.75)
        #expect(rule.mark == SourceMark(file: "kinds.yaml", line: 2))
        #expect(rule.mark(of: "accumulation.tiers.red") == SourceMark(file: "kinds.yaml", line: 12))
        #expect(rule.mark(of: "accumulation.antecedent.from") == SourceMark(file: "kinds.yaml", line: 14))
        #expect(rule.span == 24 * h + 72 * h)

        // The override replaces the accumulation and hold and keeps everything else.
        let override = try #require(rule.overrides["SH500999-0003"])
        #expect(rule.overrides.count == 1)
        #expect(override.kind == .accumulation(table: WindowTable(windows: [h, 3 * h], tiers: [(.blue, [30, 50])]), antecedent: nil))
        #expect(override.persistence.hold == h)
        #expect(override.persistence.forDuration == 600_000)
        #expect(override.input == .sensor(.rain))
        #expect(override.watchFraction == 0.75)
        #expect(override.overrides.isEmpty)
        #expect(override.mark.line == 26)
        #expect(override.mark(of: "accumulation") == SourceMark(file: "kinds.yaml", line: 27))
        #expect(override.mark(of: "sensor") == SourceMark(file: "kinds.yaml", line: 5))
    }

    @Test func levelRateAndAngle() throws {
        let rules = try self.rules()
        let water = try #require(rules["ff-water"])
        #expect(water.target == .point(site: "SH500999-0001", point: "JC02"))
        #expect(water.input == .code("L3_DB_1"))
        #expect(water.kind == .level(tiers: Tiers([.blue: 1.5, .yellow: 2.0, .orange: 2.5, .red: 3.0]), falling: true))
        #expect(water.persistence.hysteresis == 0.5)
        #expect(water.persistence.hysteresisIsFraction == false)
        #expect(water.name == "ff-water")

        let tilt = try #require(rules["dr-tilt-rate"])
        #expect(tilt.target == .channel(device: "70426924", channel: "L1_QJ_X"))
        #expect(tilt.input == .code("L1_QJ_X"))
        #expect(tilt.kind == .rate(window: 6 * Self.hour, per: Self.hour, smoothing: 3, tiers: Tiers([.blue: 0.01, .yellow: 0.1])))
        #expect(tilt.persistence == Persistence())

        let angle = try #require(rules["dz-gnss-angle"])
        #expect(angle.target == .site("DZ500999-0006"))
        #expect(
            angle.kind
                == .tangentialAngle(
                    uniformVelocityPerDay: 0.5, window: 24 * Self.hour, smoothing: 3,
                    tiers: Tiers([.blue: 40, .yellow: 45, .orange: 80, .red: 85])
                )
        )
    }

    @Test func inverseVelocityIntensityDurationAndCombination() throws {
        let rules = try self.rules()
        let h = Double(Self.hour)
        #expect(
            rules["dz-crack-iv"]?.kind
                == .inverseVelocity(
                    window: 72 * Self.hour, velocityWindow: 6 * Self.hour, minimumPoints: 6,
                    horizons: Tiers([.yellow: 72 * h, .orange: 24 * h, .red: 6 * h])
                )
        )
        #expect(
            rules["dz-rain-id"]?.kind
                == .intensityDuration(
                    a: 14.82, b: 0.39, durations: [1, 3, 6, 12, 24, 48].map { $0 * Self.hour },
                    factors: Tiers([.yellow: 0.75, .orange: 1.0, .red: 1.5])
                )
        )
        let combination = try #require(rules["dz-rain-and-move"])
        #expect(
            combination.kind
                == .combination(
                    all: false, conditions: [Condition(rule: "dz-rain-id", atLeast: .yellow), Condition(rule: "dz-crack-iv", atLeast: .yellow)],
                    level: .orange
                )
        )
        #expect(combination.input == nil)
        #expect(combination.mark(of: "combination.any[1].rule").line == 51)
    }

    @Test func maintenanceKinds() throws {
        let rules = try self.rules()
        let silent = try #require(rules["maint-silent"])
        #expect(silent.kind == .noData(factor: 3))
        #expect(silent.input == .sensor(.soilMoisture))
        #expect(silent.isMaintenance)
        let health = try #require(rules["maint-health"])
        #expect(health.kind == .deviceHealth(batteryBelow: 20, faults: true))
        #expect(health.input == nil)
        #expect(health.isMaintenance)
    }

    @Test(arguments: [
        ("30s", 30_000), ("10m", 600_000), ("90m", 5_400_000), ("1h", 3_600_000), ("3h", 10_800_000), ("24h", 86_400_000),
        ("72h", 259_200_000), ("1d", 86_400_000),
    ] as [(String, Int64)])
    func durations(text: String, milliseconds: Int64) {
        #expect(RuleFileDuration.parse(text) == milliseconds)
    }

    @Test(arguments: ["", "h", "10", "1.5h", "-1h", "10 m", "1w", "1H", "１h"])
    func badDurations(text: String) {
        #expect(RuleFileDuration.parse(text) == nil)
    }

    @Test func durationText() {
        #expect(RuleFileDuration.text(259_200_000) == "72h")
        #expect(RuleFileDuration.text(401 * 86_400_000) == "401d")
        #expect(RuleFileDuration.text(5_400_000) == "90m")
        #expect(RuleFileDuration.text(1500) == "1500ms")
    }

    @Test func emptyFilesAndListsHoldNoRules() throws {
        #expect(try RuleFileLoader.parse("", file: "a.yaml").isEmpty)
        #expect(try RuleFileLoader.parse("# nothing yet\n", file: "a.yaml").isEmpty)
        #expect(try RuleFileLoader.parse("rules:\n", file: "a.yaml").isEmpty)
        #expect(try RuleFileLoader.parse("rules: []\n", file: "a.yaml").isEmpty)
    }

    @Test func folderOrderFingerprintAndReadme() async throws {
        let a = yaml("rules:", "  - id: a", "    applies_to: {kind: geohazard}", "    sensor: rain", "    no_data: {factor: 3}")
        let b = yaml("rules:", "  - id: b", "    applies_to: {kind: geohazard}", "    sensor: rain", "    no_data: {factor: 2}")
        let first = try await withRuleFolder(["b.yml": b, "a.yaml": a, "README.md": "# notes"]) { try RuleFileLoader.load(directory: $0) }
        let again = try await withRuleFolder(["a.yaml": a, "b.yml": b]) { try RuleFileLoader.load(directory: $0) }
        let changed = try await withRuleFolder(["a.yaml": a, "b.yml": b + "# edited\n"]) { try RuleFileLoader.load(directory: $0) }
        #expect(first.rules.map(\.id) == ["a", "b"])
        #expect(first.rules.map(\.mark.file) == ["a.yaml", "b.yml"])
        #expect(first.fingerprint.count == 16)
        #expect(first.fingerprint == again.fingerprint)
        #expect(first.fingerprint != changed.fingerprint)

        let readmeOnly = try await withRuleFolder(["README.md": "# rules"]) { try RuleFileLoader.load(directory: $0) }
        #expect(readmeOnly.rules.isEmpty)
    }

    @Test func missingFolderIsNamed() {
        #expect(throws: RuleError(issues: [RuleIssue(file: "/nonexistent/thresholds", line: nil, field: nil, reason: "no such folder")])) {
            try RuleFileLoader.load(directory: "/nonexistent/thresholds")
        }
    }
}
