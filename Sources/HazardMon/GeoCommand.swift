// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonGeo

/// `hazardmon geo …`: coordinate tools.
struct GeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo",
        abstract: "Coordinate tools.",
        subcommands: [Transform.self]
    )

    struct Transform: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Transform \"x y\" lines from stdin, like cs2cs, in lon/lat and easting/northing order.",
            discussion: """
                Unlike cs2cs, axis order is always longitude then latitude, or easting then
                northing, whatever the CRS's authority says. With --survey, projected input
                is survey X (northing) then Y (easting, with the zone prefix for prefixed
                zones), as Chinese registers write it.
                  echo "108.2 30.5" | hazardmon geo transform --from EPSG:4490 --to EPSG:4524
                  echo "3376226.103 36519176.284" |
                    hazardmon geo transform --from EPSG:4524 --to EPSG:4490 --survey
                Output rows stay aligned with input rows, as with cs2cs: a line that fails
                prints "* *" (its error goes to stderr with the line number), a third
                column such as a height is carried unchanged, and lines starting with #
                and blank lines are echoed as they are. The exit status is 1 when any
                line failed, 64 when --from or --to is not a usable CRS (reported once).
                When PROJ only has a "ballpark" transformation (old datums such as
                Beijing 1954, EPSG:4214), a warning goes to stderr.
                """
        )

        @Option(help: "Source CRS: EPSG:nnnn, a PROJ string or WKT.")
        var from: String

        @Option(help: "Target CRS: EPSG:nnnn, a PROJ string or WKT.")
        var to: String

        @Flag(help: "Input is survey X (north) Y (east) in a projected CRS.")
        var survey = false

        @Flag(help: "Do not reject points outside the source CRS's area of use.")
        var noAreaCheck = false

        func run() async throws {
            let failures = try await withGeodesy { try await self.transformLines(geodesy: $0) }
            if failures > 0 { throw ExitCode(1) }
        }

        /// Transforms stdin line by line; returns how many lines failed (each reported on stderr).
        private func transformLines(geodesy: Geodesy) async throws -> Int {
            let lines: CoordinateLines
            do {
                lines = try await CoordinateLines.prepare(
                    geodesy: geodesy, from: self.from, to: self.to, survey: self.survey, checkArea: !self.noAreaCheck
                )
            } catch {
                FileHandle.standardError.write(Data("hazardmon geo transform: \(error)\n".utf8))
                throw ExitCode(64)  // EX_USAGE: the options, not the input, are wrong
            }
            if let warning = lines.warning {
                FileHandle.standardError.write(Data("\(warning)\n".utf8))
            }
            var failures = 0
            var lineNumber = 0
            while let line = readLine() {
                lineNumber += 1
                let result = await lines.transform(line, number: lineNumber)
                Output.write(result.output + "\n")
                if let error = result.error {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    failures += 1
                }
            }
            return failures
        }
    }
}
