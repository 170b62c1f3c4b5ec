// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

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
            """,
        subcommands: [ServeCommand.self, SitesCommand.self, RulesCommand.self, TokensCommand.self, GeoCommand.self, BenchCommand.self]
    )
}

/// `hazardmon bench …`: throughput measurements printed as ratios against a baseline from the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print ratios against a baseline measured in the same run.",
        subcommands: [BenchProjCommand.self, BenchRulesCommand.self]
    )
}
