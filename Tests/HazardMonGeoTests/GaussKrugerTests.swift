// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Testing

@testable import HazardMonGeo

/// The zone arithmetic of ``GaussKruger`` against tables, then against PROJ's own definitions.
@Suite
struct GaussKrugerTests {
    struct LongitudeCase: Sendable, CustomTestStringConvertible {
        let lon: Double
        let width: GaussKruger.Width
        let zone: Int
        let centralMeridian: Int
        var testDescription: String { "\(self.lon)E in \(self.width.rawValue)° zones" }
    }

    /// 3° zones run from CM - 1.5° (included) to CM + 1.5°; 6° zones from 6(n-1)° (included) to 6n°.
    static let longitudes: [LongitudeCase] = [
        .init(lon: 108, width: .three, zone: 36, centralMeridian: 108),
        .init(lon: 106.5, width: .three, zone: 36, centralMeridian: 108),
        .init(lon: 106.49, width: .three, zone: 35, centralMeridian: 105),
        .init(lon: 109.49, width: .three, zone: 36, centralMeridian: 108),
        .init(lon: 109.5, width: .three, zone: 37, centralMeridian: 111),
        .init(lon: 105, width: .three, zone: 35, centralMeridian: 105),
        .init(lon: 75, width: .three, zone: 25, centralMeridian: 75),
        .init(lon: 135, width: .three, zone: 45, centralMeridian: 135),
        .init(lon: 105, width: .six, zone: 18, centralMeridian: 105),
        .init(lon: 102, width: .six, zone: 18, centralMeridian: 105),
        .init(lon: 101.99, width: .six, zone: 17, centralMeridian: 99),
        .init(lon: 107.99, width: .six, zone: 18, centralMeridian: 105),
        .init(lon: 108, width: .six, zone: 19, centralMeridian: 111),
        .init(lon: 109.5, width: .six, zone: 19, centralMeridian: 111),
        .init(lon: 73.62, width: .six, zone: 13, centralMeridian: 75),
        .init(lon: 134.77, width: .six, zone: 23, centralMeridian: 135),
    ]

    @Test("Zone of a longitude", arguments: Self.longitudes)
    func zoneOfLongitude(_ row: LongitudeCase) {
        for prefixed in [true, false] {
            let zone = GaussKruger.zone(ofLongitude: row.lon, width: row.width, prefixed: prefixed)
            #expect(zone.number == row.zone)
            #expect(zone.centralMeridian == row.centralMeridian)
            #expect(zone.prefixed == prefixed)
        }
    }

    struct CodeCase: Sendable, CustomTestStringConvertible {
        let epsg: Int
        let width: GaussKruger.Width
        let zone: Int
        let prefixed: Bool
        let falseEasting: Double
        var testDescription: String { "EPSG:\(self.epsg)" }
    }

    /// From `projinfo EPSG:nnnn -o PROJ`: +lon_0 and +x_0 of the first, a middle and the last code of each
    /// family (e.g. EPSG:4524: +lon_0=108 +x_0=36500000; EPSG:4507: +lon_0=105 +x_0=500000).
    static let codes: [CodeCase] = [
        .init(epsg: 4491, width: .six, zone: 13, prefixed: true, falseEasting: 13_500_000),
        .init(epsg: 4496, width: .six, zone: 18, prefixed: true, falseEasting: 18_500_000),
        .init(epsg: 4501, width: .six, zone: 23, prefixed: true, falseEasting: 23_500_000),
        .init(epsg: 4502, width: .six, zone: 13, prefixed: false, falseEasting: 500_000),
        .init(epsg: 4507, width: .six, zone: 18, prefixed: false, falseEasting: 500_000),
        .init(epsg: 4512, width: .six, zone: 23, prefixed: false, falseEasting: 500_000),
        .init(epsg: 4513, width: .three, zone: 25, prefixed: true, falseEasting: 25_500_000),
        .init(epsg: 4524, width: .three, zone: 36, prefixed: true, falseEasting: 36_500_000),
        .init(epsg: 4533, width: .three, zone: 45, prefixed: true, falseEasting: 45_500_000),
        .init(epsg: 4534, width: .three, zone: 25, prefixed: false, falseEasting: 500_000),
        .init(epsg: 4545, width: .three, zone: 36, prefixed: false, falseEasting: 500_000),
        .init(epsg: 4554, width: .three, zone: 45, prefixed: false, falseEasting: 500_000),
    ]

    @Test("EPSG code <-> zone", arguments: Self.codes)
    func epsgAndZone(_ row: CodeCase) throws {
        let zone = try #require(GaussKruger.zone(epsg: row.epsg))
        #expect(zone == GaussKruger.Zone(width: row.width, number: row.zone, prefixed: row.prefixed))
        #expect(zone.epsgCode == row.epsg)
        #expect(zone.crs == "EPSG:\(row.epsg)")
        #expect(zone.falseEasting == row.falseEasting)
        #expect(GaussKruger.zone(crs: "EPSG:\(row.epsg)") == zone)
        #expect(GaussKruger.zone(crs: "epsg:\(row.epsg)") == zone)
    }

