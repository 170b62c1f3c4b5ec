// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonRules
import HazardMonServer
import HazardMonStore

extension RulesCommand {
    /// `hazardmon rules backtest`: replay stored readings through the live rules or a candidate set.
    struct Backtest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay stored readings through a rule set and print the transitions it would have produced.",
            discussion: """
                Replays every stored reading with FROM <= time < TO through the rules in --rules (a candidate folder,
                default: the live thresholds folder) and prints the site level transitions with their evidence. When
                the candidate is not the live folder, the live rules are replayed too and the difference is printed:
                '-' only with the live rules, '+' only with the candidate. Times are RFC 3339, or a date (YYYY-MM-DD)
                meaning midnight in the county's time zone. Exit status 0; 65 when a rule folder is invalid.
                  hazardmon rules backtest --from 2026-07-19 --to 2026-07-22
                  hazardmon rules backtest --from 2026-07-19T00:00:00+08:00 --to 2026-07-22 --rules thresholds-2027
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "First moment replayed (RFC 3339 or YYYY-MM-DD).")
        var from: String

        @Option(help: "First moment no longer replayed (RFC 3339 or YYYY-MM-DD).")
        var to: String

        @Option(help: "Candidate rule folder (default: the live folder).")
        var rules: String?

        @Option(help: "The live rule folder.")
        var live: String = "thresholds"

        @Option(help: "Days of retention the rules are checked against.")
        var retentionDays: Int = 400

        func run() async throws {
            _ = self.global.makeLogger()
            try await self.global.withOpenStore { store in
                guard let registry = try await store.registry() else {
                    throw ValidationError("the database \(self.global.db) holds no register; import one with 'hazardmon sites import'")
                }
                let zone = TimeZone(identifier: registry.county.timeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)!
                guard let from = Self.moment(self.from, zone: zone) else { throw ValidationError("--from: '\(self.from)' is not RFC 3339 or YYYY-MM-DD") }
                guard let to = Self.moment(self.to, zone: zone) else { throw ValidationError("--to: '\(self.to)' is not RFC 3339 or YYYY-MM-DD") }
                guard from < to else { throw ValidationError("--from must be before --to") }
                let channels = BoundChannel.from(records: try await store.channels(), registry: registry)

                func load(_ folder: String) throws -> RuleSet {
                    do {
                        return try RuleCheck.load(directory: folder, registry: registry, retentionDays: self.retentionDays)
                    } catch {
                        FileHandle.standardError.write(Data((error.description + "\n").utf8))
                        throw ExitCode(65)
                    }
                }
                let candidateFolder = self.rules ?? self.live
                let candidate = try load(candidateFolder)
                let replay = try await store.withDatabase { db in
                    try HazardMonServer.Backtest.run(rules: candidate, channels: channels, from: from, to: to, in: db)
                }
                var text = "backtest \(Self.local(from, zone)) .. \(Self.local(to, zone)) (\(zone.identifier)): "
                text += "\(replay.readings) readings through \(candidateFolder) (\(candidate.rules.count) rules, fingerprint \(candidate.fingerprint))\n"
                text += "\(replay.transitions.count) transitions:\n"
                for transition in replay.transitions { text += "  " + Self.line(transition, zone) + "\n" }
                let notices = Dictionary(grouping: replay.notices.filter(\.active), by: \.kind)
                if !notices.isEmpty {
                    text += "notices raised: " + notices.keys.map(\.rawValue).sorted().map { "\($0) \(notices[RuleNotice.Kind(rawValue: $0)!]!.count)" }.joined(separator: ", ") + "\n"
                }
                if candidateFolder != self.live {
                    let liveRules = try load(self.live)
                    let liveReplay = try await store.withDatabase { db in
                        try HazardMonServer.Backtest.run(rules: liveRules, channels: channels, from: from, to: to, in: db)
                    }
                    let diff = HazardMonServer.Backtest.diff(live: liveReplay.transitions, candidate: replay.transitions)
                    text += "diff against the live rules (\(self.live), fingerprint \(liveRules.fingerprint)): "
                    text += "\(diff.same) the same, \(diff.onlyLive.count) only live, \(diff.onlyCandidate.count) only candidate\n"
                    let changes = diff.onlyLive.map { ("-", $0) } + diff.onlyCandidate.map { ("+", $0) }
                    for (sign, transition) in changes.sorted(by: { ($0.1.at, $0.1.siteCode, $0.0) < ($1.1.at, $1.1.siteCode, $1.0) }) {
                        text += "\(sign) " + Self.line(transition, zone) + "\n"
                    }
                }
                Output.write(text)
            }
        }

        /// RFC 3339, or a date meaning midnight in the county's zone.
        static func moment(_ text: String, zone: TimeZone) -> Int64? {
            if let ms = Timestamp.parse(text) { return ms }
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3, text.count == 10 else { return nil }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            guard let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
            return Int64((date.timeIntervalSince1970 * 1000).rounded())
        }

        static func local(_ ms: Int64, _ zone: TimeZone) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }

        static func line(_ t: LevelTransition, _ zone: TimeZone) -> String {
            var line = "\(Self.local(t.at, zone))  \(t.siteCode)  \(t.from.name) -> \(t.to.name)  \(t.cause.rawValue)"
            if t.late { line += " (late reading)" }
            let evidence = t.evidence.map { e in
                "\(e.rule): \(e.measure) \(e.value.plainText)" + (e.threshold.map { " >= \($0.plainText)" } ?? "")
                    + (e.channel.map { " [\($0)]" } ?? "") + (e.detail.map { " (\($0))" } ?? "")
            }
            if !evidence.isEmpty { line += "  " + evidence.joined(separator: "; ") }
            return line
        }
    }

    /// `hazardmon rules levels`: every site's current level and the latest transitions.
    struct Levels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each site's current warning level with its evidence, and the latest transitions.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "How many of the latest transitions to list.")
        var last: Int = 20

        func run() async throws {
            _ = self.global.makeLogger()
            try await self.global.withOpenStore { store in
                let zone = TimeZone(identifier: try await store.registry()?.county.timeZone ?? "Asia/Shanghai") ?? .current
                var text = ""
                let raised = try await store.siteLevels().filter { $0.level > .none }
                text += raised.isEmpty ? "no site above none\n" : "sites above none:\n"
                for site in raised {
                    text += "  \(site.siteCode)  \(site.level.name) \(site.level.chineseName) since \(Backtest.local(site.since, zone))  "
                    text += "action: \(site.level.action.chineseText)\n"
                    for e in site.evidence {
                        text += "    \(e.rule): \(e.measure) \(e.value.plainText)" + (e.threshold.map { " >= \($0.plainText)" } ?? "") + "\n"
                    }
                }
                let transitions = try await store.levelTransitions()
                text += "latest transitions:\n"
                for transition in transitions.suffix(self.last) { text += "  " + Backtest.line(transition, zone) + "\n" }
                Output.write(text)
            }
        }
    }
}
