// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonAlerts
import HazardMonCore
import Testing

/// One bad input and every issue it must produce, exactly as `hazardmon roster check` prints them.
struct BadRoster: CustomTestStringConvertible, Sendable {
    var name: String
    var contacts: [(String, String)] = []
    var policy: [(String, String)] = []
    var expected: [String]

    var testDescription: String { self.name }
}

let roleList = "monitor, village_head, grid_worker, maintainer, township_duty, county_duty"

let badContacts: [BadRoster] = [
    BadRoster(
        name: "unknown village", contacts: [("500999201201,丙一", "500999201299,丙一")],
        expected: ["contacts.csv:6: scope: village 500999201299 is not in the register (villages.csv)"]),
    BadRoster(
        name: "short village code", contacts: [("500999201201,丙一", "5009992012,丙一")],
        expected: ["contacts.csv:6: scope: '5009992012' is not a 12-digit village code"]),
    BadRoster(
        name: "unknown township", contacts: [("白岩乡,丁二", "白崖乡,丁二")],
        expected: ["contacts.csv:9: scope: '白崖乡' is not a village code, a township of the register (白岩乡, 青岩镇) or county"]),
    BadRoster(
        name: "unknown role", contacts: [("丙一,monitor", "丙一,guard")],
        expected: ["contacts.csv:6: role: 'guard' is not a role (roles: \(roleList))"]),
    BadRoster(
        name: "role listed twice", contacts: [("village_head;grid_worker", "grid_worker;grid_worker")],
        expected: ["contacts.csv:5: role: grid_worker is listed twice"]),
    BadRoster(
        name: "role of another tier", contacts: [("青岩镇,丁一,township_duty", "青岩镇,丁一,village_head")],
        expected: ["contacts.csv:8: role: village_head (村主任) serves a village, but scope is the township 青岩镇"]),
    BadRoster(
        name: "mobile not starting 13-19", contacts: [("13800000005", "12800000005")],
        expected: ["contacts.csv:6: mobile: '12800000005' is not a mobile number (11 digits starting 13 to 19, optionally +86 in front)"]),
    BadRoster(
        name: "mobile with 10 digits", contacts: [("13800000005", "1380000005")],
        expected: ["contacts.csv:6: mobile: '1380000005' is not a mobile number (11 digits starting 13 to 19, optionally +86 in front)"]),
    BadRoster(
        name: "mobile missing", contacts: [("13800000005", "")],
        expected: ["contacts.csv:6: mobile: required field is empty"]),
    BadRoster(
        name: "duplicate name in one scope", contacts: [("county,戊一", "500999101201,甲一,grid_worker,13800000010,sms,zh\ncounty,戊一")],
        expected: ["contacts.csv:10: name: 甲一 is already listed for the village 500999101201 on line 2"]),
    BadRoster(
        name: "duplicate mobile in one scope", contacts: [("county,戊一", "500999101201,甲三,grid_worker,+8613800000001,sms,zh\ncounty,戊一")],
        expected: ["contacts.csv:10: mobile: 13800000001 is already listed for the village 500999101201 on line 2"]),
    BadRoster(
        name: "unknown gateway", contacts: [("sms;voice,zh", "sms;wechat,zh")],
        expected: ["contacts.csv:2: channels: 'wechat' is not a gateway of policy.yaml (gateways: journal, sms, voice)"]),
    BadRoster(
        name: "gateway listed twice", contacts: [("sms;voice,zh", "sms;sms,zh")],
        expected: ["contacts.csv:2: channels: sms is listed twice"]),
    BadRoster(
        name: "unknown language", contacts: [("voice;journal,zh", "voice;journal,fr")],
        expected: ["contacts.csv:10: language: 'fr' is not one of: en, zh, 中文, 英文"]),
    BadRoster(
        name: "unknown column", contacts: [("channels,language", "channels,lang")],
        expected: ["contacts.csv:1: lang: unknown column (see roster/README.md for the columns of this file)"]),
    BadRoster(
        name: "missing column", contacts: [("scope,name,role,mobile", "scope,name,role")],
        expected: ["contacts.csv:1: mobile: required column is missing"]),
    BadRoster(
        name: "row with too many cells", contacts: [("sms,en", "sms,en,extra")],
        expected: ["contacts.csv:6: row has 7 cells, the header has 6"]),
    BadRoster(
        name: "every problem, not only the first",
        contacts: [("13800000005", "12800000005"), ("白岩乡,丁二", "白崖乡,丁二")],
        policy: [("ack_within: 5m", "ack_within: 5 min")],
        expected: [
            "contacts.csv:6: mobile: '12800000005' is not a mobile number (11 digits starting 13 to 19, optionally +86 in front)",
            "contacts.csv:9: scope: '白崖乡' is not a village code, a township of the register (白岩乡, 青岩镇) or county",
            "policy.yaml:13: levels.red.ack_within: '5 min' is not a duration; write a whole number and a unit: 30s, 5m, 1h, 1d",
        ]),
]

