// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonGeo
import HazardMonRegistry
import Testing

/// Register rows on old datums with the county's `datums:` parameters in county.yaml.
@Suite("Old datums in a register")
struct DatumShiftRegisterTests {
    /// Made-up Beijing 1954 -> CGCS2000 parameters (m, m, m, ″, ″, ″, ppm).
    static let towgs84 = "[15.8, -154.4, -82.3, 0.35, -0.42, 1.1, -2.7]"
    static let parameters = SevenParameters(dx: 15.8, dy: -154.4, dz: -82.3, rx: 0.35, ry: -0.42, rz: 1.1, ds: -2.7)
    static let g001OnBeijing = ("geohazard.csv", "500999001001,EPSG:4490,108.123456", "500999001001,EPSG:4214,108.123456")

    /// Krassovsky geodetic -> geocentric, the position-vector Bursa-Wolf step, CGCS2000 geocentric ->
    /// geodetic: written out by hand, without PROJ.
    static func handComputed(lon: Double, lat: Double, _ p: SevenParameters) -> Coordinate2D {
        func geocentric(_ lon: Double, _ lat: Double, a: Double, f: Double) -> (Double, Double, Double) {
            let e2 = f * (2 - f)
            let phi = lat * .pi / 180
            let lambda = lon * .pi / 180
            let n = a / (1 - e2 * sin(phi) * sin(phi)).squareRoot()
            return (n * cos(phi) * cos(lambda), n * cos(phi) * sin(lambda), n * (1 - e2) * sin(phi))
        }
        let (x, y, z) = geocentric(lon, lat, a: 6_378_245, f: 1 / 298.3)
        let sign = p.convention == .positionVector ? 1.0 : -1.0
        let second = Double.pi / 180 / 3600
        let (rx, ry, rz) = (sign * p.rx * second, sign * p.ry * second, sign * p.rz * second)
        let m = 1 + p.ds * 1e-6
        let (X, Y, Z) = (
            p.dx + m * (x - rz * y + ry * z), p.dy + m * (rz * x + y - rx * z), p.dz + m * (-ry * x + rx * y + z)
        )
        let (a, f) = (6_378_137.0, 1 / 298.257222101)
        let e2 = f * (2 - f)
        let r = (X * X + Y * Y).squareRoot()
        var phi = atan2(Z, r * (1 - e2))
        for _ in 0..<10 {
            let n = a / (1 - e2 * sin(phi) * sin(phi)).squareRoot()
            phi = atan2(Z, r * (1 - e2 * n / (n + (r / cos(phi) - n))))
        }
        return Coordinate2D(lon: atan2(Y, X) * 180 / .pi, lat: phi * 180 / .pi)
    }

    static func county(_ entry: String) -> (file: String, find: String, replace: String) {
        ("county.yaml", "", "datums:\n  \"EPSG:4214\":\n\(entry)")
    }

    @Test(
        "a Beijing 1954 row with the county's seven parameters lands where the hand computation says, to 1 mm",
        arguments: [
            ("    towgs84: \(Self.towgs84)\n", SevenParameters.Convention.positionVector),
            ("    towgs84: \(Self.towgs84)\n    convention: coordinate_frame\n", .coordinateFrame),
        ]
    )
    func sevenParameters(_ entry: String, _ convention: SevenParameters.Convention) async throws {
        let registry = try await withMiniRegister(edits: [Self.county(entry), Self.g001OnBeijing]) { folder in
            try await RegistryLoader.load(directory: folder)
        }
        let site = try #require(registry.sites.first { $0.code == "G001" })
        var parameters = Self.parameters
        parameters.convention = convention
        let expected = Self.handComputed(lon: 108.123456, lat: 30.123456, parameters)
        // 1e-8° is about 1 mm here.
        #expect(abs(site.lonLat.x - expected.x) < 1e-8 && abs(site.lonLat.y - expected.y) < 1e-8, "\(site.lonLat) vs \(expected)")
        // Far from the ballpark answer (the given numbers unchanged): the shift was applied.
        #expect(abs(site.lonLat.x - 108.123456) + abs(site.lonLat.y - 30.123456) > 1e-5)
        #expect(site.given == .lonLat(lon: 108.123456, lat: 30.123456, crs: "EPSG:4214"))
        // The working-CRS position follows the shifted point.
        let metric = try await withGeodesy { try await $0.transform(site.lonLat, from: "EPSG:4490", to: "EPSG:4545") }
        #expect(abs(site.metric.x - metric.x) < 1e-3 && abs(site.metric.y - metric.y) < 1e-3)
    }

    @Test("the same parameters as a PROJ pipeline give the same point, keyed by the CRS as written")
    func pipeline() async throws {
        let p = Self.parameters
        let pipeline =
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=cart +ellps=krass "
            + "+step +proj=helmert +x=\(p.dx) +y=\(p.dy) +z=\(p.dz) +rx=\(p.rx) +ry=\(p.ry) +rz=\(p.rz) +s=\(p.ds) "
            + "+convention=position_vector +step +inv +proj=cart +ellps=GRS80 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
        let registry = try await withMiniRegister(
            edits: [Self.county("    pipeline: \"\(pipeline)\"\n"), Self.g001OnBeijing]
        ) { folder in
            try await RegistryLoader.load(directory: folder)
        }
        let site = try #require(registry.sites.first { $0.code == "G001" })
        let expected = Self.handComputed(lon: 108.123456, lat: 30.123456, p)
        #expect(abs(site.lonLat.x - expected.x) < 1e-8 && abs(site.lonLat.y - expected.y) < 1e-8)
    }

    @Test("survey X/Y in a Beijing 1954 Gauss-Krüger CRS use the parameters of its geodetic CRS, EPSG:4214")
    func projectedRow() async throws {
        // G002 is given in EPSG:4524 (CGCS2000, zone 36); re-declared as Beijing 1954 / 3-degree GK zone 36.
        let edits = [Self.county("    towgs84: \(Self.towgs84)\n"), ("geohazard.csv", "EPSG:4524", "EPSG:2412")]
        let registry = try await withMiniRegister(edits: edits) { folder in
            try await RegistryLoader.load(directory: folder)
        }
        let site = try #require(registry.sites.first { $0.code == "G002" })
        let onBeijing = try await withGeodesy {
            try await $0.transform(Coordinate2D(x: 36_519_287.5947, y: 3_325_672.8981), from: "EPSG:2412", to: "EPSG:4214")
        }
        let expected = Self.handComputed(lon: onBeijing.x, lat: onBeijing.y, Self.parameters)
        #expect(abs(site.lonLat.x - expected.x) < 1e-8 && abs(site.lonLat.y - expected.y) < 1e-8, "\(site.lonLat) vs \(expected)")
    }
}
