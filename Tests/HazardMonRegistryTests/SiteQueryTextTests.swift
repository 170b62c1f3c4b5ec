// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRegistry
import Testing

@Suite("What sites list accepts for --near and --within")
struct SiteQueryTextTests {
    @Test("lengths", arguments: [
        ("2km", 2000.0), ("2 km", 2000), ("1.5KM", 1500), ("500m", 500), ("500 m", 500), ("1500", 1500), (" 3km ", 3000),
    ])
    func lengths(text: String, meters: Double) {
        #expect(SiteQueryText.meters(text) == meters)
    }

    @Test("not lengths", arguments: ["", "km", "-2km", "0", "2 miles", "nan", "inf", "2kmm"])
    func notLengths(text: String) {
        #expect(SiteQueryText.meters(text) == nil)
    }

    @Test("places")
    func places() {
        #expect(SiteQueryText.lonLat("108.05,30.12") == Coordinate2D(lon: 108.05, lat: 30.12))
        #expect(SiteQueryText.lonLat(" 108.05 , 30.12 ") == Coordinate2D(lon: 108.05, lat: 30.12))
        #expect(SiteQueryText.lonLat("30.12") == nil)
        #expect(SiteQueryText.lonLat("108.05,30.12,5") == nil)
        #expect(SiteQueryText.lonLat("181,30") == nil)
        #expect(SiteQueryText.lonLat("108,95") == nil)
        #expect(SiteQueryText.lonLat("108,") == nil)
    }
}
