// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Testing

@testable import HazardMonGeo

@Suite(.projDataAvailable)
struct BatchAndCacheTests {
    /// A deterministic grid over the sample county, 107.5-109°E, 29.5-30.8°N.
    static let countyGrid: [Coordinate2D] = (0..<20).flatMap { i in
        (0..<15).map { j in Coordinate2D(lon: 107.5 + 1.5 * Double(i) / 19, lat: 29.5 + 1.3 * Double(j) / 14) }
    }

    @Test(
        "Batch transform equals per-point transform",
        .geodesy,
        arguments: [("EPSG:4490", "EPSG:4524"), ("EPSG:4326", "EPSG:4545"), ("EPSG:4490", Reference.countyWKT)]
    )
    func batchEqualsPerPoint(_ pair: (from: String, to: String)) async throws {
        let geodesy = try TestGeodesy.require()
        let batch = try await geodesy.transform(Self.countyGrid, from: pair.from, to: pair.to)
        var single: [Coordinate2D] = []
        for point in Self.countyGrid {
            single.append(try await geodesy.transform(point, from: pair.from, to: pair.to))
        }
        let each = try await geodesy.transformEach(Self.countyGrid, from: pair.from, to: pair.to).map { try $0.get() }
        #expect(batch.count == Self.countyGrid.count)
        #expect(batch == single)
        #expect(batch == each)
        // And back, in a batch, to the grid. The grid's edges are the WKT's area edges, and the round trip
        // may land a nanodegree outside: the area check has no margin, so it is off here.
        let back = try await geodesy.transform(batch, from: pair.to, to: pair.from, checkArea: false)
        for (returned, original) in zip(back, Self.countyGrid) {
            expectClose(returned, original, tolerance: 1e-9)
        }
    }

    @Test("An empty batch is fine", .geodesy)
    func emptyBatch() async throws {
        let geodesy = try TestGeodesy.require()
        #expect(try await geodesy.transform([], from: "EPSG:4490", to: "EPSG:4524").isEmpty)
        #expect(try await geodesy.transformEach([], from: "EPSG:4490", to: "EPSG:4524").isEmpty)
    }

