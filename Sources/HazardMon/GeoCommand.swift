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
                A bad line is reported on stderr with its line number and the rest go on;
                the exit status is 1 when any line failed.
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
            let target = try await geodesy.describe(self.to)
            var failures = 0
            var lineNumber = 0
            while let line = readLine() {
                lineNumber += 1
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
                if fields.isEmpty { continue }
                guard fields.count >= 2, let first = Double(fields[0]), let second = Double(fields[1]) else {
                    FileHandle.standardError.write(Data("line \(lineNumber): expected two numbers, got '\(line)'\n".utf8))
                    failures += 1
                    continue
                }
                do {
                    let result: Coordinate2D
                    if self.survey {
                        result = try await geodesy.transformSurvey(x: first, y: second, crs: self.from, to: self.to)
                    } else {
                        result = try await geodesy.transform(
                            Coordinate2D(x: first, y: second), from: self.from, to: self.to, checkArea: !self.noAreaCheck
                        )
                    }
                    let format = target.isGeographic ? "%.9f %.9f\n" : "%.4f %.4f\n"
                    Output.write(String(format: format, result.x, result.y))
                } catch {
                    FileHandle.standardError.write(Data("line \(lineNumber): \(error)\n".utf8))
                    failures += 1
                }
            }
            return failures
        }
    }
}
