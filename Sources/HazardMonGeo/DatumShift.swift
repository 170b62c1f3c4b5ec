// SPDX-License-Identifier: Apache-2.0

/// How to take coordinates on an old datum (Beijing 1954, Xi'an 1980, a local datum) to CGCS2000, when
/// PROJ has no published transformation: the county surveyor's parameters.
///
/// ```swift
/// let shift = DatumShift.sevenParameters(
///     SevenParameters(dx: -12.5, dy: 132.7, dz: 74.3, rx: 0.4, ry: -1.1, rz: 2.2, ds: -3.1))
/// let results = try await geodesy.transformEach(points, from: "EPSG:4214", shift: shift)
/// ```
public enum DatumShift: Sendable, Hashable, CustomStringConvertible {
    /// A seven-parameter (Bursa-Wolf) similarity transformation between geocentric coordinates: from the
    /// old datum's ellipsoid to the CGCS2000 ellipsoid.
    case sevenParameters(SevenParameters)
    /// A PROJ pipeline (`+proj=pipeline +step …`) that takes longitude/latitude on the old datum to
    /// CGCS2000 longitude/latitude. Degrees in and out, longitude first; a pipeline whose first step takes
    /// radians (for example `+proj=cart`) is fed radians, and radian output is turned back into degrees.
    case pipeline(String)

    public var description: String {
        switch self {
        case .sevenParameters(let parameters): return "towgs84 \(parameters.values)"
        case .pipeline(let pipeline): return pipeline
        }
    }
}

/// Seven Bursa-Wolf parameters, in the units PROJ's `+towgs84=` uses.
///
/// With the position-vector convention (PROJ's `+towgs84`, EPSG method 9606) and rotations in radians,
/// a geocentric point X on the old datum goes to `T + (1 + ds·10⁻⁶) · R · X`, where
/// `R = [[1, -rz, ry], [rz, 1, -rx], [-ry, rx, 1]]`. The coordinate-frame convention (EPSG 9607, common
/// in Chinese survey reports) uses the same formula with the three rotations negated.
public struct SevenParameters: Sendable, Hashable {
    /// The rotation convention of `rx`, `ry`, `rz`.
    public enum Convention: String, Sendable, Hashable, CaseIterable {
        /// EPSG 9606, PROJ's `+towgs84=` and `+convention=position_vector`.
        case positionVector = "position_vector"
        /// EPSG 9607, `+convention=coordinate_frame`: rotations of the opposite sign.
        case coordinateFrame = "coordinate_frame"
    }

    /// Translations, metres.
    public var dx: Double
    public var dy: Double
    public var dz: Double
    /// Rotations, arc-seconds.
    public var rx: Double
    public var ry: Double
    public var rz: Double
    /// Scale difference, parts per million.
    public var ds: Double
    public var convention: Convention

    public init(
        dx: Double, dy: Double, dz: Double, rx: Double, ry: Double, rz: Double, ds: Double,
        convention: Convention = .positionVector
    ) {
        self.dx = dx
        self.dy = dy
        self.dz = dz
        self.rx = rx
        self.ry = ry
        self.rz = rz
        self.ds = ds
        self.convention = convention
    }

    /// `[dx, dy, dz, rx, ry, rz, ds]`, the order of `+towgs84=`.
    public var values: [Double] { [self.dx, self.dy, self.dz, self.rx, self.ry, self.rz, self.ds] }
}

/// The cache key of a datum-shift operation: the source geodetic CRS (as PROJ names it) and the shift.
struct DatumShiftKey: Hashable {
    let geodeticCRS: String
    let shift: DatumShift
}
