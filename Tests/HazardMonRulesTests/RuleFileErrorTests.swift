// SPDX-License-Identifier: Apache-2.0
import HazardMonRules
import Testing

/// A rule folder with one problem, and the `file:line: field` the problem must be reported at.
struct BadRules: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String]
    var expected: String
    var retentionDays = 400

    var testDescription: String { self.name }

    /// One file `bad.yaml`: `rules:` then a rule `r1` made of `lines` (line 2 is the first of them).
    init(_ name: String, _ expected: String, _ lines: String..., retentionDays: Int = 400) {
        self.name = name
        self.files = ["bad.yaml": (["rules:"] + lines).joined(separator: "\n") + "\n"]
        self.expected = expected
        self.retentionDays = retentionDays
    }

    init(_ name: String, _ expected: String, files: [String: String]) {
        self.name = name
        self.files = files
        self.expected = expected
    }
}

@Suite struct RuleFileErrorTests {
    static let cases: [BadRules] = [
        // Reading the files.
        BadRules(
            "unknown key", "bad.yaml:6: r1.colour",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    colour: red"
        ),
        BadRules(
            "unknown key in a kind", "bad.yaml:6: r1.level.steps",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level:",
            "      steps: 3", "      tiers: {blue: 1}"
        ),
        BadRules(
            "unknown level name", "bad.yaml:7: r1.level.tiers",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level:", "      tiers:",
            "        purple: 1.5"
        ),
        BadRules(
            "bad duration", "bad.yaml:6: r1.accumulation.windows",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: rain", "    accumulation:",
            "      windows: [1h, 3x]", "      tiers: {blue: [10, 20]}"
        ),
        BadRules(
            "duration without unit", "bad.yaml:6: r1.for",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    for: 10"
        ),
        BadRules(
            "wrong value type: text for a number", "bad.yaml:6: r1.consecutive",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    consecutive: two"
        ),
        BadRules(
            "wrong value type: list for a mapping", "bad.yaml:5: r1.level.tiers",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: [1, 2]}"
        ),
        BadRules(
            "tier list shorter than the windows", "bad.yaml:8: r1.accumulation.tiers.yellow",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: rain", "    accumulation:",
            "      windows: [1h, 3h]", "      tiers:", "        准备转移: [45]"
        ),
        BadRules(
            "level given twice", "bad.yaml:5: r1.level.tiers",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level",
            "    level: {tiers: {yellow: 1, 准备转移: 2}}"
        ),
        BadRules(
            "two kinds", "bad.yaml:6: r1.rate",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    rate: {window: 1h, per: 1h, tiers: {blue: 1}}"
        ),
        BadRules(
            "no kind", "bad.yaml:2: r1",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level"
        ),
        BadRules(
            "missing selector", "bad.yaml:2: r1",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "bad id", "bad.yaml:2: rules[0].id",
            "  - id: r 1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "bad target shape", "bad.yaml:3: r1.applies_to",
            "  - id: r1", "    applies_to: {site: SH500999-0001, channel: L3_DB_1}", "    sensor: water_level",
            "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "watch over 100 %", "bad.yaml:6: r1.watch",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    watch: 120%"
        ),
        BadRules(
            "error inside an override points at the override", "bad.yaml:8: r1.overrides[SH500999-0003].hold",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    overrides:", "      - site: SH500999-0003", "        hold: soon"
        ),
        BadRules(
            "unknown key in an override", "bad.yaml:8: r1.overrides[SH500999-0003].applies_to",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    overrides:", "      - site: SH500999-0003", "        applies_to: {kind: geohazard}"
        ),
        BadRules(
            "two overrides for one site", "bad.yaml:9: r1.overrides[SH500999-0003].site",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    overrides:", "      - site: SH500999-0003", "        hold: 1h", "      - site: SH500999-0003", "        hold: 2h"
        ),
        BadRules(
            "YAML syntax error", "bad.yaml:4",
            "  - id: r1", "    applies_to: {kind: flash_flood", "    sensor: water_level", "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "key given twice", "bad.yaml:6: sensor",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    sensor: rain"
        ),

