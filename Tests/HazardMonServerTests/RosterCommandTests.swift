// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// `hazardmon roster check` run as the built executable on the sample county and on a broken copy.
@Suite("roster command")
struct RosterCommandTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the sample roster checks clean: exit 0 and a summary")
    func sample() throws {
        let run = try HazardmonRun.run(["roster", "check", "roster", "--sites", "sites"], in: Self.checkout)
        #expect(run.status == 0, "\(run.err)")
        let lines = run.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "roster: 194 contacts, 58 of 58 villages, 9 of 9 townships and the county: no problems")
        #expect(lines.dropFirst().first == "by role: monitor 58, village_head 58, grid_worker 58, maintainer 11, township_duty 18, county_duty 2")
        #expect(lines.contains("red: monitor, village_head, grid_worker, township_duty, county_duty; acknowledge within 5m, remind every 1m"))
        #expect(lines.contains("escalation: village -> township -> county; repeat every 2h"))
        #expect(lines.last == "gateways: journal (file, 4 contacts), sms (webhook, 194 contacts), voice (command, 136 contacts)")
    }

    @Test("a broken roster: every problem as file:line: field: reason on stderr, exit 65")
    func broken() async throws {
        try await withTemporaryFolder { folder in
            let roster = folder.appendingPathComponent("roster")
            try FileManager.default.copyItem(at: Self.checkout.appendingPathComponent("roster"), to: roster)
            let contacts = roster.appendingPathComponent("contacts.csv")
            var text = try String(contentsOf: contacts, encoding: .utf8)
            text = text.replacingOccurrences(of: "13800000001,", with: "2380000001,")
            text = text.replacingOccurrences(of: ",13800000194,sms;journal,en", with: ",13800000194,sms;wechat,en")
            try Data(text.utf8).write(to: contacts)
            let run = try HazardmonRun.run([
                "roster", "check", roster.path, "--sites", Self.checkout.appendingPathComponent("sites").path, "--log-level", "warning",
            ])
            #expect(run.status == 65)
            #expect(run.out == "")
            #expect(
                run.errLines == [
                    "contacts.csv:2: mobile: '2380000001' is not a mobile number (11 digits starting 13 to 19, optionally +86 in front)",
                    "contacts.csv:195: channels: 'wechat' is not a gateway of policy.yaml (gateways: journal, sms, voice)",
                    "2 problems found.",
                ])
        }
    }

    @Test("a missing roster folder is EX_NOINPUT (66), and --config supplies the folders")
    func folders() async throws {
        let missing = try HazardmonRun.run(["roster", "check", "/nonexistent/roster", "--sites", "sites"], in: Self.checkout)
        #expect(missing.status == 66)
        #expect(missing.errLines.last == "no roster folder at /nonexistent/roster (from DIR)")
        try await withTemporaryFolder { folder in
            let config = folder.appendingPathComponent("hazardmon.yaml")
            try Data("sites: \(Self.checkout.path)/sites\nroster: \(Self.checkout.path)/roster\n".utf8).write(to: config)
            let run = try HazardmonRun.run(["roster", "check", "--config", config.path], in: folder)
            #expect(run.status == 0, "\(run.err)")
            #expect(run.out.hasPrefix("\(Self.checkout.path)/roster: 194 contacts"))
        }
    }

    @Test("roster check --help keeps its examples whole at 80 columns")
    func help() throws {
        let narrow = try HazardmonRun.run(["roster", "check", "--help"], environment: ["COLUMNS": "80"])
        let wide = try HazardmonRun.run(["roster", "check", "--help"], environment: ["COLUMNS": "300"])
        #expect(narrow.status == 0)
        #expect(narrow.out.contains("\n  hazardmon roster check roster --sites sites\n"))
        // The discussion, between the overview (wrapped like any prose) and USAGE.
        let discussion = { (text: String) -> String in
            guard let start = text.range(of: "\n\n"), let end = text.range(of: "\nUSAGE:"), start.upperBound <= end.lowerBound
            else { return "" }
            return String(text[start.upperBound..<end.lowerBound])
        }
        #expect(discussion(narrow.out).contains("exits with 65"))
        #expect(discussion(narrow.out) == discussion(wide.out))
    }
}
