// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import Testing

@Suite("Site documents")
struct SiteDocumentTests {
    static let full = Site(
        code: "DZ500999-0001", name: "青岩村 \"后山\" 滑坡\\", township: "青岩镇", villageCode: "500999101201",
        given: .surveyXY(x: 3_325_672.8981, y: 36_519_287.5947, crs: "EPSG:4524"),
        lonLat: Coordinate2D(lon: 108.2, lat: 30.050000000000001), metric: Coordinate2D(x: 519_287.5947, y: 3_325_672.8981),
        elevation: 812.5, scale: .large, threatenedHouseholds: 12, threatenedPeople: 41, threatenedPropertyWanYuan: 180,
        riskLevel: .veryHigh,
        shelter: Shelter(name: "村委会", lonLat: Coordinate2D(lon: 108.21, lat: 30.06), metric: Coordinate2D(x: 1e-7, y: -0.0), capacity: 200),
        evacuationRoute: "沿村道\n向东\t撤离\u{01}", monitor: Contact(name: "张三", phone: "13900000001"),
        details: .geohazard(GeohazardDetails(hazardType: .debrisFlow, volumeWanM3: 1.25e-3, stability: "欠稳定")),
        points: [
            MonitoringPoint(code: "JC01", name: "1号", lonLat: Coordinate2D(lon: 108.2001, lat: 30.0501), devices: [
                Device(id: "10000001", model: "YL-01", channels: [
                    Channel(code: "L3_YL_1", kind: .rain, unit: "mm", intervalSeconds: 300, validMin: 0, validMax: 300),
                    Channel(code: "L1_LF_1", kind: .crack, unit: "mm", intervalSeconds: 600, validMin: -0.5, validMax: 2e6),
                ]),
                Device(id: "10000002"),
            ]),
            MonitoringPoint(code: "JC02", name: "2号"),
        ]
    )
    static let sparse = [
        Site(
            code: "SH1", name: "河段", township: "龙潭乡", villageCode: "500999201201",
            given: .lonLat(lon: 108.123456789, lat: 30.5, crs: "EPSG:4490"), lonLat: Coordinate2D(lon: 108.123456789, lat: 30.5),
            metric: Coordinate2D(x: 511_897.043_1, y: 3_333_805.358_1),
            details: .flashFlood(FlashFloodDetails(river: "龙潭河", section: nil, catchmentKm2: 12.3, rainStation: "YL1"))
        ),
        Site(
            code: "WY1", name: "危岩", township: "龙潭乡", villageCode: "500999201201",
            given: .lonLat(lon: 107.9, lat: 30.2, crs: "EPSG:4326"), lonLat: Coordinate2D(lon: 107.9, lat: 30.2),
            metric: Coordinate2D(x: 490_370.7757, y: 3_342_288.4508),
            details: .dangerousRock(DangerousRockDetails(volumeM3: 350, heightM: 42.5, failureMode: nil))
        ),
    ]

    @Test("JSONDecoder reads a document back into an equal site")
    func roundTrip() throws {
        for site in [Self.full] + Self.sparse {
            let document = try #require(site.document)
            let decoded = try JSONDecoder().decode(Site.self, from: Data(document.utf8))
            #expect(decoded == site, "\(site.code)")
        }
    }

    @Test("the document is the text JSONEncoder writes with sorted keys")
    func sameAsJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for site in Self.sparse {
            let expected = String(decoding: try encoder.encode(site), as: UTF8.self)
            #expect(site.document == expected)
        }
    }

    @Test("equal sites give equal documents and a changed field changes the document")
    func canonical() throws {
        var changed = Self.full
        changed.threatenedPeople += 1
        #expect(Self.full.document == Self.full.document)
        #expect(Self.full.document != changed.document)
        var moved = Self.sparse[0]
        moved.lonLat.x = moved.lonLat.x.nextUp
        #expect(Self.sparse[0].document != moved.document, "one ulp is a change")
    }

    @Test("a site with a non-finite number has no document")
    func nonFinite() {
        var site = Self.sparse[0]
        site.elevation = .nan
        #expect(site.document == nil)
        site.elevation = nil
        site.metric.x = .infinity
        #expect(site.document == nil)
    }
}