let unreachableRosters: [BadRoster] = [
    BadRoster(
        name: "a village without its monitor", contacts: [("500999201201,丙一,monitor,13800000005,sms,en\n", "")],
        expected: [
            "policy.yaml:3: levels.blue.notify: village 500999201201 石板村 (白岩乡) has nobody reachable at blue: "
                + "no monitor there with a channel in contacts.csv (township 白岩乡 above it: 1 reachable)"
        ]),
    BadRoster(
        name: "a monitor without a channel", contacts: [("13800000005,sms,en", "13800000005,,en")],
        expected: [
            "policy.yaml:3: levels.blue.notify: village 500999201201 石板村 (白岩乡) has nobody reachable at blue: "
                + "no monitor there with a channel in contacts.csv (township 白岩乡 above it: 1 reachable)"
        ]),
    BadRoster(
        name: "a village and its township both unreachable",
        contacts: [("13800000005,sms,en", "13800000005,,en"), ("13800000008,sms,zh", "13800000008,,zh")],
        expected: [
            "policy.yaml:3: levels.blue.notify: village 500999201201 石板村 (白岩乡) has nobody reachable at blue: "
                + "no monitor there with a channel in contacts.csv (township 白岩乡 above it: nobody reachable either)"
        ] + [3, 5, 9, 12].enumerated().map { index, line in
            let level = ["blue", "yellow", "orange", "red"][index]
            return "policy.yaml:\(line): levels.\(level).notify: township 白岩乡 has nobody reachable at \(level): "
                + "no township_duty there with a channel in contacts.csv (county above it: 1 reachable)"
        }),
    BadRoster(
        name: "a township duty officer without a channel", contacts: [("13800000008,sms,zh", "13800000008,,zh")],
        expected: [3, 5, 9, 12].enumerated().map { index, line in
            let level = ["blue", "yellow", "orange", "red"][index]
            return "policy.yaml:\(line): levels.\(level).notify: township 白岩乡 has nobody reachable at \(level): "
                + "no township_duty there with a channel in contacts.csv (county above it: 1 reachable)"
        }),
    BadRoster(
        name: "no county duty officer", contacts: [("county,戊一,county_duty,13800000009,voice;journal,zh\n", "")],
        expected: [
            "policy.yaml:12: levels.red.notify: county has nobody reachable at red: no county_duty there with a channel in contacts.csv",
            "policy.yaml:14: escalation: no county_duty contact with a channel in contacts.csv; the county duty officer is told "
                + "when a village has nobody reachable",
        ]),
]

