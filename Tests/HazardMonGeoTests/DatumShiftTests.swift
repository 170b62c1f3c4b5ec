// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import Testing

@testable import HazardMonGeo

/// The Bursa-Wolf arithmetic written out by hand, independent of PROJ: geodetic -> geocentric on the old
/// ellipsoid, the seven-parameter similarity, geocentric -> geodetic on the CGCS2000 ellipsoid.
enum HandBursaWolf {
    /// Krassovsky 1940 (Beijing 1954).
    static let krassovsky = (a: 6_378_245.0, f: 1 / 298.3)
    /// IAG 1975 (Xi'an 1980).
    static let iag1975 = (a: 6_378_140.0, f: 1 / 298.257)
    /// CGCS2000.
    static let cgcs2000 = (a: 6_378_137.0, f: 1 / 298.257222101)

    static func geocentric(lon: Double, lat: Double, a: Double, f: Double) -> (Double, Double, Double) {
        let e2 = f * (2 - f)
        let phi = lat * .pi / 180
        let lambda = lon * .pi / 180
        let n = a / (1 - e2 * sin(phi) * sin(phi)).squareRoot()
        return (n * cos(phi) * cos(lambda), n * cos(phi) * sin(lambda), n * (1 - e2) * sin(phi))
    }

    static func geodetic(_ xyz: (Double, Double, Double), a: Double, f: Double) -> Coordinate2D {
        let (x, y, z) = xyz
        let e2 = f * (2 - f)
        let p = (x * x + y * y).squareRoot()
        var phi = atan2(z, p * (1 - e2))
        for _ in 0..<10 {
            let n = a / (1 - e2 * sin(phi) * sin(phi)).squareRoot()
            let h = p / cos(phi) - n
            phi = atan2(z, p * (1 - e2 * n / (n + h)))
        }
        return Coordinate2D(lon: atan2(y, x) * 180 / .pi, lat: phi * 180 / .pi)
    }

    /// Position-vector convention: X' = T + (1 + ds·1e-6) · R · X, R = [[1, -rz, ry], [rz, 1, -rx], [-ry, rx, 1]].
    static func shift(
        lon: Double, lat: Double, from ellipsoid: (a: Double, f: Double), _ p: SevenParameters
    ) -> Coordinate2D {
        let (x, y, z) = Self.geocentric(lon: lon, lat: lat, a: ellipsoid.a, f: ellipsoid.f)
        let sign = p.convention == .positionVector ? 1.0 : -1.0
        let arcSecond = Double.pi / 180 / 3600
        let rx = sign * p.rx * arcSecond
        let ry = sign * p.ry * arcSecond
        let rz = sign * p.rz * arcSecond
        let m = 1 + p.ds * 1e-6
        let shifted = (
            p.dx + m * (x - rz * y + ry * z),
            p.dy + m * (rz * x + y - rx * z),
            p.dz + m * (-ry * x + rx * y + z)
        )
        return Self.geodetic(shifted, a: Self.cgcs2000.a, f: Self.cgcs2000.f)
    }

    /// Made-up parameters of the size a county's Beijing 1954 -> CGCS2000 report gives.
    static let parameters = SevenParameters(dx: 15.8, dy: -154.4, dz: -82.3, rx: 0.35, ry: -0.42, rz: 1.1, ds: -2.7)
}

/// Metres between two nearby lon/lat points (equirectangular, fine at these distances).
func metres(_ a: Coordinate2D, _ b: Coordinate2D) -> Double {
    let dy = (a.y - b.y) * 111_320
    let dx = (a.x - b.x) * 111_320 * cos(a.y * .pi / 180)
    return (dx * dx + dy * dy).squareRoot()
}

