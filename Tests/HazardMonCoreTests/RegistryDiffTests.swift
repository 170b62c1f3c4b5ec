// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Testing

private func site(_ code: String, people: Int = 10, east: Double = 500_000, north: Double = 3_330_000,
                  kind: SiteKind = .geohazard, township: String = "青岩镇", village: String = "500999101201") -> Site {
    let details: SiteDetails
    switch kind {
    case .geohazard: details = .geohazard(GeohazardDetails(hazardType: .landslide))
    case .flashFlood: details = .flashFlood(FlashFloodDetails(river: "龙潭河"))
    case .dangerousRock: details = .dangerousRock(DangerousRockDetails())
    }
    return Site(
        code: code, name: code, township: township, villageCode: village,
        given: .lonLat(lon: 108, lat: 30, crs: "EPSG:4490"), lonLat: Coordinate2D(lon: 108, lat: 30),
        metric: Coordinate2D(x: east, y: north), threatenedPeople: people, details: details
    )
}

@Suite("Registry diff")
struct RegistryDiffTests {
    @Test("added, changed, removed and unchanged by code, sorted")
    func diff() {
        let old = [site("B"), site("A"), site("C", people: 3)]
        let new = [site("D"), site("A"), site("C", people: 4), site("E")]
        let diff = RegistryDiff(old: old, new: new)
        #expect(diff == RegistryDiff(added: ["D", "E"], changed: ["C"], removed: ["B"], unchanged: 1))
        #expect(diff.description == "2 added, 1 changed, 1 removed, 1 unchanged")
        #expect(!diff.isEmpty)
    }

    @Test("the same register twice is an empty diff")
    func same() {
        let sites = [site("A"), site("B")]
        let diff = RegistryDiff(old: sites, new: sites)
        #expect(diff == RegistryDiff(unchanged: 2))
        #expect(diff.isEmpty)
    }
}

@Suite("Site filter")
struct SiteFilterTests {
    @Test("every set field must match; distance uses metric coordinates, edge included")
    func matches() {
        let centre = Coordinate2D(x: 500_000, y: 3_330_000)
        let near = site("N", east: 501_200, north: 3_331_600)  // exactly 2000 m away
        let far = site("F", east: 502_001, north: 3_330_000)
        let flood = site("W", kind: .flashFlood, township: "龙潭乡", village: "500999201201")
        #expect(SiteFilter(near: centre, withinMeters: 2000).matches(near))
        #expect(!SiteFilter(near: centre, withinMeters: 2000).matches(far))
        #expect(SiteFilter(kind: .flashFlood).matches(flood))
        #expect(!SiteFilter(kind: .flashFlood).matches(near))
        #expect(SiteFilter(township: "龙潭乡", villageCode: "500999201201").matches(flood))
        #expect(!SiteFilter(township: "龙潭乡", villageCode: "500999201202").matches(flood))
        #expect(SiteFilter().matches(far))
    }
}

@Suite("Coordinates as given")
struct GivenCoordinateTests {
    @Test("survey X (north) / Y (east) normalise to easting, northing")
    func normalized() {
        #expect(GivenCoordinate.surveyXY(x: 3_325_672.9, y: 36_519_287.6, crs: "EPSG:4524").normalized
            == Coordinate2D(x: 36_519_287.6, y: 3_325_672.9))
        #expect(GivenCoordinate.lonLat(lon: 108.2, lat: 30.05, crs: "EPSG:4490").normalized
            == Coordinate2D(x: 108.2, y: 30.05))
    }

    @Test("a box contains its edges and nothing beyond")
    func box() {
        let box = GeoBox(west: 107.6, south: 29.6, east: 108.6, north: 30.6)
        #expect(box.contains(Coordinate2D(lon: 107.6, lat: 30.6)))
        #expect(!box.contains(Coordinate2D(lon: 108.600001, lat: 30)))
        #expect(!box.contains(Coordinate2D(lon: 108, lat: 29.599999)))
    }

    @Test("units a sensor kind accepts", arguments: [
        (SensorKind.rain, "mm", true), (.rain, "m", false), (.waterLevel, "m", true), (.tilt, "°", true),
        (.tilt, "deg", true), (.temperature, "°C", true), (.crack, "cm", false),
    ])
    func units(kind: SensorKind, unit: String, accepted: Bool) {
        #expect(kind.acceptedUnits.contains(unit) == accepted)
    }
}