let badPolicies: [BadRoster] = [
    BadRoster(
        name: "unknown level", policy: [("  blue:", "  purple:")],
        expected: [
            "policy.yaml:2: levels.purple: unknown level; the levels are blue, yellow, orange and red",
            "policy.yaml:1: levels: level blue is missing; every level needs an entry (write `notify: []` to tell nobody)",
        ]),
    BadRoster(
        name: "level given twice by its Chinese name", policy: [("  red:", "  红色:\n    notify: []\n  red:")],
        expected: ["policy.yaml:13: levels.red: level red is given twice (first at line 11)"]),
    BadRoster(
        name: "bad duration", policy: [("ack_within: 30m", "ack_within: 30 minutes")],
        expected: ["policy.yaml:6: levels.yellow.ack_within: '30 minutes' is not a duration; write a whole number and a unit: 30s, 5m, 1h, 1d"]),
    BadRoster(
        name: "zero duration", policy: [("repeat_interval: 2h", "repeat_interval: 0m")],
        expected: ["policy.yaml:15: repeat_interval: must be longer than zero"]),
    BadRoster(
        name: "reminder not shorter than the deadline", policy: [("remind_every: 10m", "remind_every: 30m")],
        expected: ["policy.yaml:7: levels.yellow.remind_every: 30m is not shorter than ack_within 30m; no reminder would go out"]),
    BadRoster(
        name: "reminder without a deadline", policy: [("    ack_within: 30m\n", "")],
        expected: ["policy.yaml:6: levels.yellow.remind_every: needs ack_within: reminders go out until the deadline"]),
    BadRoster(
        name: "unknown top-level key", policy: [("repeat_interval: 2h", "repeat_interval: 2h\nquiet_hours: 22h")],
        expected: ["policy.yaml:16: quiet_hours: unknown key (known: levels, escalation, repeat_interval, gateways, templates)"]),
    BadRoster(
        name: "unknown level key", policy: [("ack_within: 5m", "ack_in: 5m")],
        expected: ["policy.yaml:13: levels.red.ack_in: unknown key (known: notify, ack_within, remind_every)"]),
    BadRoster(
        name: "notify missing", policy: [("    notify: [monitor, township_duty]\n", "")],
        expected: ["policy.yaml:2: levels.blue: must be a mapping with notify, ack_within and remind_every, not ''"]),
    BadRoster(
        name: "unknown role in notify", policy: [("[monitor, township_duty]", "[monitor, duty]")],
        expected: ["policy.yaml:3: levels.blue.notify: 'duty' is not a role (roles: \(roleList))"]),
    BadRoster(
        name: "notify not a list", policy: [("[monitor, township_duty]", "monitor")],
        expected: ["policy.yaml:3: levels.blue.notify: must be a list of roles, e.g. [monitor, township_duty]"]),
    BadRoster(
        name: "escalation out of order", policy: [("[village, township, county]", "[village, county, township]")],
        expected: ["policy.yaml:14: escalation: township comes after county; list the tiers bottom first, each once"]),
    BadRoster(
        name: "unknown tier", policy: [("[village, township, county]", "[village, town, county]")],
        expected: ["policy.yaml:14: escalation: 'town' is not a tier (tiers: village, township, county)"]),
    BadRoster(
        name: "escalation missing", policy: [("escalation: [village, township, county]\n", "")],
        expected: ["policy.yaml:1: escalation: required key is missing"]),
    BadRoster(
        name: "unknown gateway kind", policy: [("kind: file", "kind: ftp")],
        expected: ["policy.yaml:26: gateways.journal.kind: 'ftp' is not a gateway kind (kinds: webhook, command, file)"]),
    BadRoster(
        name: "webhook without url", policy: [("    url: https://sms.example.invalid/send\n", "")],
        expected: ["policy.yaml:17: gateways.sms.url: required key of a webhook gateway is missing"]),
    BadRoster(
        name: "webhook url without scheme", policy: [("https://sms.example.invalid/send", "sms.example.invalid/send")],
        expected: ["policy.yaml:19: gateways.sms.url: 'sms.example.invalid/send' is not an http:// or https:// URL with a host"]),
    BadRoster(
        name: "webhook concurrency zero", policy: [("    template_codes:", "    concurrency: 0\n    template_codes:")],
        expected: ["policy.yaml:20: gateways.sms.concurrency: '0' is not a whole number in 1...64"]),
    BadRoster(
        name: "webhook bad timeout", policy: [("    template_codes:", "    timeout: soon\n    template_codes:")],
        expected: ["policy.yaml:20: gateways.sms.timeout: 'soon' is not a duration; write a whole number and a unit: 30s, 5m, 1h, 1d"]),
    BadRoster(
        name: "key of another kind", policy: [("program: /bin/true", "path: /bin/true")],
        expected: [
            "policy.yaml:24: gateways.voice.path: not a key of a command gateway (keys: kind, program, args, timeout)",
            "policy.yaml:22: gateways.voice.program: required key of a command gateway is missing",
        ]),
    BadRoster(
        name: "gateway name with a space", policy: [("  journal:", "  audit log:")],
        expected: [
            "contacts.csv:10: channels: 'journal' is not a gateway of policy.yaml (gateways: audit log, sms, voice)",
            "policy.yaml:25: gateways.audit log: a gateway name is letters, digits, _ and - only (contacts.csv lists names separated by ;)"
        ]),
    BadRoster(
        name: "template code for an undeclared template", policy: [("path: /tmp/alerts.log", "path: /tmp/alerts.log\ntemplates:\n  alert_en: en.txt")],
        expected: ["policy.yaml:17: gateways.sms.template_codes.alert_zh: 'alert_zh' is not a template declared under templates (declared: alert_en)"]),
    BadRoster(
        name: "YAML syntax error", policy: [("notify: [monitor, township_duty]", "notify: [monitor, township_duty")],
        expected: ["policy.yaml:4: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 3)"]),
    BadRoster(
        name: "level key given twice", policy: [("    ack_within: 5m", "    ack_within: 5m\n    ack_within: 4m")],
        expected: ["policy.yaml:14: ack_within: key given twice in one mapping (first at line 13)"]),
    BadRoster(
        name: "key given twice", policy: [("repeat_interval: 2h", "repeat_interval: 2h\nrepeat_interval: 1h")],
        expected: ["policy.yaml:16: repeat_interval: key given twice in one mapping (first at line 15)"]),
]

