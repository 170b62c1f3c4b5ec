// SPDX-License-Identifier: Apache-2.0
import CProj
import HazardMonCore

/// Decides whether points given in one CRS lie inside that CRS's area of use.
///
/// The area of use is a lon/lat box in degrees. A point is inside when its geographic position in the
/// CRS's own geodetic CRS (`proj_crs_get_geodetic_crs`: EPSG:4490 for the CGCS2000 Gauss-Krüger codes)
/// lies in the box, edges included and without margin. For a projected CRS that position comes from
/// inverse-projecting through a cached, normalised transformation; a point PROJ cannot inverse-project has
/// no geographic position and counts as outside. A box with `west > east` crosses the antimeridian: it
/// holds longitudes `>= west` or `<= east`, and longitudes are wrapped into -180...180 first.
final class AreaOfUseCheck {
    /// The area of use, in degrees.
    let box: GeoBox
    /// The transformation to the geodetic CRS, or nil when the CRS is geographic itself.
    let toGeographic: ProjObject?
    /// Degrees per unit of the geographic coordinates (1 for degrees, 180/π for radians, 0.9 for grads).
    let degreesPerUnit: Double

    init(box: GeoBox, toGeographic: ProjObject?, degreesPerUnit: Double) {
        self.box = box
        self.toGeographic = toGeographic
        self.degreesPerUnit = degreesPerUnit
    }

    /// Whether each point lies inside the area of use.
    func insideFlags(_ points: [Coordinate2D]) -> [Bool] {
        self.geographic(points).map { self.contains($0) }
    }

    /// The index of the first point outside the area of use, or nil when all are inside.
    func firstOutside(_ points: ArraySlice<Coordinate2D>) -> Int? {
        guard self.toGeographic != nil else {
            return points.firstIndex { !self.contains(self.scaled($0)) }
        }
        let geographic = self.geographic(Array(points))
        return geographic.firstIndex { !self.contains($0) }.map { points.startIndex + $0 }
    }

    /// Whether a lon/lat point in degrees lies in ``box``.
    func contains(_ lonLat: Coordinate2D) -> Bool {
        Self.box(self.box, contains: lonLat)
    }

    /// Box containment with antimeridian-crossing boxes (`west > east`) and longitude wrapping.
    static func box(_ box: GeoBox, contains lonLat: Coordinate2D) -> Bool {
        guard lonLat.y >= box.south, lonLat.y <= box.north, lonLat.x.isFinite else { return false }
        var lon = lonLat.x
        if lon < -180 || lon > 180 {
            lon -= 360 * ((lon + 180) / 360).rounded(.down)
        }
        if box.west <= box.east {
            return lon >= box.west && lon <= box.east
        }
        return lon >= box.west || lon <= box.east
    }

    /// Geographic positions in degrees (non-finite where PROJ failed).
    private func geographic(_ points: [Coordinate2D]) -> [Coordinate2D] {
        guard let toGeographic = self.toGeographic else {
            return points.map { self.scaled($0) }
        }
        var output = points
        // Failures show up as HUGE_VAL in the output, which `contains` rejects; errno is not needed here.
        proj_errno_reset(toGeographic.raw)
        Transformation.transformGeneric(toGeographic.raw, &output)
        proj_errno_reset(toGeographic.raw)
        toGeographic.context.clearMessages()
        return self.degreesPerUnit == 1 ? output : output.map { self.scaled($0) }
    }

    private func scaled(_ point: Coordinate2D) -> Coordinate2D {
        self.degreesPerUnit == 1
            ? point : Coordinate2D(x: point.x * self.degreesPerUnit, y: point.y * self.degreesPerUnit)
    }
}

@available(*, unavailable)
extension AreaOfUseCheck: Sendable {}
