// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonStore
import Testing

/// `Store.sites(matching:)` must answer exactly what the reference `SiteFilter.matches` answers.
@Suite(.temporaryStore)
struct SiteQueryTests {
    static let sites = Fixtures.generatedSites(count: 200, seed: 0x4841_5A41_5244)

    static func expected(_ filter: SiteFilter, in sites: [Site] = Self.sites) -> [Site] {
        sites.filter(filter.matches).sorted { $0.code < $1.code }
    }

    /// Filters of every shape over the generated sites.
    static func filters() -> [SiteFilter] {
        var filters: [SiteFilter] = [SiteFilter()]
        filters += SiteKind.allCases.map { SiteFilter(kind: $0) }
        let townships = Set(Self.sites.map(\.township)).sorted()
        filters += townships.map { SiteFilter(township: $0) }
        filters += Set(Self.sites.map(\.villageCode)).sorted().map { SiteFilter(villageCode: $0) }
        filters += [SiteFilter(township: "不存在镇"), SiteFilter(villageCode: "000000000000")]
        filters += SiteKind.allCases.map { SiteFilter(kind: $0, township: townships[0]) }
        filters += [SiteFilter(kind: .geohazard, township: townships[1], villageCode: Self.sites[0].villageCode)]
        // Circles around sites and around empty places, including radii that pass exactly through other
        // sites (the grid sites are 3-4-5 apart) and a radius of 0 (only sites at the very centre).
        let centres = [Self.sites[0].metric, Self.sites[4].metric, Self.sites[17].metric, Coordinate2D(x: 401_234.5, y: 3_421_000)]
        for centre in centres {
            for radius in [0, 1, 250, 3_000, 4_000, 5_000, 6_000, 10_000, 15_000.5, 100_000] as [Double] {
                filters.append(SiteFilter(near: centre, withinMeters: radius))
            }
            for other in Self.sites.prefix(30) {
                filters.append(SiteFilter(near: centre, withinMeters: other.metric.distance(to: centre)))
            }
            filters.append(SiteFilter(kind: .flashFlood, township: townships[2], near: centre, withinMeters: 12_000))
        }
        // Half a circle is no circle: matches ignores a centre without a radius and vice versa.
        filters += [SiteFilter(near: centres[0]), SiteFilter(withinMeters: 10)]
        // Degenerate circles: no finite box bounds them, so only the exact check applies.
        filters += [
            SiteFilter(near: centres[0], withinMeters: -1),
            SiteFilter(near: centres[0], withinMeters: .nan),
            SiteFilter(near: centres[0], withinMeters: .infinity),
            SiteFilter(near: Coordinate2D(x: .nan, y: 3_420_000), withinMeters: 1_000),
            SiteFilter(near: Coordinate2D(x: .infinity, y: 3_420_000), withinMeters: .infinity),
        ]
        return filters
    }

    @Test func everyFilterGivesWhatTheReferenceGives() async throws {
        let store = try temporaryStore().store
        try await store.replaceRegistry(Registry(county: Fixtures.county, villages: [], sites: Self.sites))
        let filters = Self.filters()
        var nonTrivial = 0
        for filter in filters {
            let expected = Self.expected(filter)
            let actual = try await store.sites(matching: filter)
            #expect(actual.map(\.code) == expected.map(\.code), "\(filter)")
            #expect(actual == expected)
            if !expected.isEmpty && expected.count < Self.sites.count { nonTrivial += 1 }
        }
        // The comparison means something only if most filters select some but not all sites.
        #expect(filters.count > 150)
        #expect(nonTrivial > filters.count / 2)
    }

    @Test func sitesExactlyOnTheCircleAreIncluded() async throws {
        let store = try temporaryStore().store
        let centre = Coordinate2D(x: 400_000, y: 3_420_000)
        func site(_ code: String, dx: Double, dy: Double) -> Site {
            var site = Fixtures.dangerousRock
            site.code = code
            site.metric = Coordinate2D(x: centre.x + dx, y: centre.y + dy)
            return site
        }
        let sites = [
            site("on-east", dx: 5_000, dy: 0), site("on-345", dx: -3_000, dy: 4_000), site("inside", dx: 1, dy: 1),
            site("beyond", dx: 5_000, dy: 0.001), site("corner", dx: 4_999, dy: 4_999),
        ]
        try await store.replaceRegistry(Registry(county: Fixtures.county, villages: [], sites: sites))
        let found = try await store.sites(matching: SiteFilter(near: centre, withinMeters: 5_000)).map(\.code)
        #expect(found == ["inside", "on-345", "on-east"])
        #expect(found == Self.expected(SiteFilter(near: centre, withinMeters: 5_000), in: sites).map(\.code))
    }

    @Test func canonicallyEquivalentNamesMatchAsInSwift() async throws {
        let store = try temporaryStore().store
        // U+F900 is a CJK compatibility ideograph whose canonical form is U+8C48; "é" may be one scalar
        // or two. Swift's == treats each pair as equal, so the store must too.
        var compatibility = Fixtures.dangerousRock
        compatibility.code = "A1"
        compatibility.township = "\u{F900}溪镇"
        var decomposed = Fixtures.dangerousRock
        decomposed.code = "A2"
        decomposed.villageCode = "Caf\u{0065}\u{0301}"
        try await store.replaceRegistry(Registry(county: Fixtures.county, villages: [], sites: [compatibility, decomposed]))

        let byTownship = SiteFilter(township: "\u{8C48}溪镇")
        #expect(byTownship.matches(compatibility))
        #expect(try await store.sites(matching: byTownship).map(\.code) == ["A1"])
        let byVillage = SiteFilter(villageCode: "Caf\u{00E9}")
        #expect(byVillage.matches(decomposed))
        #expect(try await store.sites(matching: byVillage).map(\.code) == ["A2"])
        // The documents keep the names exactly as given.
        #expect(try await store.site(code: "A1")?.township.unicodeScalars.first == "\u{F900}")
        #expect(try await store.site(code: "A2")?.villageCode.unicodeScalars.count == 5)
    }
}