@Suite("roster errors")
struct RosterErrorTests {
    @Test("the fixture loads clean")
    func fixtureLoads() throws {
        #expect(try RosterFixture.issues() == [])
    }

    @Test("bad contacts are reported as file:line: field: reason", arguments: badContacts)
    func contacts(_ bad: BadRoster) throws {
        let issues = try RosterFixture.issues(contacts: bad.contacts, policy: bad.policy)
        #expect(issues == bad.expected, "\(issues)")
    }

    @Test("a village, township or county with nobody reachable at a level is reported", arguments: unreachableRosters)
    func unreachable(_ bad: BadRoster) throws {
        let issues = try RosterFixture.issues(contacts: bad.contacts, policy: bad.policy)
        #expect(issues == bad.expected, "\(issues)")
    }

    @Test("bad policies are reported at the line of the key", arguments: badPolicies)
    func policy(_ bad: BadRoster) throws {
        let issues = try RosterFixture.issues(contacts: bad.contacts, policy: bad.policy)
        #expect(issues == bad.expected, "\(issues)")
    }

    @Test("an empty policy file is one problem")
    func emptyPolicy() throws {
        do {
            _ = try RosterLoader.parse(contacts: RosterFixture.contacts, policy: "# nothing yet\n", registry: RosterFixture.registry)
            Issue.record("an empty policy loaded")
        } catch {
            #expect(
                error.issues.map(\.description) == [
                    "policy.yaml: the file is empty; it needs levels, escalation and gateways (see roster/README.md)"
                ])
        }
    }

    @Test("Chinese role names and a second contact with the same mobile in another scope are accepted")
    func accepted() throws {
        #expect(try RosterFixture.issues(contacts: [("丙一,monitor", "丙一,群测群防员")]) == [])
        #expect(
            try RosterFixture.issues(contacts: [("county,戊一", "青岩镇,甲一,township_duty,13800000001,sms,中文\ncounty,戊一")]) == [])
    }
}
