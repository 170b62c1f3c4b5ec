// SPDX-License-Identifier: Apache-2.0

/// A planar or geographic coordinate pair in HazardMon's one axis order.
///
/// Everywhere outside the PROJ wrapper, `x` is the longitude or the easting and `y` is the latitude or
/// the northing, whatever order the CRS's authority declares. `HazardMonGeo` normalises PROJ's axis order
/// once, so no other code has to think about it. Survey practice in China writes X (north) first; that
/// form exists only in ``GivenCoordinate``.
public struct Coordinate2D: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Longitude in degrees, or easting in metres.
    public var x: Double
    /// Latitude in degrees, or northing in metres.
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Shorthand for a geographic coordinate.
    public init(lon: Double, lat: Double) {
        self.init(x: lon, y: lat)
    }

    public var isFinite: Bool { self.x.isFinite && self.y.isFinite }

    /// Euclidean distance in the units of the coordinates; meaningful for metric (projected) ones.
    public func distance(to other: Coordinate2D) -> Double {
        let dx = other.x - self.x
        let dy = other.y - self.y
        return (dx * dx + dy * dy).squareRoot()
    }

    public var description: String { "(\(self.x), \(self.y))" }
}

/// A longitude/latitude box in degrees: a county's extent or a CRS's area of use.
public struct GeoBox: Sendable, Hashable, Codable, CustomStringConvertible {
    public var west: Double
    public var south: Double
    public var east: Double
    public var north: Double

    public init(west: Double, south: Double, east: Double, north: Double) {
        self.west = west
        self.south = south
        self.east = east
        self.north = north
    }

    /// Whether a lon/lat coordinate lies inside the box (edges included).
    public func contains(_ point: Coordinate2D) -> Bool {
        point.x >= self.west && point.x <= self.east && point.y >= self.south && point.y <= self.north
    }

    public var description: String { "\(self.west)..\(self.east)E, \(self.south)..\(self.north)N" }
}
