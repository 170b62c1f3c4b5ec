// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// Everything that can go wrong in ``Geodesy``, with PROJ's own words where PROJ has any.
///
/// CRS definitions are carried exactly as the caller passed them, so a message can be traced back to the
/// registry row or configuration key that holds the definition. Points are carried in HazardMon's one axis
/// order (``HazardMonCore/Coordinate2D``: lon/lat or easting/northing), as the caller gave them.
public enum ProjError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No usable PROJ context: `proj_context_create` failed, `proj.db` could not be found or opened, or the
    /// ``Geodesy`` was already closed.
    case contextUnavailable(message: String)
    /// PROJ did not accept a CRS definition, or the definition names something that is not a CRS.
    ///
    /// `message` holds the text PROJ logged, for example `"proj_create: crs not found"`.
    case invalidCRS(definition: String, message: String)
    /// PROJ did not accept a coordinate operation (a datum-shift pipeline), or it names something else.
    case invalidOperation(definition: String, message: String)
    /// Both CRSs are valid but PROJ found no way to transform between them.
    case noTransformation(from: String, to: String, message: String)
    /// PROJ knows no published transformation between the two CRSs' datums, only a "ballpark" one (the
    /// datum change ignored), and the caller refused ballpark transformations (``BallparkPolicy/refuse``).
    ///
    /// `operation` is PROJ's name for the ballpark operation it would have used.
    case ballparkOnly(from: String, to: String, operation: String)
    /// The point's geographic position lies outside the source CRS's area of use.
    case outsideAreaOfUse(point: Coordinate2D, crs: String, area: GeoBox)
    /// PROJ could not transform the point (it returned an error or a non-finite coordinate).
    case transformFailed(point: Coordinate2D, from: String, to: String, message: String)

    /// A one-line explanation for logs and error reports.
    public var description: String {
        switch self {
        case .contextUnavailable(let message):
            return "PROJ is unavailable: \(message)"
        case .invalidCRS(let definition, let message):
            return "invalid CRS \(Self.quoted(definition)): \(message)"
        case .invalidOperation(let definition, let message):
            return "invalid coordinate operation \(Self.quoted(definition)): \(message)"
        case .noTransformation(let from, let to, let message):
            return "no transformation from \(Self.quoted(from)) to \(Self.quoted(to)): \(message)"
        case .ballparkOnly(let from, let to, let operation):
            return
                "PROJ has no published transformation from \(Self.quoted(from)) to \(Self.quoted(to)), only a "
                + "ballpark one (\(operation)) that can be tens to a hundred metres off"
        case .outsideAreaOfUse(let point, let crs, let area):
            return "point \(point) is outside the area of use of \(Self.quoted(crs)) (\(area))"
        case .transformFailed(let point, let from, let to, let message):
            return "cannot transform \(point) from \(Self.quoted(from)) to \(Self.quoted(to)): \(message)"
        }
    }

    /// Quotes a definition and shortens a long WKT so one error stays one readable line.
    private static func quoted(_ definition: String) -> String {
        let limit = 96
        guard definition.count > limit else { return "\"\(definition)\"" }
        return "\"\(definition.prefix(limit))…\""
    }
}
