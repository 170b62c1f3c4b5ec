// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonAlerts
import HazardMonCore
import HazardMonRegistry
import Testing

/// The checkout this test file is in, for the sample county and roster.
let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("roster")
struct RosterTests {
    static func fixture() throws -> Roster {
        try RosterLoader.parse(contacts: RosterFixture.contacts, policy: RosterFixture.policy, registry: RosterFixture.registry)
    }

    @Test("contacts are read with their scope, roles, normalised mobile, channels and language")
    func contacts() throws {
        let roster = try Self.fixture()
        #expect(roster.contacts.count == 9)
        let head = try #require(roster.contacts.first { $0.name == "乙二" })
        #expect(head.scope == .village(code: "500999101202"))
        #expect(head.roles == [.villageHead, .gridWorker])
        #expect(head.mobile == "13800000004")
        #expect(head.channels == ["sms"])
        #expect(head.language == .zh)
        #expect(head.line == 5)
        let monitor = try #require(roster.contacts.first { $0.name == "丙一" })
        #expect(monitor.language == .en)
        #expect(roster.contacts.first { $0.name == "丁二" }?.scope == .township(name: "白岩乡"))
        #expect(roster.contacts.first { $0.name == "戊一" }?.channels == ["voice", "journal"])
    }

    @Test("the policy is read with its levels, durations, escalation and gateways")
    func policy() throws {
        let policy = try Self.fixture().policy
        #expect(policy.roles(at: .blue) == [.monitor, .townshipDuty])
        #expect(policy.roles(at: .none) == [])
        #expect(policy.levels[.yellow]?.ackWithin == .seconds(1800))
        #expect(policy.levels[.yellow]?.remindEvery == .seconds(600))
        #expect(policy.levels[.blue]?.ackWithin == nil)
        #expect(policy.levels[.red]?.ackWithin == .seconds(300))
        #expect(policy.levels[.red]?.notifyLine == 12)
        #expect(policy.escalation == [.village, .township, .county])
        #expect(policy.repeatInterval == .seconds(7200))
        #expect(
            policy.gateways["sms"]?.kind
                == .webhook(
                    .init(
                        url: "https://sms.example.invalid/send", secretFile: nil, timeout: .seconds(10), concurrency: 4,
                        templateCodes: ["alert_zh": "SMS_1"])))
        #expect(policy.gateways["voice"]?.kind == .command(.init(program: "/bin/true", arguments: [], timeout: .seconds(30))))
        #expect(policy.gateways["journal"]?.kind == .file(path: "/tmp/alerts.log"))
    }

    @Test("recipients are the contacts of the scope told at the level with a channel")
    func recipients() throws {
        let roster = try Self.fixture()
        let village = ContactScope.village(code: "500999101202")
        #expect(roster.recipients(level: .blue, scope: village).map(\.name) == ["乙一"])
        #expect(roster.recipients(level: .yellow, scope: village).map(\.name) == ["乙一", "乙二"])
        #expect(roster.recipients(level: .none, scope: village).map(\.name) == [])
        #expect(roster.recipients(level: .blue, scope: .township(name: "青岩镇")).map(\.name) == ["丁一"])
        #expect(roster.recipients(level: .orange, scope: .county).map(\.name) == [])
        #expect(roster.recipients(level: .red, scope: .county).map(\.name) == ["戊一"])
    }

    @Test("unreachable: the level tells a role of the scope's tier and nobody there has a channel")
    func unreachable() throws {
        var roster = try Self.fixture()
        for level in WarningLevel.warning {
            #expect(roster.unreachableScopes(level: level, registry: RosterFixture.registry) == [])
        }
        // Blue tells no county role: the county is not expected to hear it, so not unreachable.
        #expect(!roster.unreachable(level: .blue, scope: .county))
        // Take the 石板村 monitor's channels away: blue reaches nobody there, yellow still the head.
        let index = try #require(roster.contacts.firstIndex { $0.name == "丙一" })
        roster.contacts[index].channels = []
        #expect(roster.unreachable(level: .blue, village: "500999201201"))
        #expect(!roster.unreachable(level: .yellow, village: "500999201201"))
        #expect(!roster.unreachable(level: .blue, village: "500999101201"))
        #expect(roster.unreachableScopes(level: .blue, registry: RosterFixture.registry) == [.village(code: "500999201201")])
        // A village missing from the roster altogether (a village added to the register after the roster).
        #expect(roster.unreachable(level: .red, village: "500999999999"))
        #expect(roster.scopeAbove(.village(code: "500999201201"), registry: RosterFixture.registry) == .township(name: "白岩乡"))
        #expect(roster.scopeAbove(.township(name: "白岩乡"), registry: RosterFixture.registry) == .county)
        #expect(roster.scopeAbove(.county, registry: RosterFixture.registry) == nil)
        #expect(roster.tierContacts(scope: .township(name: "白岩乡")).map(\.name) == ["丁二"])
        #expect(roster.countyDutyReachable)
        roster.contacts.removeAll { $0.roles.contains(.countyDuty) }
        #expect(!roster.countyDutyReachable)
        #expect(roster.unreachable(level: .red, scope: .county))
    }

    @Test(
        "mobile numbers are normalised to 11 digits",
        arguments: [
            ("13800000004", "13800000004"), ("+86 138 0000 0004", "13800000004"), ("+8613800000004", "13800000004"),
            ("8613800000004", "13800000004"), ("138-0000-0004", "13800000004"), ("19912345678", "19912345678"),
            ("12800000004", nil), ("1380000000", nil), ("138000000041", nil), ("1380000000a", nil), ("+85213800000004", nil),
            ("１３８００００００４", nil),
        ] as [(String, String?)])
    func mobile(_ text: String, _ expected: String?) {
        #expect(MobileNumber.normalize(text) == expected)
    }

    @Test("the sample roster loads clean against the sample county and reaches every village at every level")
    func sample() async throws {
        let registry = try await RegistryLoader.load(directory: checkout.appendingPathComponent("sites").path)
        let roster = try RosterLoader.load(directory: checkout.appendingPathComponent("roster").path, registry: registry)
        #expect(roster.contacts.count == 194)
        #expect(registry.villages.count == 58)
        let villages = Set(roster.contacts.compactMap { if case .village(let code) = $0.scope { code } else { nil } })
        #expect(villages == Set(registry.villages.map(\.code)))
        let townships = Set(roster.contacts.compactMap { if case .township(let name) = $0.scope { name } else { nil } })
        #expect(townships == Set(registry.villages.map(\.township)))
        for level in WarningLevel.warning {
            #expect(roster.unreachableScopes(level: level, registry: registry) == [])
        }
        #expect(Set(roster.policy.gateways.keys) == ["sms", "voice", "journal"])
        #expect(roster.policy.templates == ["alert_zh": "templates/alert_zh.txt", "alert_en": "templates/alert_en.txt"])
        #expect(roster.contacts.allSatisfy { $0.mobile.hasPrefix("1380000") })
    }

    @Test("a GB18030 contacts file is read, and its problems point at the right line")
    func gb18030() async throws {
        try await withTemporaryFolder { folder in
            try Data(RosterFixture.policy.utf8).write(to: folder.appendingPathComponent("policy.yaml"))
            let file = folder.appendingPathComponent("contacts.csv")
            let chineseHeader = RosterFixture.contacts.replacingOccurrences(
                of: "scope,name,role,mobile,channels,language", with: "范围,姓名,角色,手机,渠道,语言")
            try #require(TextEncoding.gb18030.encode(chineseHeader)).write(to: file)
            #expect(String(data: try Data(contentsOf: file), encoding: .utf8) == nil, "the file must not be valid UTF-8")
            let roster = try RosterLoader.load(directory: folder.path, registry: RosterFixture.registry)
            #expect(roster.contacts.map(\.name).prefix(3) == ["甲一", "甲二", "乙一"])
            #expect(roster.contacts.last?.scope == .county)

            let bad = chineseHeader.replacingOccurrences(of: "白岩乡,丁二", with: "白崖乡,丁二")
            try #require(TextEncoding.gb18030.encode(bad)).write(to: file)
            #expect(throws: RosterError(issues: [
                RosterIssue(
                    file: "contacts.csv", line: 9, field: "scope",
                    reason: "'白崖乡' is not a village code, a township of the register (白岩乡, 青岩镇) or county")
            ])) {
                try RosterLoader.load(directory: folder.path, registry: RosterFixture.registry)
            }
        }
    }

    @Test("a missing folder or file, and a missing template file, are problems naming them")
    func missingFiles() async throws {
        try await withTemporaryFolder { folder in
            let missing = folder.appendingPathComponent("nowhere").path
            #expect(throws: RosterError(issues: [RosterIssue(file: missing, line: nil, field: nil, reason: "no such folder")])) {
                try RosterLoader.load(directory: missing, registry: RosterFixture.registry)
            }
            try Data(RosterFixture.contacts.utf8).write(to: folder.appendingPathComponent("contacts.csv"))
            #expect(throws: RosterError(issues: [
                RosterIssue(file: "policy.yaml", line: nil, field: nil, reason: "no such file in \(folder.path)")
            ])) {
                try RosterLoader.load(directory: folder.path, registry: RosterFixture.registry)
            }
            let policy = RosterFixture.policy + "templates:\n  alert_zh: templates/alert_zh.txt\n"
            try Data(policy.utf8).write(to: folder.appendingPathComponent("policy.yaml"))
            let expected = folder.appendingPathComponent("templates/alert_zh.txt").path
            #expect(throws: RosterError(issues: [
                RosterIssue(file: "policy.yaml", line: 29, field: "templates.alert_zh", reason: "no template file at \(expected)")
            ])) {
                try RosterLoader.load(directory: folder.path, registry: RosterFixture.registry)
            }
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("templates"), withIntermediateDirectories: true)
            try Data("${site}\n".utf8).write(to: URL(fileURLWithPath: expected))
            #expect(try RosterLoader.load(directory: folder.path, registry: RosterFixture.registry).policy.templates.count == 1)
        }
    }
}
