// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore

@main
struct HazardMonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hazardmon",
        abstract: "Monitoring and early warning for geological-hazard, flash-flood and dangerous-rock sites.",
        discussion: """
            Import the bundled sample county and list it:
              hazardmon sites import sites
              hazardmon sites list --township 青岩镇
              hazardmon sites list --near 108.05,30.12 --within 2km
              hazardmon rules check thresholds --sites sites
            Commands that use the database take --db, or --config (the daemon's file;
            /etc/hazardmon/hazardmon.yaml when it exists), and say on stderr which
            database they use. Exit status: 0 ok, 64 usage, 65 bad data, 66 no input,
            69 unavailable, 74 I/O error, 78 bad configuration.
            """,
        version: HazardMonVersion.current,
        subcommands: [ServeCommand.self, SitesCommand.self, RulesCommand.self, TokensCommand.self, GeoCommand.self, BenchCommand.self]
    )

    /// ArgumentParser's entry, except that a ``CommandFailure`` is a message and its sysexits code, not a
    /// usage error: it never prints the usage banner.
    static func main() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            Output.error(failure.message)
            Foundation.exit(failure.code.rawValue)
        } catch {
            Self.exit(withError: error)
        }
    }
}

/// `hazardmon bench …`: throughput measurements printed as ratios against a baseline from the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print ratios against a baseline measured in the same run.",
        subcommands: [BenchProjCommand.self, BenchRulesCommand.self]
    )
}
