// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonAlerts
import HazardMonCore
import Testing

/// A small register (two townships, three villages) and a roster for it that loads clean, line by line as
/// the expected issues count them.
enum RosterFixture {
    static let registry = Registry(
        county: County(
            name: "青岩县（示例）", regionCode: "500999", workingCRS: "EPSG:4545",
            extent: GeoBox(west: 107.6, south: 29.6, east: 108.6, north: 30.6)
        ),
        villages: [
            Village(code: "500999101201", name: "金竹村", township: "青岩镇"),
            Village(code: "500999101202", name: "柏杨村", township: "青岩镇"),
            Village(code: "500999201201", name: "石板村", township: "白岩乡"),
        ],
        sites: []
    )

    /// `contacts.csv`: the header is line 1, 丙一 (the 石板村 monitor) line 6, the county duty officer line 10.
    static let contacts = """
        scope,name,role,mobile,channels,language
        500999101201,甲一,monitor,13800000001,sms;voice,zh
        500999101201,甲二,village_head,13800000002,voice,zh
        500999101202,乙一,monitor,13800000003,sms,zh
        500999101202,乙二,village_head;grid_worker,+86 138 0000 0004,sms,
        500999201201,丙一,monitor,13800000005,sms,en
        500999201201,丙二,village_head,13800000006,sms,zh
        青岩镇,丁一,township_duty,13800000007,voice;sms,zh
        白岩乡,丁二,township_duty,13800000008,sms,zh
        county,戊一,county_duty,13800000009,voice;journal,zh

        """

    /// `policy.yaml`: blue's notify is line 3, yellow's 5, orange's 9, red's 12, escalation 14.
    static let policy = """
        levels:
          blue:
            notify: [monitor, township_duty]
          yellow:
            notify: [monitor, village_head, township_duty]
            ack_within: 30m
            remind_every: 10m
          orange:
            notify: [monitor, village_head, township_duty]
            ack_within: 10m
          red:
            notify: [monitor, village_head, township_duty, county_duty]
            ack_within: 5m
        escalation: [village, township, county]
        repeat_interval: 2h
        gateways:
          sms:
            kind: webhook
            url: https://sms.example.invalid/send
            template_codes:
              alert_zh: SMS_1
          voice:
            kind: command
            program: /bin/true
          journal:
            kind: file
            path: /tmp/alerts.log

        """

    /// Applies `edits` (find, replace) to `text`; each find must occur exactly once.
    static func edited(_ text: String, _ edits: [(String, String)]) throws -> String {
        var text = text
        for (find, replace) in edits {
            let count = text.components(separatedBy: find).count - 1
            try #require(count == 1, "'\(find)' occurs \(count) times in the fixture")
            text = text.replacingOccurrences(of: find, with: replace)
        }
        return text
    }

    /// The issues loading the edited fixture reports, as printed lines (empty when it loads).
    static func issues(contacts: [(String, String)] = [], policy: [(String, String)] = []) throws -> [String] {
        let contactsText = try Self.edited(Self.contacts, contacts)
        let policyText = try Self.edited(Self.policy, policy)
        do {
            _ = try RosterLoader.parse(contacts: contactsText, policy: policyText, registry: Self.registry)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }
}

/// Runs `body` with a new empty folder, removed afterwards even when the body throws.
func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-roster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}
