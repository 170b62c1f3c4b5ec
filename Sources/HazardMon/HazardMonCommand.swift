// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

@main
struct HazardMonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hazardmon",
        abstract: "Monitoring and early warning for geological-hazard, flash-flood and dangerous-rock sites."
    )
}