    @Test(
        "Codes and definitions that are not CGCS2000 Gauss-Krüger zones",
        arguments: ["EPSG:4490", "EPSG:4490x", "EPSG:4490:1", "EPSG:4555", "EPSG:4326", "4524", "+proj=tmerc", ""]
    )
    func notAZone(_ crs: String) {
        #expect(GaussKruger.zone(crs: crs) == nil)
    }

    @Test("Zones outside the EPSG ranges have no code", arguments: [
        GaussKruger.Zone(width: .three, number: 24, prefixed: true),
        GaussKruger.Zone(width: .three, number: 46, prefixed: false),
        GaussKruger.Zone(width: .six, number: 12, prefixed: true),
        GaussKruger.Zone(width: .six, number: 24, prefixed: false),
    ])
    func noCode(_ zone: GaussKruger.Zone) {
        #expect(zone.epsgCode == nil)
        #expect(zone.crs == nil)
    }

    struct PrefixCase: Sendable, CustomTestStringConvertible {
        let y: Double
        let zone: Int?
        let easting: Double?
        var testDescription: String { "Y \(self.y)" }
    }

    static let prefixes: [PrefixCase] = [
        .init(y: 36_519_199.8045, zone: 36, easting: 519_199.8045),
        .init(y: 36_000_000, zone: 36, easting: 0),
        .init(y: 36_999_999.999, zone: 36, easting: 999_999.999),
        .init(y: 18_751_908.8629, zone: 18, easting: 751_908.8629),
        .init(y: 13_500_000, zone: 13, easting: 500_000),
        .init(y: 45_500_000, zone: 45, easting: 500_000),
        .init(y: 519_199.8045, zone: nil, easting: nil),
        .init(y: 999_999.99, zone: nil, easting: nil),
        .init(y: 3_375_558.7405, zone: nil, easting: nil),  // a northing, not a prefixed easting
        .init(y: 12_500_000, zone: nil, easting: nil),
        .init(y: -36_500_000, zone: nil, easting: nil),
        .init(y: .nan, zone: nil, easting: nil),
        .init(y: .infinity, zone: nil, easting: nil),
    ]

    @Test("Prefix detection and stripping", arguments: Self.prefixes)
    func prefix(_ row: PrefixCase) {
        #expect(GaussKruger.prefix(ofEasting: row.y) == row.zone)
        let stripped = GaussKruger.stripPrefix(row.y)
        #expect(stripped?.zone == row.zone)
        if let easting = row.easting, let stripped {
            #expect(abs(stripped.easting - easting) < 1e-7)
            #expect(GaussKruger.addPrefix(zone: stripped.zone, easting: stripped.easting) == row.y)
        }
    }

    @Test func addPrefix() {
        #expect(GaussKruger.addPrefix(zone: 36, easting: 500_000) == 36_500_000)
        #expect(GaussKruger.addPrefix(zone: 18, easting: 751_908.5) == 18_751_908.5)
        #expect(abs(GaussKruger.addPrefix(zone: 36, easting: 512_345.6) - 36_512_345.6) < 1e-7)
    }
}

/// Every CGCS2000 Gauss-Krüger code, checked against proj.db: name, central meridian, false easting.
@Suite(.projDataAvailable)
struct GaussKrugerAgainstPROJTests {
    @Test("Zone arithmetic matches PROJ for every code", .geodesy, arguments: 4491...4554)
    func matchesPROJ(_ code: Int) async throws {
        let geodesy = try TestGeodesy.require()
        let zone = try #require(GaussKruger.zone(epsg: code))
        let description = try await geodesy.describe("EPSG:\(code)")
        #expect(description.authorityCode == "EPSG:\(code)")
        let family = zone.width == .three ? "CGCS2000 / 3-degree Gauss-Kruger" : "CGCS2000 / Gauss-Kruger"
        let expectedName = zone.prefixed ? "\(family) zone \(zone.number)" : "\(family) CM \(zone.centralMeridian)E"
        #expect(description.name == expectedName)

        // At the central meridian the easting is the false easting, whatever the latitude.
        let atCM = try await geodesy.transform(
            Coordinate2D(lon: Double(zone.centralMeridian), lat: 30),
            from: "EPSG:4490",
            to: "EPSG:\(code)",
            checkArea: false
        )
        #expect(abs(atCM.x - zone.falseEasting) < 1e-6)
        #expect(GaussKruger.zone(ofLongitude: Double(zone.centralMeridian), width: zone.width, prefixed: zone.prefixed) == zone)

        // The area of use lies around the central meridian, within the zone's width plus the few hundredths
        // of a degree EPSG adds at some edges (EPSG:4492, zone 14, CM 81°E, starts at 77.98°E).
        let area = try #require(description.areaOfUse)
        let half = Double(zone.width.rawValue) / 2 + 0.05
        #expect(area.west >= Double(zone.centralMeridian) - half)
        #expect(area.east <= Double(zone.centralMeridian) + half)
    }
}
