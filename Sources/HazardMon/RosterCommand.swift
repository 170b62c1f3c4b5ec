// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonAlerts
import HazardMonCore
import HazardMonRegistry
import HazardMonServer
import Logging

/// `hazardmon roster …`: the village contact roster and the alert policy.
struct RosterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Check the contact roster and the alert policy against the site register.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load contacts.csv and policy.yaml, check them against the register, and summarise them.",
            discussion: """
                Every problem is printed to stderr as file:line: field: reason, and the
                command exits with 65 while any remains (66 when a folder is missing).
                The roster's files are described in roster/README.md.
                  hazardmon roster check
                  hazardmon roster check roster --sites sites
                  hazardmon roster check --config /etc/hazardmon/hazardmon.yaml
                With a configuration file (--config, or /etc/hazardmon/hazardmon.yaml when
                it exists), the folders default to its roster and sites keys.
                """
        )

        @Argument(help: "The roster folder (default: the configuration's roster, or roster).")
        var directory: String?

        @Option(help: "The site register folder (default: the configuration's sites, or sites).")
        var sites: String?

        @Option(
            help: ArgumentHelp(
                "The daemon's configuration file, for the folders.",
                discussion: "Default: /etc/hazardmon/hazardmon.yaml when it exists."))
        var config: String?

        @OptionGroup var log: LogOptions

        func run() async throws {
            let logger = self.log.makeLogger()
            let (_, rosterFolder, registry) = try await GlobalOptions.checkedFolders(
                "roster", directory: self.directory, key: \.roster, sites: self.sites, config: self.config, logger: logger)
            let roster: Roster
            do {
                roster = try RosterLoader.load(directory: rosterFolder, registry: registry)
            } catch {
                let count = error.issues.count
                throw CommandFailure(error.description + "\n\(count) problem\(count == 1 ? "" : "s") found.", code: .dataError)
            }
            Output.write(RosterSummary.text(roster, registry: registry, folder: rosterFolder))
        }
    }
}

/// The summary `hazardmon roster check` prints for a clean roster.
enum RosterSummary {
    static func text(_ roster: Roster, registry: Registry, folder: String) -> String {
        var lines: [String] = []
        let contacts = roster.contacts
        var covered: Set<String> = []
        var townships: Set<String> = []
        for contact in contacts {
            switch contact.scope {
            case .village(let code): covered.insert(code)
            case .township(let name): townships.insert(name)
            case .county: break
            }
        }
        let allTownships = Set(registry.villages.map(\.township))
        lines.append(
            "\(folder): \(contacts.count) contact\(contacts.count == 1 ? "" : "s"), \(covered.count) of \(registry.villages.count) "
                + "villages, \(townships.count) of \(allTownships.count) townships and the county: no problems"
        )
        let byRole = ContactRole.allCases.map { role in
            "\(role.key) \(contacts.filter { $0.roles.contains(role) }.count)"
        }
        lines.append("by role: " + byRole.joined(separator: ", "))
        for level in WarningLevel.warning {
            guard let entry = roster.policy.levels[level] else { continue }
            var line = "\(level.name): " + (entry.roles.isEmpty ? "nobody" : entry.roles.map(\.key).joined(separator: ", "))
            if let ack = entry.ackWithin { line += "; acknowledge within \(Self.text(ack))" }
            if let remind = entry.remindEvery { line += ", remind every \(Self.text(remind))" }
            lines.append(line)
        }
        lines.append(
            "escalation: " + roster.policy.escalation.map(\.rawValue).joined(separator: " -> ")
                + "; repeat every \(Self.text(roster.policy.repeatInterval))"
        )
        let gateways = roster.policy.gateways.values.sorted { $0.name < $1.name }.map { gateway in
            let users = contacts.filter { $0.channels.contains(gateway.name) }.count
            return "\(gateway.name) (\(gateway.kindName), \(users) contact\(users == 1 ? "" : "s"))"
        }
        lines.append("gateways: " + gateways.joined(separator: ", "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `5m`, `1h`, `30s`.
    static func text(_ duration: Duration) -> String {
        let (seconds, _) = duration.components
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