        // Checking against the register and the other rules.
        BadRules(
            "unknown site", "bad.yaml:3: r1.applies_to.site",
            "  - id: r1", "    applies_to: {site: SH500999-9999}", "    sensor: water_level", "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "unknown point", "bad.yaml:3: r1.applies_to.point",
            "  - id: r1", "    applies_to: {site: SH500999-0001, point: JC09}", "    sensor: water_level",
            "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "unknown device", "bad.yaml:3: r1.applies_to.device",
            "  - id: r1", "    applies_to: {device: '00000000', channel: L3_DB_1}", "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "unknown channel code", "bad.yaml:4: r1.channel",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    channel: L9_XX_1", "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "selector matching nothing on an explicit site", "bad.yaml:4: r1.sensor",
            "  - id: r1", "    applies_to: {site: SH500999-0001}", "    sensor: gnss", "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "unit mismatch", "bad.yaml:5: r1.unit",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    unit: mm",
            "    level: {tiers: {blue: 1}}"
        ),
        BadRules(
            "accumulation on a non-rain channel", "bad.yaml:4: r1.sensor",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level",
            "    accumulation: {windows: [1h], tiers: {blue: [1]}}"
        ),
        BadRules(
            "non-monotonic tiers", "bad.yaml:8: r1.level.tiers.yellow",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level:", "      tiers:",
            "        blue: 2.0", "        yellow: 1.5"
        ),
        BadRules(
            "non-monotonic window column", "bad.yaml:9: r1.accumulation.tiers.yellow",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: rain", "    accumulation:",
            "      windows: [1h, 3h]", "      tiers:", "        blue: [35, 55]", "        yellow: [45, 50]"
        ),
        BadRules(
            "rising inverse-velocity horizons", "bad.yaml:5: r1.inverse_velocity.horizons.red",
            "  - id: r1", "    applies_to: {kind: geohazard}", "    sensor: crack",
            "    inverse_velocity: {window: 72h, velocity_window: 6h, horizons: {yellow: 6h, red: 24h}}"
        ),
        BadRules(
            "window longer than retention", "bad.yaml:6: r1.accumulation.windows",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: rain", "    accumulation:",
            "      windows: [1h, 31d]", "      tiers: {blue: [35, 500]}", retentionDays: 30
        ),
        BadRules(
            "duplicate id", "b.yaml:2: r1.id",
            files: [
                "a.yaml": yaml("rules:", "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: rain", "    no_data: {factor: 3}"),
                "b.yaml": yaml("rules:", "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    no_data: {factor: 3}"),
            ]
        ),
        BadRules(
            "combination of an unknown rule", "bad.yaml:4: r1.combination.any[0].rule",
            "  - id: r1", "    applies_to: {kind: geohazard}", "    combination: {any: [{rule: nowhere, at_least: yellow}], level: orange}"
        ),
        BadRules(
            "combination of itself", "bad.yaml:4: r1.combination.all[0].rule",
            "  - id: r1", "    applies_to: {kind: geohazard}", "    combination: {all: [{rule: r1, at_least: yellow}], level: orange}"
        ),
        BadRules(
            "combination of a maintenance rule", "bad.yaml:4: r1.combination.all[0].rule",
            "  - id: r1", "    applies_to: {kind: geohazard}", "    combination: {all: [{rule: m1, at_least: yellow}], level: orange}",
            "  - id: m1", "    applies_to: {kind: geohazard}", "    sensor: rain", "    no_data: {factor: 3}"
        ),
        BadRules(
            "combination cycle", "bad.yaml:4: r1.combination.all[0].rule",
            "  - id: r1", "    applies_to: {kind: geohazard}", "    combination: {all: [{rule: r2, at_least: yellow}], level: orange}",
            "  - id: r2", "    applies_to: {kind: geohazard}", "    combination: {all: [{rule: r1, at_least: yellow}], level: red}"
        ),
        BadRules(
            "override of an unknown site", "bad.yaml:7: r1.overrides[SH500999-9999].site",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    overrides:", "      - site: SH500999-9999", "        level: {tiers: {blue: 2}}"
        ),
        BadRules(
            "override of a site the rule does not apply to", "bad.yaml:7: r1.overrides[DZ500999-0001].site",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    overrides:", "      - site: DZ500999-0001", "        level: {tiers: {blue: 2}}"
        ),
        BadRules(
            "override checked on its site", "bad.yaml:8: r1.overrides[SH500999-0003].sensor",
            "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: water_level", "    level: {tiers: {blue: 1}}",
            "    overrides:", "      - site: SH500999-0003", "        sensor: tilt"
        ),
    ]

    @Test(arguments: Self.cases)
    func reportedAtTheOffendingKey(_ bad: BadRules) async throws {
        let found = try await problems(bad.files, retentionDays: bad.retentionDays)
        #expect(found.count == 1, "\(found.joined(separator: "\n"))")
        #expect(found.first?.hasPrefix(bad.expected + ": ") == true, "\(found.joined(separator: "\n"))")
    }

    @Test func everyProblemOfEveryFileIsReported() async throws {
        let found = try await problems([
            "a.yaml": yaml(
                "rules:", "  - id: r1", "    applies_to: {kind: flash_flood}", "    sensor: rain", "    colour: red",
                "    accumulation: {windows: [1h, 3x], tiers: {blue: [1, 2]}}", "  - id: r2", "    applies_to: {kind: flash_flood}",
                "    sensor: rain", "    level: {tiers: {purple: 1}}"
            ),
            "b.yaml": yaml("rules:", "  - id: r3", "    applies_to: {kind: tundra}", "    sensor: rain", "    no_data: {factor: 3}"),
        ])
        #expect(found.map { $0.prefix { $0 != " " } } == ["a.yaml:5:", "a.yaml:6:", "a.yaml:10:", "b.yaml:3:"])
    }

    @Test func issueText() {
        let text = "rules:\n  - id: r1\n    applies_to: {kind: flash_flood}\n    sensor: rain\n    no_data: {factor: 0.5}\n"
        let expected = RuleError(issues: [RuleIssue(file: "x.yaml", line: 5, field: "r1.no_data.factor", reason: "0.5 must be in 1...1000")])
        #expect(throws: expected) { try RuleFileLoader.parse(text, file: "x.yaml") }
        #expect(expected.description == "x.yaml:5: r1.no_data.factor: 0.5 must be in 1...1000")
        #expect(RuleIssue(file: "thresholds", line: nil, field: nil, reason: "no such folder").description == "thresholds: no such folder")
    }
}
