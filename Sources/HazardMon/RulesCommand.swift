// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonRegistry
import HazardMonRules
import HazardMonServer
import Logging

/// `hazardmon rules …`: the threshold rule files.
struct RulesCommand: AsyncParsableCommand {
    /// The `rules` subcommands; each lives in its own type (`RulesCommand.Check` below).
    static let subcommands: [any ParsableCommand.Type] = [Check.self, Backtest.self, Levels.self]

    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check the threshold rule files against the site register.",
        subcommands: subcommands
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the rule files, check them against the site register, and summarise them.",
            discussion: """
                Every problem is printed to stderr as file:line: field: reason, and the
                command exits with 65 while any remains (66 when a folder is missing).
                The rule file format is described in thresholds/README.md.
                  hazardmon rules check
                  hazardmon rules check thresholds --sites sites
                  hazardmon rules check --config /etc/hazardmon/hazardmon.yaml
                With a configuration file (--config, or /etc/hazardmon/hazardmon.yaml when
                it exists), the folders default to its thresholds and sites keys and the
                retention to its retention_days (400 days without a file).
                """
        )

        @Argument(help: "The rule folder (default: the configuration's thresholds, or thresholds).")
        var directory: String?

        @Option(help: "The site register folder (default: the configuration's sites, or sites).")
        var sites: String?

        @Option(
            help: ArgumentHelp(
                "The daemon's configuration file, for retention_days and the folders.",
                discussion: "Default: /etc/hazardmon/hazardmon.yaml when it exists."))
        var config: String?

        @OptionGroup var log: LogOptions

        func run() async throws {
            let logger = self.log.makeLogger()
            let (configuration, rulesFolder, registry) = try await GlobalOptions.checkedFolders(
                "rules", directory: self.directory, key: \.thresholds, sites: self.sites, config: self.config, logger: logger)
            let rules: RuleSet
            do {
                rules = try RuleCheck.load(directory: rulesFolder, registry: registry, retentionDays: configuration.retentionDays)
            } catch {
                let count = error.issues.count
                throw CommandFailure(error.description + "\n\(count) problem\(count == 1 ? "" : "s") found.", code: .dataError)
            }
            Output.write(
                RulesSummary.text(rules, registry: registry, folder: rulesFolder, retentionDays: configuration.retentionDays)
            )
        }
    }
}

/// The summary `hazardmon rules check` prints for a clean rule set.
enum RulesSummary {
    static func kindName(_ kind: RuleKind) -> String {
        switch kind {
        case .level: "level"
        case .accumulation: "accumulation"
        case .rate: "rate"
        case .tangentialAngle: "tangential_angle"
        case .inverseVelocity: "inverse_velocity"
        case .intensityDuration: "intensity_duration"
        case .combination: "combination"
        case .noData: "no_data"
        case .deviceHealth: "device_health"
        }
    }

    static func text(_ rules: RuleSet, registry: Registry, folder: String, retentionDays: Int) -> String {
        var lines: [String] = []
        let overrides = rules.rules.reduce(0) { $0 + $1.overrides.count }
        lines.append(
            "\(folder): \(rules.rules.count) rule\(rules.rules.count == 1 ? "" : "s"), \(overrides) override"
                + "\(overrides == 1 ? "" : "s"), fingerprint \(rules.fingerprint): no problems"
        )
        var byKind: [String: Int] = [:]
        for rule in rules.rules { byKind[Self.kindName(rule.kind), default: 0] += 1 }
        lines.append("by kind: " + byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        let idWidth = max(4, rules.rules.map(\.id.count).max() ?? 0)
        let kindWidth = 18
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        lines.append(pad("rule", idWidth) + "  " + pad("kind", kindWidth) + "  sites  channels  reads back")
        var longest: (span: Int64, id: String)?
        for rule in rules.rules {
            let binding = RuleCheck.binding(of: rule, registry: registry)
            let span = ([rule] + rule.overrides.values).map(\.span).max() ?? 0
            if span > (longest?.span ?? 0) { longest = (span, rule.id) }
            // Sites the rule reads a channel on (a combination: the sites it applies to).
            let bound = if case .combination = rule.kind { binding.sites.count } else { Set(binding.channels.map(\.siteCode)).count }
            let sites = String(bound)
            let channels = String(binding.channels.count)
            lines.append(
                pad(rule.id, idWidth) + "  " + pad(Self.kindName(rule.kind), kindWidth) + "  "
                    + String(repeating: " ", count: max(0, 5 - sites.count)) + sites + "  "
                    + String(repeating: " ", count: max(0, 8 - channels.count)) + channels + "  "
                    + (span > 0 ? RuleFileDuration.text(span) : "-")
            )
        }
        if let longest {
            lines.append(
                "longest window: \(RuleFileDuration.text(longest.span)) (\(longest.id)); retention \(retentionDays) days"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
