// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// A small register in the shape of a real one (巫山县, Chongqing), and a generator for larger ones.
enum Fixtures {
    static let county = County(
        name: "巫山县", regionCode: "500237", workingCRS: "EPSG:4546", timeZone: "Asia/Shanghai",
        extent: GeoBox(west: 109.55, south: 30.75, east: 110.2, north: 31.5))

    static let villages = [
        Village(code: "500237101001", name: "龙门村", township: "巫峡镇"),
        Village(code: "500237101002", name: "江东村", township: "巫峡镇"),
        Village(code: "500237102001", name: "大昌村", township: "大昌镇"),
    ]

    static func rainChannel(_ code: String = "L3_YL_1") -> Channel {
        Channel(code: code, kind: .rain, unit: "mm", intervalSeconds: 300, validMin: 0, validMax: 200)
    }

    static func crackChannel(_ code: String = "L1_LF_1", max: Double = 500) -> Channel {
        Channel(code: code, kind: .crack, unit: "mm", intervalSeconds: 600, validMin: -50, validMax: max)
    }

    /// A landslide with a rain gauge and a crack meter on one point; given in survey X/Y.
    static let landslide = Site(
        code: "500237010001", name: "龙门村滑坡", township: "巫峡镇", villageCode: "500237101001",
        given: .surveyXY(x: 3_442_310.52, y: 37_412_055.18, crs: "EPSG:4525"),
        lonLat: Coordinate2D(lon: 109.8761234, lat: 31.0912345), metric: Coordinate2D(x: 412_055.18, y: 3_442_310.52),
        elevation: 412.5, scale: .medium, threatenedHouseholds: 23, threatenedPeople: 86, threatenedPropertyWanYuan: 520,
        riskLevel: .high,
        shelter: Shelter(
            name: "龙门村小学", lonLat: Coordinate2D(lon: 109.8801, lat: 31.0933),
            metric: Coordinate2D(x: 412_430.0, y: 3_442_540.0), capacity: 200),
        evacuationRoute: "沿村道向北撤离至龙门村小学", monitor: Contact(name: "张三", phone: "13800000001"),
        details: .geohazard(GeohazardDetails(hazardType: .landslide, volumeWanM3: 12.5, stability: "欠稳定")),
        points: [
            MonitoringPoint(
                code: "JC01", name: "后缘裂缝", lonLat: Coordinate2D(lon: 109.8763, lat: 31.0915),
                devices: [
                    Device(id: "YL-0001", model: "RG-200", channels: [rainChannel()]),
                    Device(id: "LF-0001", channels: [crackChannel(), crackChannel("L1_LF_2")]),
                ])
        ])

    /// A flash-flood danger zone with a water-level station; given in lon/lat.
    static let flashFlood = Site(
        code: "500237020001", name: "大宁河大昌段山洪危险区", township: "大昌镇", villageCode: "500237102001",
        given: .lonLat(lon: 109.8012, lat: 31.2534, crs: "EPSG:4490"),
        lonLat: Coordinate2D(lon: 109.8012, lat: 31.2534), metric: Coordinate2D(x: 404_300.25, y: 3_459_820.75),
        threatenedHouseholds: 140, threatenedPeople: 512,
        details: .flashFlood(FlashFloodDetails(river: "大宁河", section: "大昌断面", catchmentKm2: 1_420, rainStation: "60812345")),
        points: [
            MonitoringPoint(
                code: "SW01", name: "大昌水位站",
                devices: [
                    Device(
                        id: "SW-0101",
                        channels: [
                            Channel(code: "L3_DB_1", kind: .waterLevel, unit: "m", intervalSeconds: 300, validMin: 0, validMax: 40)
                        ])
                ])
        ])

    /// A dangerous rock with no devices and most optional fields absent.
    static let dangerousRock = Site(
        code: "500237030001", name: "江东危岩", township: "巫峡镇", villageCode: "500237101002",
        given: .lonLat(lon: 109.9021, lat: 31.0788, crs: "EPSG:4490"),
        lonLat: Coordinate2D(lon: 109.9021, lat: 31.0788), metric: Coordinate2D(x: 414_500.0, y: 3_440_900.0),
        threatenedPeople: 12, details: .dangerousRock(DangerousRockDetails(volumeM3: 800, failureMode: "倾倒")))

    /// Sites deliberately not in code order, to show the register's order is kept.
    static let registry = Registry(county: county, villages: villages, sites: [flashFlood, landslide, dangerousRock])

    /// `count` sites spread over a 40 km square in 5 townships and 15 villages, with some exactly on a
    /// 3-4-5 grid so that filters with integral radii hit sites lying exactly on their circle.
    static func generatedSites(count: Int, seed: UInt64) -> [Site] {
        var random = SplitMix64(seed: seed)
        let townships = ["巫峡镇", "大昌镇", "官渡镇", "骡坪镇", "庙宇镇"]
        var sites: [Site] = []
        for index in 0..<count {
            let townshipIndex = Int(random.next() % UInt64(townships.count))
            let villageCode = "5002371\(String(format: "%02d", townshipIndex + 1))00\(random.next() % 3 + 1)"
            let metric: Coordinate2D
            if index % 4 == 0 {
                // On a 1 km grid with 3-4-5 steps: distances between such sites are often whole kilometres.
                metric = Coordinate2D(
                    x: 400_000 + 3_000 * Double(random.next() % 8), y: 3_420_000 + 4_000 * Double(random.next() % 6))
            } else {
                metric = Coordinate2D(
                    x: 380_000 + Double(random.next() % 40_000_000) / 1_000,
                    y: 3_400_000 + Double(random.next() % 40_000_000) / 1_000)
            }
            let details: SiteDetails
            switch random.next() % 3 {
            case 0: details = .geohazard(GeohazardDetails(hazardType: .collapse))
            case 1: details = .flashFlood(FlashFloodDetails(river: "河\(index % 7)"))
            default: details = .dangerousRock(DangerousRockDetails(heightM: Double(index)))
            }
            let lonLat = Coordinate2D(lon: 109.5 + metric.x / 1e7, lat: 30.8 + metric.y / 1e8)
            sites.append(
                Site(
                    code: String(format: "G%04d", (index * 7919) % 10_000), name: "隐患点\(index)",
                    township: townships[townshipIndex], villageCode: villageCode,
                    given: .lonLat(lon: lonLat.x, lat: lonLat.y, crs: "EPSG:4490"), lonLat: lonLat, metric: metric,
                    threatenedPeople: Int(random.next() % 300), details: details))
        }
        return sites
    }
}

/// A small deterministic generator, so a failing case can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