    @Test("A batch fails with its first bad point", .geodesy)
    func batchFailsAtFirstBadPoint() async throws {
        let geodesy = try TestGeodesy.require()
        let good = Coordinate2D(lon: 108.2, lat: 30.5)
        let outside = Coordinate2D(lon: 140, lat: 30)
        let notFinite = Coordinate2D(lon: 108, lat: .infinity)
        let badLatitude = Coordinate2D(lon: 108, lat: 95)
        let china = GeoBox(west: 73.62, south: 16.7, east: 134.77, north: 53.56)

        await #expect(throws: ProjError.outsideAreaOfUse(point: outside, crs: "EPSG:4490", area: china)) {
            try await geodesy.transform([good, good, outside, notFinite], from: "EPSG:4490", to: "EPSG:4524")
        }
        await #expect(
            throws: ProjError.transformFailed(point: notFinite, from: "EPSG:4490", to: "EPSG:4524", message: "coordinate is not finite")
        ) {
            try await geodesy.transform([good, notFinite, outside], from: "EPSG:4490", to: "EPSG:4524")
        }
        // lat 95 is outside the area too; unchecked, PROJ itself refuses it, and it comes before the NaN.
        await #expect(
            throws: ProjError.transformFailed(point: badLatitude, from: "EPSG:4490", to: "EPSG:4524", message: "tmerc: Invalid latitude")
        ) {
            try await geodesy.transform(
                [good, outside, badLatitude, good, notFinite],
                from: "EPSG:4490",
                to: "EPSG:4524",
                checkArea: false
            )
        }
        // After a failure the same transformation keeps working.
        let after = try await geodesy.transform([good], from: "EPSG:4490", to: "EPSG:4524")
        expectClose(after[0], Reference.cgcs2000ToZone36[0].grid, tolerance: 1e-3)
    }

    @Test("Transformations are cached per (from, to) pair", .geodesy)
    func cache() async throws {
        let geodesy = try TestGeodesy.require()
        let point = Coordinate2D(lon: 108.2, lat: 30.5)
        #expect(await geodesy.cachedTransformationCount == 0)

        let first = try await geodesy.transform(point, from: "EPSG:4490", to: "EPSG:4524")
        #expect(await geodesy.cachedTransformationCount == 1)
        let second = try await geodesy.transform(point, from: "EPSG:4490", to: "EPSG:4524")
        _ = try await geodesy.transform([point, point], from: "EPSG:4490", to: "EPSG:4524", checkArea: false)
        _ = try await geodesy.transformEach([point], from: "EPSG:4490", to: "EPSG:4524")
        #expect(await geodesy.cachedTransformationCount == 1)
        #expect(first == second)

        // The reverse direction is another pair, and so is another spelling of the same CRS.
        _ = try await geodesy.transform(first, from: "EPSG:4524", to: "EPSG:4490")
        #expect(await geodesy.cachedTransformationCount == 2)
        try await geodesy.prepare(from: "EPSG:4490", to: "EPSG:4545")
        #expect(await geodesy.cachedTransformationCount == 3)
        try await geodesy.prepare(from: "EPSG:4490", to: "EPSG:4545")
        #expect(await geodesy.cachedTransformationCount == 3)

        // Failures are not cached.
        await #expect(throws: ProjError.self) { try await geodesy.transform(point, from: "EPSG:4490", to: "EPSG:999999") }
        #expect(await geodesy.cachedTransformationCount == 3)
    }

    @Test("Concurrent callers share one Geodesy safely", .geodesy)
    func concurrentCallers() async throws {
        let geodesy = try TestGeodesy.require()
        let expected = try await geodesy.transform(Self.countyGrid, from: "EPSG:4490", to: "EPSG:4524")
        let targets = ["EPSG:4524", "EPSG:4545", "EPSG:4524", Reference.countyProjString]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                let target = targets[task % targets.count]
                group.addTask {
                    let projected = try await geodesy.transform(Self.countyGrid, from: "EPSG:4490", to: target)
                    let back = try await geodesy.transform(projected, from: target, to: "EPSG:4490")
                    for (returned, original) in zip(back, Self.countyGrid) {
                        expectClose(returned, original, tolerance: 1e-9)
                    }
                    if target == "EPSG:4524" {
                        #expect(projected == expected)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await geodesy.cachedTransformationCount == 6)
    }
}

@Suite(.projDataAvailable)
struct DescribeTests {
    @Test("EPSG:4524", .geodesy)
    func projectedCode() async throws {
        let description = try await TestGeodesy.require().describe("EPSG:4524")
        #expect(
            description
                == CRSDescription(
                    definition: "EPSG:4524",
                    name: "CGCS2000 / 3-degree Gauss-Kruger zone 36",
                    isGeographic: false,
                    authorityCode: "EPSG:4524",
                    areaOfUse: GeoBox(west: 106.5, south: 18.19, east: 109.51, north: 42.47)
                )
        )
    }

    @Test("EPSG:4490", .geodesy)
    func geographicCode() async throws {
        let description = try await TestGeodesy.require().describe("EPSG:4490")
        #expect(description.name == "China Geodetic Coordinate System 2000")
        #expect(description.isGeographic)
        #expect(description.authorityCode == "EPSG:4490")
        #expect(description.areaOfUse == GeoBox(west: 73.62, south: 16.7, east: 134.77, north: 53.56))
    }

    @Test("PROJ strings", .geodesy)
    func projStrings() async throws {
        let geodesy = try TestGeodesy.require()
        let projected = try await geodesy.describe(Reference.countyProjString)
        #expect(projected.definition == Reference.countyProjString)
        #expect(!projected.isGeographic)
        #expect(projected.authorityCode == nil)
        #expect(projected.areaOfUse == nil)
        #expect(try await geodesy.describe("+proj=longlat +ellps=GRS80 +no_defs").isGeographic)
        #expect(try await geodesy.describe("+proj=longlat +ellps=GRS80 +towgs84=0,0,0").isGeographic)
    }

    @Test("WKT", .geodesy)
    func wkt() async throws {
        let description = try await TestGeodesy.require().describe(Reference.countyWKT)
        #expect(description.definition == Reference.countyWKT)
        #expect(description.name == "CGCS2000 / County local TM 108.25E")
        #expect(!description.isGeographic)
        #expect(description.authorityCode == nil)
        #expect(description.areaOfUse == GeoBox(west: 107.5, south: 29.5, east: 109, north: 30.8))
    }
}