@Suite(.projDataAvailable)
struct DatumShiftTests {
    @Test("Beijing 1954 and Xi'an 1980 to CGCS2000 are refused as ballpark-only", .geodesy, arguments: [
        ("EPSG:4214", "Ballpark geographic offset from Beijing 1954 to China Geodetic Coordinate System 2000"),
        ("EPSG:4610", "Ballpark geographic offset from Xian 1980 to China Geodetic Coordinate System 2000"),
    ])
    func ballparkRefused(_ crs: String, _ operation: String) async throws {
        let geodesy = try TestGeodesy.require()
        let point = Coordinate2D(lon: 108.1, lat: 30.1)
        await #expect(throws: ProjError.ballparkOnly(from: crs, to: "EPSG:4490", operation: operation)) {
            try await geodesy.transform(point, from: crs, to: "EPSG:4490", ballpark: .refuse)
        }
        #expect(try await geodesy.usesBallpark(from: crs, to: "EPSG:4490"))
        // Allowed, PROJ's ballpark leaves the numbers as they are: that is the silent error.
        let ballpark = try await geodesy.transform(point, from: crs, to: "EPSG:4490")
        expectClose(ballpark, point, tolerance: 1e-12)
    }

    @Test("A projected CRS on Beijing 1954 is refused too, and names its geodetic CRS", .geodesy)
    func projectedOldDatum() async throws {
        let geodesy = try TestGeodesy.require()
        let error = try await #require(throws: ProjError.self) {
            try await geodesy.transform(
                Coordinate2D(x: 500_000, y: 3_330_000), from: "EPSG:2431", to: "EPSG:4490", ballpark: .refuse
            )
        }
        guard case .ballparkOnly(let from, let to, _) = error else {
            Issue.record("expected ballparkOnly, got \(error)")
            return
        }
        #expect(from == "EPSG:2431" && to == "EPSG:4490")
        let geodetic = try await geodesy.geodeticCRS(of: "EPSG:2431")
        #expect(geodetic.authorityCode == "EPSG:4214" && geodetic.name == "Beijing 1954")
    }

    @Test("WGS 84 <-> CGCS2000 and plain projections are not refused", .geodesy, arguments: [
        ("EPSG:4326", "EPSG:4490"), ("EPSG:4490", "EPSG:4326"), ("EPSG:4490", "EPSG:4545"), ("EPSG:4545", "EPSG:4490"),
    ])
    func notRefused(_ from: String, _ to: String) async throws {
        let geodesy = try TestGeodesy.require()
        #expect(try await !geodesy.usesBallpark(from: from, to: to))
        let start = from == "EPSG:4545" ? Coordinate2D(x: 511_897.043, y: 3_333_000) : Coordinate2D(lon: 108.1, lat: 30.1)
        _ = try await geodesy.transform(start, from: from, to: to, ballpark: .refuse)
    }

    @Test(
        "Seven parameters land where the hand-computed Bursa-Wolf says, to 1 mm", .geodesy,
        arguments: SevenParameters.Convention.allCases
    )
    func sevenParameters(_ convention: SevenParameters.Convention) async throws {
        let geodesy = try TestGeodesy.require()
        var parameters = HandBursaWolf.parameters
        parameters.convention = convention
        let points = [Coordinate2D(lon: 108.123456, lat: 30.123456), Coordinate2D(lon: 107.7, lat: 29.65)]
        let results = try await geodesy.transformEach(points, from: "EPSG:4214", shift: .sevenParameters(parameters))
        for (point, result) in zip(points, results) {
            let got = try result.get()
            let expected = HandBursaWolf.shift(lon: point.x, lat: point.y, from: HandBursaWolf.krassovsky, parameters)
            #expect(metres(got, expected) < 0.001, "got \(got), hand computation \(expected)")
            // The shift is real: metres, not the millimetre above (the ballpark leaves the point as it is).
            #expect(metres(got, point) > 1, "\(metres(got, point)) m")
        }
    }

    @Test("Xi'an 1980 uses its own ellipsoid (IAG 1975)", .geodesy)
    func xian1980() async throws {
        let geodesy = try TestGeodesy.require()
        let point = Coordinate2D(lon: 108.2, lat: 30.5)
        let got = try await geodesy.transformEach([point], from: "EPSG:4610", shift: .sevenParameters(HandBursaWolf.parameters))
        let expected = HandBursaWolf.shift(lon: 108.2, lat: 30.5, from: HandBursaWolf.iag1975, HandBursaWolf.parameters)
        #expect(metres(try got[0].get(), expected) < 0.001)
    }

    @Test("A PROJ pipeline gives the same point as the seven parameters it spells out", .geodesy)
    func pipeline() async throws {
        let geodesy = try TestGeodesy.require()
        let p = HandBursaWolf.parameters
        let pipeline =
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=cart +ellps=krass "
            + "+step +proj=helmert +x=\(p.dx) +y=\(p.dy) +z=\(p.dz) +rx=\(p.rx) +ry=\(p.ry) +rz=\(p.rz) +s=\(p.ds) "
            + "+convention=position_vector +step +inv +proj=cart +ellps=GRS80 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
        // The same without unitconvert: PROJ's cart takes radians, which the shift feeds it.
        let radians =
            "+proj=pipeline +step +proj=cart +ellps=krass +step +proj=helmert +x=\(p.dx) +y=\(p.dy) +z=\(p.dz) "
            + "+rx=\(p.rx) +ry=\(p.ry) +rz=\(p.rz) +s=\(p.ds) +convention=position_vector +step +inv +proj=cart +ellps=GRS80"
        let point = Coordinate2D(lon: 108.123456, lat: 30.123456)
        let expected = HandBursaWolf.shift(lon: point.x, lat: point.y, from: HandBursaWolf.krassovsky, p)
        for definition in [pipeline, radians] {
            let got = try await geodesy.transformEach([point], from: "EPSG:4214", shift: .pipeline(definition))
            #expect(metres(try got[0].get(), expected) < 0.001, "\(definition)")
        }
    }

    @Test("A survey X/Y in a Beijing 1954 Gauss-Krüger CRS goes through its geodetic CRS", .geodesy)
    func projectedWithShift() async throws {
        let geodesy = try TestGeodesy.require()
        // EPSG:2431 is Beijing 1954 / 3-degree Gauss-Kruger CM 102E; its inverse projection is exact.
        let onBeijing = try await geodesy.transform(
            Coordinate2D(x: 500_000, y: 3_330_000), from: "EPSG:2431", to: "EPSG:4214"
        )
        let got = try await geodesy.transformEach(
            [Coordinate2D(x: 500_000, y: 3_330_000)], from: "EPSG:2431", shift: .sevenParameters(HandBursaWolf.parameters)
        )
        let expected = HandBursaWolf.shift(
            lon: onBeijing.x, lat: onBeijing.y, from: HandBursaWolf.krassovsky, HandBursaWolf.parameters
        )
        #expect(metres(try got[0].get(), expected) < 0.001)
    }

    @Test("A pipeline PROJ rejects, or a CRS given as a pipeline, is invalidOperation", .geodesy)
    func badPipeline() async throws {
        let geodesy = try TestGeodesy.require()
        let point = [Coordinate2D(lon: 108.1, lat: 30.1)]
        let error = try await #require(throws: ProjError.self) {
            try await geodesy.transformEach(point, from: "EPSG:4214", shift: .pipeline("+proj=pipeline +step +proj=nonsense"))
        }
        guard case .invalidOperation(let definition, _) = error else {
            Issue.record("expected invalidOperation, got \(error)")
            return
        }
        #expect(definition == "+proj=pipeline +step +proj=nonsense")
        await #expect(throws: ProjError.invalidOperation(
            definition: "EPSG:4490", message: "PROJ reads this as a CRS; a datum shift is a +proj=pipeline"
        )) {
            try await geodesy.transformEach(point, from: "EPSG:4214", shift: .pipeline("EPSG:4490"))
        }
    }
}
