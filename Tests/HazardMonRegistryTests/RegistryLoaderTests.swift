// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonGeo
@testable import HazardMonRegistry
import Testing

@Suite("Loading a register folder")
struct RegistryLoaderTests {
    /// Expected coordinates from PROJ's own command line tool (PROJ 9.1.1):
    /// `echo "LAT LON" | cs2cs -f %.4f EPSG:4490 EPSG:4545` for the working CRS, and
    /// `echo "30.05 108.2" | cs2cs -f %.4f EPSG:4490 EPSG:4524` for G002's survey X/Y.
    static let expected: [(code: String, lon: Double, lat: Double, east: Double, north: Double)] = [
        ("G001", 108.123456, 30.123456, 511_897.0431, 3_333_805.3581),
        ("G002", 108.2, 30.05, 519_287.5947, 3_325_672.8981),
        ("G003", 108.0 + 5.0 / 60 + 30.5 / 3600, 29.97, 508_860.6416, 3_316_791.3783),
        ("F001", 108.05, 30.11, 504_818.9849, 3_332_308.3234),
        ("F002", 108.31, 30.02, 529_904.8208, 3_322_370.9249),
        ("R001", 107.9, 30.2, 490_370.7757, 3_342_288.4508),
    ]

    @Test("every site is projected to CGCS2000 and the working CRS to the millimetre")
    func projection() async throws {
        let registry = try await withMiniRegister { folder in
            try await RegistryLoader.load(directory: folder)
        }
        #expect(registry.sites.map(\.code) == ["F001", "F002", "G001", "G002", "G003", "R001"])
        for reference in Self.expected {
            let site = try #require(registry.sites.first { $0.code == reference.code })
            #expect(abs(site.lonLat.x - reference.lon) < 1e-8, "\(reference.code) lon \(site.lonLat.x)")
            #expect(abs(site.lonLat.y - reference.lat) < 1e-8, "\(reference.code) lat \(site.lonLat.y)")
            #expect(abs(site.metric.x - reference.east) < 1e-3, "\(reference.code) east \(site.metric.x)")
            #expect(abs(site.metric.y - reference.north) < 1e-3, "\(reference.code) north \(site.metric.y)")
        }
    }

    @Test("coordinates are kept exactly as given, with their CRS")
    func givenCoordinates() async throws {
        let registry = try await withMiniRegister { folder in
            try await RegistryLoader.load(directory: folder)
        }
        let given = Dictionary(uniqueKeysWithValues: registry.sites.map { ($0.code, $0.given) })
        #expect(given["G001"] == .lonLat(lon: 108.123456, lat: 30.123456, crs: "EPSG:4490"))
        #expect(given["G002"] == .surveyXY(x: 3_325_672.8981, y: 36_519_287.5947, crs: "EPSG:4524"))
        #expect(given["F002"] == .surveyXY(x: 3_322_370.9249, y: 529_904.8208, crs: "EPSG:4545"))
        #expect(given["R001"] == .lonLat(lon: 107.9, lat: 30.2, crs: "EPSG:4326"))
    }

    @Test("fields, shelters, GB18030 text and devices are read into the site")
    func fields() async throws {
        let registry = try await withMiniRegister { folder in
            try await RegistryLoader.load(directory: folder)
        }
        #expect(registry.county == County(
            name: "测试县", regionCode: "500999", workingCRS: "EPSG:4545", timeZone: "Asia/Shanghai",
            extent: GeoBox(west: 107.6, south: 29.6, east: 108.6, north: 30.6)
        ))
        #expect(registry.villages.map(\.code) == ["500999001001", "500999001002", "500999002001"])
        let g001 = try #require(registry.sites.first { $0.code == "G001" })
        #expect(g001.name == "青岩村滑坡")
        #expect(g001.elevation == 812.5)
        #expect(g001.scale == .medium)
        #expect(g001.threatenedHouseholds == 12 && g001.threatenedPeople == 41)
        #expect(g001.threatenedPropertyWanYuan == 180.5)
        #expect(g001.riskLevel == .high)
        #expect(g001.evacuationRoute == "沿村道向东撤离, 至村委会")
        #expect(g001.monitor == Contact(name: "张三", phone: "13900000001"))
        #expect(g001.details == .geohazard(GeohazardDetails(hazardType: .landslide, volumeWanM3: 12.5, stability: "欠稳定")))
        let shelter = try #require(g001.shelter)
        #expect(shelter.name == "青岩村村委会" && shelter.capacity == 200)
        #expect(shelter.lonLat == Coordinate2D(lon: 108.13, lat: 30.125))
        // cs2cs EPSG:4490 EPSG:4545 of 30.125 108.13: the shelter is about 640 m east of the site.
        #expect(abs(g001.metric.distance(to: shelter.metric) - 630) < 40)

        #expect(g001.points.map(\.code) == ["P1", "P2"])
        #expect(g001.points[0].devices.map(\.id) == ["10000001", "10000002"])
        #expect(g001.points[1].devices.map(\.id) == ["10000004"])
        #expect(g001.points[1].devices[0].channels.map(\.code) == ["L1_GP_X", "L1_GP_Y"])
        #expect(g001.points[0].devices[0].channels[0] == Channel(
            code: "L3_YL_1", kind: .rain, unit: "mm", intervalSeconds: 300, validMin: 0, validMax: 300
        ))

        let f001 = try #require(registry.sites.first { $0.code == "F001" })
        #expect(f001.name == "龙潭河龙潭村段", "GB18030 file decoded")
        #expect(f001.details == .flashFlood(FlashFloodDetails(river: "龙潭河", section: "龙潭村桥", rainStation: "YL001", waterLevelStation: "SW001")))
        let r001 = try #require(registry.sites.first { $0.code == "R001" })
        #expect(r001.threatenedPeople == 9, "a number written as a JSON string")
        #expect(r001.details == .dangerousRock(DangerousRockDetails(volumeM3: 350, heightM: 42.5, failureMode: "倾倒")))
        #expect(r001.points.first?.devices.first?.channels.first?.unit == "°")
    }

    @Test(
        "degrees-minutes-seconds and decimal degrees",
        arguments: [
            ("108.5", 108.5), ("108°30'", 108.5), ("108°30'36\"", 108.51), ("108°30′36″", 108.51),
            ("108 30 36", 108.51), ("-0°30'", -0.5), ("29°58'12\"", 29.97), ("-12.25", -12.25),
        ]
    )
    func degrees(text: String, value: Double) throws {
        let parsed = try #require(FieldReader.parseDegrees(text))
        #expect(abs(parsed - value) < 1e-12)
    }

    @Test("text that is not an angle", arguments: ["108°61'", "108.5°30'", "abc", "108°30'12'5", ""])
    func notDegrees(text: String) {
        #expect(FieldReader.parseDegrees(text) == nil)
    }

    @Test("a line break inside a quoted cell does not shift later line numbers")
    func multilineCell() async throws {
        let lines = try await withMiniRegister(edits: [
            ("geohazard.csv", "\"沿村道向东撤离, 至村委会\"", "\"沿村道向东撤离,\n至村委会\""),
            ("geohazard.csv", "640,small", "6x0,small"),
        ]) { try await issues(loading: $0) }
        #expect(lines == ["geohazard.csv:4: elevation: '6x0' is not a number"])
    }
}
