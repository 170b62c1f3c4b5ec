// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// What PROJ knows about a CRS definition, as returned by ``Geodesy/describe(_:)``.
///
/// ```swift
/// let crs = try await geodesy.describe("EPSG:4524")
/// // crs.name == "CGCS2000 / 3-degree Gauss-Kruger zone 36"
/// // crs.authorityCode == "EPSG:4524", crs.isGeographic == false
/// // crs.areaOfUse == GeoBox(west: 106.5, south: 18.19, east: 109.51, north: 42.47)
/// ```
public struct CRSDescription: Sendable, Hashable {
    /// The definition exactly as it was passed in (`EPSG:nnnn`, a PROJ string or WKT).
    public let definition: String
    /// PROJ's name for the CRS, e.g. `"CGCS2000 / 3-degree Gauss-Kruger zone 36"`; `"unknown"` for most
    /// PROJ strings.
    public let name: String
    /// Whether the CRS is geographic (longitude/latitude), 2D or 3D; for a bound CRS (a PROJ string with
    /// `+towgs84`), whether its source CRS is.
    public let isGeographic: Bool
    /// The CRS's first identifier, `"AUTHORITY:CODE"` (e.g. `"EPSG:4524"`), or nil when PROJ knows none.
    public let authorityCode: String?
    /// The CRS's area of use in degrees, or nil when the definition carries none (most PROJ strings).
    ///
    /// `west > east` means the box crosses the antimeridian.
    public let areaOfUse: GeoBox?

    /// Creates a description; ``Geodesy/describe(_:)`` is the usual source.
    public init(definition: String, name: String, isGeographic: Bool, authorityCode: String?, areaOfUse: GeoBox?) {
        self.definition = definition
        self.name = name
        self.isGeographic = isGeographic
        self.authorityCode = authorityCode
        self.areaOfUse = areaOfUse
    }
}
