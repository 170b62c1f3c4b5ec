// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Testing

@testable import HazardMonGeo

/// What `hazardmon geo transform` does with its input, through the library type the command calls.
@Suite(.projDataAvailable)
struct CoordinateLinesTests {
    /// Runs lines through a prepared ``CoordinateLines`` as the command does.
    static func run(_ lines: CoordinateLines, _ input: [String]) async -> (output: [String], errors: [String]) {
        var output: [String] = []
        var errors: [String] = []
        for (index, line) in input.enumerated() {
            let result = await lines.transform(line, number: index + 1)
            output.append(result.output)
            if let error = result.error { errors.append(error) }
        }
        return (output, errors)
    }

    @Test("One output row per input row: * * for failures, heights carried, comments and blanks echoed", .geodesy)
    func aligned() async throws {
        let geodesy = try TestGeodesy.require()
        let lines = try await CoordinateLines.prepare(geodesy: geodesy, from: "EPSG:4490", to: "EPSG:4524")
        #expect(lines.warning == nil)
        let (output, errors) = await Self.run(lines, [
            "# lon lat height",
            "108.2 30.5",
            "",
            "108.2\t30.5\t812.5",
            "abc def",
            "200,95,1.5",
            "  # indented comment",
            "108.2,30.5,812.5,P1",
        ])
        #expect(output == [
            "# lon lat height",
            "36519199.8045 3375558.7405",
            "",
            "36519199.8045 3375558.7405 812.5",
            "* *",
            "* * 1.5",
            "  # indented comment",
            "36519199.8045 3375558.7405 812.5 P1",
        ])
        #expect(errors.count == 2)
        #expect(errors.first == "line 5: expected two numbers, got 'abc def'")
        #expect(errors.last?.hasPrefix("line 6: point (200.0, 95.0) is outside the area of use of \"EPSG:4490\"") == true, "\(errors)")
    }

    @Test("Geographic output has nine decimals; survey input is X (north) then Y (east)", .geodesy)
    func survey() async throws {
        let geodesy = try TestGeodesy.require()
        let lines = try await CoordinateLines.prepare(geodesy: geodesy, from: "EPSG:4524", to: "EPSG:4490", survey: true)
        let result = await lines.transform("3375558.7405 36519199.8045 640", number: 1)
        #expect(result == CoordinateLines.Result(output: "108.200000000 30.500000000 640", error: nil))
    }

    @Test("A bad --from or --to is one error before any line, naming the option", .geodesy)
    func badOption() async throws {
        let geodesy = try TestGeodesy.require()
        let from = try await #require(throws: CoordinateLines.SetupError.self) {
            try await CoordinateLines.prepare(geodesy: geodesy, from: "EPSG:999999", to: "EPSG:4490")
        }
        #expect(from.option == "--from")
        #expect(from.description == "--from: invalid CRS \"EPSG:999999\": proj_create: crs not found")
        let to = try await #require(throws: CoordinateLines.SetupError.self) {
            try await CoordinateLines.prepare(geodesy: geodesy, from: "EPSG:4490", to: "nonsense")
        }
        #expect(to.option == "--to")
    }

    @Test("A ballpark-only pair warns once, and still transforms like cs2cs", .geodesy)
    func ballparkWarning() async throws {
        let geodesy = try TestGeodesy.require()
        let lines = try await CoordinateLines.prepare(geodesy: geodesy, from: "EPSG:4214", to: "EPSG:4490")
        #expect(lines.warning == """
            warning: PROJ has no published transformation from EPSG:4214 to EPSG:4490 and uses a ballpark one, which \
            ignores the datum change and can be tens to a hundred metres off (Beijing 1954, Xi'an 1980); for register \
            coordinates give the county's seven parameters in county.yaml (datums:)
            """)
        #expect(await lines.transform("108.1 30.1", number: 1).output == "108.100000000 30.100000000")
    }
}
