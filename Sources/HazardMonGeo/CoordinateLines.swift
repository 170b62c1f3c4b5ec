// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// Transforms text lines of coordinates the way `cs2cs` does, for `hazardmon geo transform`.
///
/// Each input line gives exactly one output line, so output rows stay aligned with input rows:
/// - `x y` or `x y z …` (separated by spaces, tabs or commas): the transformed `x y`, followed by the rest
///   of the line's fields as given (a height is carried unchanged: transformations here are 2D);
/// - a line that fails: `* *` (followed by the rest of its fields), as `cs2cs` prints, plus an error;
/// - a line starting with `#` (after white space) and a blank line: echoed unchanged, never an error.
///
/// Geographic output has 9 decimals (about 0.1 mm), projected output 4 (0.1 mm).
///
/// ```swift
/// let lines = try await CoordinateLines.prepare(geodesy: geodesy, from: "EPSG:4490", to: "EPSG:4524")
/// let result = await lines.transform("108.2 30.5 812.5", number: 1)
/// // result.output == "36519199.8045 3375558.7405 812.5", result.error == nil
/// ```
public struct CoordinateLines: Sendable {
    /// The output line and, for a failed line, the error to report (`line N: reason`).
    public struct Result: Sendable, Equatable {
        public var output: String
        public var error: String?
    }

    /// A bad `--from` or `--to`, found once before any line is read.
    public struct SetupError: Error, Sendable, Equatable, CustomStringConvertible {
        /// `--from`, `--to`, or `--from/--to` when the pair has no transformation.
        public var option: String
        public var error: ProjError

        public var description: String { "\(self.option): \(self.error)" }
    }

    public let geodesy: Geodesy
    public let from: String
    public let to: String
    /// Input is survey X (north) Y (east) in a projected CRS.
    public let survey: Bool
    public let checkArea: Bool
    /// A warning to print once before the output, or nil: PROJ has only a ballpark transformation.
    public let warning: String?
    private let targetIsGeographic: Bool

    /// Checks both CRSs and builds the transformation once, so that a bad `--from` is one error, not one
    /// per line.
    ///
    /// - Throws: ``SetupError`` naming the option at fault.
    public static func prepare(
        geodesy: Geodesy, from: String, to: String, survey: Bool = false, checkArea: Bool = true
    ) async throws(SetupError) -> CoordinateLines {
        do {
            _ = try await geodesy.describe(from)
        } catch {
            throw SetupError(option: "--from", error: error)
        }
        let target: CRSDescription
        do {
            target = try await geodesy.describe(to)
        } catch {
            throw SetupError(option: "--to", error: error)
        }
        let ballpark: Bool
        do {
            ballpark = try await geodesy.usesBallpark(from: from, to: to)
        } catch {
            throw SetupError(option: "--from/--to", error: error)
        }
        var warning: String?
        if ballpark {
            warning =
                "warning: PROJ has no published transformation from \(from) to \(to) and uses a ballpark one, which "
                + "ignores the datum change and can be tens to a hundred metres off (Beijing 1954, Xi'an 1980); "
                + "for register coordinates give the county's seven parameters in county.yaml (datums:)"
        }
        return CoordinateLines(
            geodesy: geodesy, from: from, to: to, survey: survey, checkArea: checkArea, warning: warning,
            targetIsGeographic: target.isGeographic
        )
    }

    private init(
        geodesy: Geodesy, from: String, to: String, survey: Bool, checkArea: Bool, warning: String?,
        targetIsGeographic: Bool
    ) {
        self.geodesy = geodesy
        self.from = from
        self.to = to
        self.survey = survey
        self.checkArea = checkArea
        self.warning = warning
        self.targetIsGeographic = targetIsGeographic
    }

    /// Transforms one input line (without its line break).
    ///
    /// - Parameters:
    ///   - line: The text of the line.
    ///   - number: Its line number, counting from 1, for the error.
    public func transform(_ line: String, number: Int) async -> Result {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.allSatisfy(\.isWhitespace) {
            return Result(output: line, error: nil)
        }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" })
        let rest = fields.dropFirst(2).joined(separator: " ")
        func failed(_ reason: String) -> Result {
            Result(output: rest.isEmpty ? "* *" : "* * \(rest)", error: "line \(number): \(reason)")
        }
        guard fields.count >= 2, let first = Double(fields[0]), let second = Double(fields[1]) else {
            return failed("expected two numbers, got '\(line)'")
        }
        let point: Coordinate2D
        do {
            if self.survey {
                point = try await self.geodesy.transformSurvey(x: first, y: second, crs: self.from, to: self.to)
            } else {
                point = try await self.geodesy.transform(
                    Coordinate2D(x: first, y: second), from: self.from, to: self.to, checkArea: self.checkArea
                )
            }
        } catch {
            return failed("\(error)")
        }
        let format = self.targetIsGeographic ? "%.9f %.9f" : "%.4f %.4f"
        let text = String(format: format, point.x, point.y)
        return Result(output: rest.isEmpty ? text : "\(text) \(rest)", error: nil)
    }
}
