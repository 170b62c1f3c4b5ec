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
                Replays every stored reading with FROM <= time < TO through the rules in
                --rules (a candidate folder; default: the live thresholds folder) and
                prints the site level transitions with their evidence. When the candidate
                is not the live folder, the live rules are replayed too and the difference
                is printed: '-' only with the live rules, '+' only with the candidate.

                Times are RFC 3339, or a date (YYYY-MM-DD) meaning midnight in the
                county's time zone; an impossible date (2026-02-30) is refused, not rolled
                over. Exit status 0; 64 for a malformed time; 65 when a rule folder is
                invalid or --from is not before --to; 66 when the database or a rule
                folder is missing.
                  hazardmon rules backtest --from 2026-07-19 --to 2026-07-22
                  hazardmon rules backtest --from 2026-07-19T00:00:00+08:00 \\
                    --to 2026-07-22 --rules thresholds-2027
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "First moment replayed (RFC 3339 or YYYY-MM-DD).")
        var from: String

        @Option(help: "First moment no longer replayed (RFC 3339 or YYYY-MM-DD).")
        var to: String

        @Option(help: "Candidate rule folder (default: the live folder).")
        var rules: String?

        @Option(help: "The live rule folder (default: the configuration's thresholds, or thresholds).")
        var live: String?

        @Option(help: "Days of retention the rules are checked against (default: the configuration's, or 400).")
        var retentionDays: Int?

        func run() async throws {
            // The forms are checked before anything is opened; the zone only matters for a bare date.
            for (name, text) in [("--from", self.from), ("--to", self.to)] {
                if case .failure(let reason) = MomentArgument.parse(text, zone: TimeZone(identifier: "UTC")!) {
                    throw CommandFailure("\(name) '\(text)': \(reason)", code: .usage)
                }
            }
            let setup = try self.global.start()
            let liveFolder = self.live ?? setup.configuration.thresholds
            let retentionDays = self.retentionDays ?? setup.configuration.retentionDays
            try await self.global.withReadStore(setup) { store in
                guard let registry = try await store.registry() else {
                    throw CommandFailure(
                        "the database \(setup.database) holds no register; import one: hazardmon sites import\(self.global.importHint(setup))",
                        code: .dataError)
                }
                let zone = registry.county.zone
                let from = try MomentArgument.parse(self.from, zone: zone).get()
                let to = try MomentArgument.parse(self.to, zone: zone).get()
                guard from < to else {
                    throw CommandFailure(
                        "--from \(Self.local(from, zone)) is not before --to \(Self.local(to, zone)): nothing to replay", code: .dataError)
                }
                let channels = BoundChannel.from(records: try await store.channels(), registry: registry)

                func load(_ folder: String, _ what: String, _ argument: String?, _ option: String) throws -> RuleSet {
                    try GlobalOptions.requireFolder(
                        folder, what, from: GlobalOptions.source(argument: argument, option: option, file: setup.configFile))
                    do {
                        return try RuleCheck.load(directory: folder, registry: registry, retentionDays: retentionDays)
                    } catch {
                        throw CommandFailure(error.description, code: .dataError)
                    }
                }
                let candidateFolder = self.rules ?? liveFolder
                let candidate =
                    self.rules == nil ? try load(liveFolder, "live rules", self.live, "--live") : try load(candidateFolder, "candidate rules", self.rules, "--rules")
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
                if candidateFolder != liveFolder {
                    let liveRules = try load(liveFolder, "live rules", self.live, "--live")
                    let liveReplay = try await store.withDatabase { db in
                        try HazardMonServer.Backtest.run(rules: liveRules, channels: channels, from: from, to: to, in: db)
                    }
                    let diff = HazardMonServer.Backtest.diff(live: liveReplay.transitions, candidate: replay.transitions)
                    text += "diff against the live rules (\(liveFolder), fingerprint \(liveRules.fingerprint)): "
                    text += "\(diff.same) the same, \(diff.onlyLive.count) only live, \(diff.onlyCandidate.count) only candidate\n"
                    let changes = diff.onlyLive.map { ("-", $0) } + diff.onlyCandidate.map { ("+", $0) }
                    for (sign, transition) in changes.sorted(by: { ($0.1.at, $0.1.siteCode, $0.0) < ($1.1.at, $1.1.siteCode, $1.0) }) {
                        text += "\(sign) " + Self.line(transition, zone) + "\n"
                    }
                }
                Output.write(text)
            }
        }

        /// A moment for people: `2026-12-02 10:12:00 +08:00`, in `zone`, with the zone's offset.
        static func local(_ ms: Int64, _ zone: TimeZone) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
            return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }

        /// One transition: event time, site, levels, cause and evidence; with `recordedAt`, when the daemon
        /// recorded it (a late reading's transition is recorded after later events).
        static func line(_ t: LevelTransition, _ zone: TimeZone, recordedAt: Int64? = nil) -> String {
            var line = "\(Self.local(t.at, zone))  \(t.siteCode)  \(t.from.name) -> \(t.to.name)  \(t.cause.rawValue)"
            if t.late { line += " (late reading)" }
            if let recordedAt { line += "  recorded \(Self.local(recordedAt, zone))" }
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
            abstract: "Show each site's current warning level with its evidence, and the latest transitions.",
            discussion: """
                Reads the database the daemon writes (--db, or the database of --config or
                /etc/hazardmon/hazardmon.yaml) without changing it. Transitions are listed
                in the order they were recorded, each with its event time and the time it
                was recorded: a late reading's transition has an earlier event time than
                the ones recorded before it. Times are in the county's time zone.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "How many of the latest transitions to list.")
        var last: Int = 20

        func run() async throws {
            let setup = try self.global.start()
            try await self.global.withReadStore(setup) { store in
                guard let registry = try await store.registry() else {
                    throw CommandFailure(
                        "the database \(setup.database) holds no register; import one: hazardmon sites import\(self.global.importHint(setup))",
                        code: .dataError)
                }
                let zone = registry.county.zone
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
                let history = try await store.levelHistory(last: self.last)
                text += history.isEmpty ? "no transitions recorded\n" : "latest transitions, in the order recorded (\(zone.identifier)):\n"
                for entry in history {
                    text += "  " + Backtest.line(entry.transition, zone, recordedAt: entry.recordedAt) + "\n"
                }
                Output.write(text)
            }
        }
    }
}

/// A `--from`/`--to` value: RFC 3339, or a date meaning midnight in the county's time zone.
enum MomentArgument {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static let forms = "accepted: YYYY-MM-DD (midnight in the county's time zone) or RFC 3339 (2026-07-19T08:00:00+08:00)"

    /// The moment in ms UTC, or why `text` is not one; an impossible date is refused, never rolled over.
    static func parse(_ text: String, zone: TimeZone) -> Result<Int64, Invalid> {
        if let ms = Timestamp.parse(text) { return .success(ms) }
        let fields = text.split(separator: "-", omittingEmptySubsequences: false)
        let isDate = text.count == 10 && fields.count == 3 && fields.map(\.count) == [4, 2, 2] && fields.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        guard isDate, let year = Int(fields[0]), let month = Int(fields[1]), let day = Int(fields[2]) else {
            if text.count > 10, text.contains("T") || text.contains(" ") {
                return .failure(Invalid(description: "not a valid RFC 3339 time (a field is out of range or the offset is missing); \(Self.forms)"))
            }
            return .failure(Invalid(description: "not a date or time; \(Self.forms)"))
        }
        guard (1...12).contains(month) else {
            return .failure(Invalid(description: "month \(month) does not exist; \(Self.forms)"))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let first = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
        let days = calendar.range(of: .day, in: .month, for: first)!.count
        guard (1...days).contains(day) else {
            let names = DateFormatter()
            names.locale = Locale(identifier: "en_US_POSIX")
            let monthName = names.monthSymbols[month - 1]
            return .failure(Invalid(description: "\(monthName) \(year) has \(days) days, there is no day \(day); \(Self.forms)"))
        }
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) else {
            return .failure(Invalid(description: "not a date; \(Self.forms)"))
        }
        return .success(Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}

extension County {
    /// The county's time zone; UTC+8 (China's only civil zone) when the register names one this system lacks.
    var zone: TimeZone { TimeZone(identifier: self.timeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)! }
}
