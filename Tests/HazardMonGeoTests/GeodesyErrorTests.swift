// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import Testing

@testable import HazardMonGeo

@Suite(.projDataAvailable)
struct GeodesyErrorTests {
    /// `proj_context_errno_string` says only "Unknown error (code 4096)" here; PROJ 9.1 logs
    /// "proj_create: crs not found" (seen with `proj_log_func`, and printed by `projinfo EPSG:999999`).
    @Test("Unknown EPSG code: invalidCRS with PROJ's logged words", .geodesy)
    func unknownEPSGCode() async throws {
        let geodesy = try TestGeodesy.require()
        let error = try await #require(throws: ProjError.self) { try await geodesy.describe("EPSG:999999") }
        guard case .invalidCRS(let definition, let message) = error else {
            Issue.record("expected invalidCRS, got \(error)")
            return
        }
        #expect(definition == "EPSG:999999")
        #expect(message == "proj_create: crs not found")
        #expect(!message.contains("Unknown error"))
        #expect(error.description == "invalid CRS \"EPSG:999999\": proj_create: crs not found")
    }

    @Test("Unknown EPSG code at either end names that end", .geodesy)
    func unknownCodeInTransform() async throws {
        let geodesy = try TestGeodesy.require()
        let point = Coordinate2D(lon: 108.2, lat: 30.5)
        await #expect(throws: ProjError.invalidCRS(definition: "EPSG:999999", message: "proj_create: crs not found")) {
            try await geodesy.transform(point, from: "EPSG:999999", to: "EPSG:4524")
        }
        await #expect(throws: ProjError.invalidCRS(definition: "EPSG:999999", message: "proj_create: crs not found")) {
            try await geodesy.transform([point], from: "EPSG:4490", to: "EPSG:999999")
        }
        await #expect(throws: ProjError.invalidCRS(definition: "EPSG:999999", message: "proj_create: crs not found")) {
            try await geodesy.transformEach([point], from: "EPSG:4490", to: "EPSG:999999")
        }
        #expect(await geodesy.cachedTransformationCount == 0)
    }

    struct GarbageCase: Sendable, CustomTestStringConvertible {
        let definition: String
        let logged: String
        var testDescription: String { self.definition }
    }

    /// The logged words, as PROJ 9.1.1 writes them (also shown by `projinfo '<definition>'`).
    static let garbage: [GarbageCase] = [
        .init(definition: "+proj=garbage +ellps=GRS80", logged: "Unknown projection"),
        .init(definition: "+proj=tmerc +ellps=nonsense", logged: "proj_create:"),
        .init(definition: "hello world", logged: "proj_create: unrecognized format / unknown name"),
        .init(definition: "PROJCS[\"broken\"", logged: "proj_create: missing , or ]"),
    ]

    @Test("Garbage definitions: invalidCRS with PROJ's words", .geodesy, arguments: Self.garbage)
    func garbageDefinition(_ row: GarbageCase) async throws {
        let geodesy = try TestGeodesy.require()
        let error = try await #require(throws: ProjError.self) {
            try await geodesy.transform(Coordinate2D(lon: 108, lat: 30), from: "EPSG:4490", to: row.definition)
        }
        guard case .invalidCRS(let definition, let message) = error else {
            Issue.record("expected invalidCRS, got \(error)")
            return
        }
        #expect(definition == row.definition)
        #expect(message.contains(row.logged), "PROJ said: \(message)")
    }

    @Test(
        "Definitions of things that are not CRSs",
        .geodesy,
        arguments: ["+proj=pipeline +step +proj=axisswap +order=2,1", "urn:ogc:def:coordinateOperation:EPSG::1671"]
    )
    func notACRS(_ definition: String) async throws {
        let geodesy = try TestGeodesy.require()
        let error = try await #require(throws: ProjError.self) { try await geodesy.describe(definition) }
        guard case .invalidCRS(definition, let message) = error else {
            Issue.record("expected invalidCRS for \(definition), got \(error)")
            return
        }
        #expect(message.contains("coordinate operation"))
    }

    @Test("Two valid CRSs PROJ cannot connect: noTransformation with PROJ's words", .geodesy)
    func noTransformation() async throws {
        let geodesy = try TestGeodesy.require()
        let mars = "+proj=longlat +a=3396190 +rf=169.894447"
        let error = try await #require(throws: ProjError.self) {
            try await geodesy.transform(Coordinate2D(lon: 10, lat: 10), from: mars, to: "EPSG:4490")
        }
        #expect(
            error
                == .noTransformation(
                    from: mars,
                    to: "EPSG:4490",
                    message: "proj_create_operations: Source and target ellipsoid do not belong to the same celestial body"
                )
        )
    }

    @Test("111°E given in EPSG:4524 (zone 36, 106.5-109.51°E) is outside its area of use", .geodesy)
    func projectedPointOutsideArea() async throws {
        let geodesy = try TestGeodesy.require()
        // cs2cs: echo "30 111" | cs2cs -f %.4f EPSG:4490 EPSG:4524 -> 3323905.4665 36789525.4634
        let at111 = Coordinate2D(x: 36_789_525.4634, y: 3_323_905.4665)
        let error = try await #require(throws: ProjError.self) {
            try await geodesy.transform(at111, from: "EPSG:4524", to: "EPSG:4490")
        }
        guard case .outsideAreaOfUse(let point, let crs, let area) = error else {
            Issue.record("expected outsideAreaOfUse, got \(error)")
            return
        }
        #expect(point == at111)
        #expect(crs == "EPSG:4524")
        #expect(area == GeoBox(west: 106.5, south: 18.19, east: 109.51, north: 42.47))

        // Without the check PROJ extrapolates the zone happily.
        let lonLat = try await geodesy.transform(at111, from: "EPSG:4524", to: "EPSG:4490", checkArea: false)
        expectClose(lonLat, Coordinate2D(lon: 111, lat: 30), tolerance: 1e-8)
    }

    @Test("The area of use is the SOURCE CRS's, without margin", .geodesy)
    func areaIsTheSourceCRSs() async throws {
        let geodesy = try TestGeodesy.require()
        // 111°E is inside EPSG:4490's area (73.62-134.77°E): projecting it to zone 36 is allowed.
        _ = try await geodesy.transform(Coordinate2D(lon: 111, lat: 30), from: "EPSG:4490", to: "EPSG:4524")
        // 140°E is not.
        await #expect(
            throws: ProjError.outsideAreaOfUse(
                point: Coordinate2D(lon: 140, lat: 30),
                crs: "EPSG:4490",
                area: GeoBox(west: 73.62, south: 16.7, east: 134.77, north: 53.56)
            )
        ) {
            try await geodesy.transform(Coordinate2D(lon: 140, lat: 30), from: "EPSG:4490", to: "EPSG:4524")
        }
        // The WKT's own BBOX is the county, 107.5-109°E: its western edge is inside, a metre further is not.
        let edge = try await geodesy.transform(
            Coordinate2D(lon: 107.5, lat: 30),
            from: "EPSG:4490",
            to: Reference.countyWKT
        )
        _ = try await geodesy.transform(edge, from: Reference.countyWKT, to: "EPSG:4490")
        let west = Coordinate2D(x: edge.x - 1, y: edge.y)
        await #expect(throws: ProjError.self) {
            try await geodesy.transform(west, from: Reference.countyWKT, to: "EPSG:4490")
        }
    }

    @Test("Areas across the antimeridian (EPSG:3832, 98.69°E to 68°W)", .geodesy)
    func antimeridianArea() async throws {
        let geodesy = try TestGeodesy.require()
        let description = try await geodesy.describe("EPSG:3832")
        let area = try #require(description.areaOfUse)
        #expect(area.west > area.east)
        for lon in [100.0, 179.9, -179.9, -70.0] {
            let projected = try await geodesy.transform(Coordinate2D(lon: lon, lat: 10), from: "EPSG:4326", to: "EPSG:3832")
            let back = try await geodesy.transform(projected, from: "EPSG:3832", to: "EPSG:4326")
            expectClose(back, Coordinate2D(lon: lon, lat: 10), tolerance: 1e-8)
        }
        for lon in [0.0, 90.0, -60.0] {
            let projected = try await geodesy.transform(Coordinate2D(lon: lon, lat: 10), from: "EPSG:4326", to: "EPSG:3832")
            await #expect(throws: ProjError.self, "\(lon)°E is outside EPSG:3832's area") {
                try await geodesy.transform(projected, from: "EPSG:3832", to: "EPSG:4326")
            }
        }
    }

    @Test("Box containment wraps longitudes and handles west > east")
    func boxContainment() {
        let china = GeoBox(west: 73.62, south: 16.7, east: 134.77, north: 53.56)
        #expect(AreaOfUseCheck.box(china, contains: Coordinate2D(lon: 108, lat: 30)))
        #expect(AreaOfUseCheck.box(china, contains: Coordinate2D(lon: 108 + 360, lat: 30)))
        #expect(AreaOfUseCheck.box(china, contains: Coordinate2D(lon: 108 - 720, lat: 30)))
        #expect(AreaOfUseCheck.box(china, contains: Coordinate2D(lon: 73.62, lat: 53.56)))
        #expect(!AreaOfUseCheck.box(china, contains: Coordinate2D(lon: 73.6199, lat: 30)))
        #expect(!AreaOfUseCheck.box(china, contains: Coordinate2D(lon: 108, lat: 53.57)))
        #expect(!AreaOfUseCheck.box(china, contains: Coordinate2D(lon: .nan, lat: 30)))
        #expect(!AreaOfUseCheck.box(china, contains: Coordinate2D(lon: 108, lat: .nan)))
        let pacific = GeoBox(west: 98.69, south: -60, east: -68, north: 66.67)
        #expect(AreaOfUseCheck.box(pacific, contains: Coordinate2D(lon: 180, lat: 0)))
        #expect(AreaOfUseCheck.box(pacific, contains: Coordinate2D(lon: -180, lat: 0)))
        #expect(AreaOfUseCheck.box(pacific, contains: Coordinate2D(lon: 190, lat: 0)))
        #expect(AreaOfUseCheck.box(pacific, contains: Coordinate2D(lon: -68, lat: 0)))
        #expect(!AreaOfUseCheck.box(pacific, contains: Coordinate2D(lon: 0, lat: 0)))
        #expect(!AreaOfUseCheck.box(pacific, contains: Coordinate2D(lon: -67.9, lat: 0)))
    }

    @Test("PROJ failures: transformFailed with PROJ's words", .geodesy)
    func transformFailed() async throws {
        let geodesy = try TestGeodesy.require()
        let bad = Coordinate2D(lon: 108, lat: 95)
        await #expect(
            throws: ProjError.transformFailed(
                point: bad,
                from: "EPSG:4490",
                to: "EPSG:4524",
                message: "tmerc: Invalid latitude"
            )
        ) {
            try await geodesy.transform(bad, from: "EPSG:4490", to: "EPSG:4524", checkArea: false)
        }
        let notFinite = Coordinate2D(lon: .nan, lat: 30)
        let error = try await #require(throws: ProjError.self) {
            try await geodesy.transform(Coordinate2D(x: .infinity, y: 0), from: "EPSG:4524", to: "EPSG:4490")
        }
        #expect(error == .transformFailed(point: Coordinate2D(x: .infinity, y: 0), from: "EPSG:4524", to: "EPSG:4490", message: "coordinate is not finite"))
        await #expect(throws: ProjError.self) {
            try await geodesy.transform(notFinite, from: "EPSG:4490", to: "EPSG:4524", checkArea: false)
        }
    }

    @Test("transformEach reports every bad point and transforms the rest", .geodesy)
    func transformEachMixed() async throws {
        let geodesy = try TestGeodesy.require()
        let at111 = Coordinate2D(x: 36_789_525.4634, y: 3_323_905.4665)
        let points = [
            Reference.zone36ToCGCS2000[0].grid,
            at111,
            Reference.zone36ToCGCS2000[1].grid,
            Coordinate2D(x: .nan, y: 3_300_000),
            Coordinate2D(x: 1e12, y: 3e6),
            Reference.zone36ToCGCS2000[2].grid,
        ]
        let results = try await geodesy.transformEach(points, from: "EPSG:4524", to: "EPSG:4490")
        try #require(results.count == points.count)
        let area = GeoBox(west: 106.5, south: 18.19, east: 109.51, north: 42.47)
        for (index, row) in [(0, 0), (2, 1), (5, 2)] {
            let value = try results[index].get()
            expectClose(value, Reference.zone36ToCGCS2000[row].lonLat, tolerance: 1e-8)
        }
        #expect(throws: ProjError.outsideAreaOfUse(point: at111, crs: "EPSG:4524", area: area)) { try results[1].get() }
        #expect(throws: ProjError.self) { try results[3].get() }
        // A point PROJ cannot inverse-project has no position inside the area.
        #expect(throws: ProjError.outsideAreaOfUse(point: points[4], crs: "EPSG:4524", area: area)) { try results[4].get() }

        // Without the area check, 111°E transforms and the hopeless point fails in PROJ's words.
        let unchecked = try await geodesy.transformEach(points, from: "EPSG:4524", to: "EPSG:4490", checkArea: false)
        expectClose(try unchecked[1].get(), Coordinate2D(lon: 111, lat: 30), tolerance: 1e-8)
        guard case .failure(.transformFailed(let point, _, _, let message)) = unchecked[4] else {
            Issue.record("expected transformFailed, got \(unchecked[4])")
            return
        }
        #expect(point == points[4])
        #expect(!message.isEmpty)
    }

    @Test("A missing proj.db gives contextUnavailable with PROJ's words")
    func missingDatabase() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-no-proj-\(UUID())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        do {
            let geodesy = try Geodesy(searchPaths: [empty.path])
            await geodesy.close()
            Issue.record("a Geodesy without proj.db was created")
        } catch {
            guard case .contextUnavailable(let message) = error else {
                Issue.record("expected contextUnavailable, got \(error)")
                return
            }
            // PROJ 9.1 logs "proj_context_get_database_path: Cannot find proj.db".
            #expect(message.contains("Cannot find proj.db"), "PROJ said: \(message)")
        }
    }

    @Test("A closed Geodesy refuses work")
    func closed() async throws {
        let geodesy = try Geodesy()
        // No `try` before close(): a Geodesy dropped unclosed trips the assertion in its deinit.
        do {
            _ = try await geodesy.transform(Coordinate2D(lon: 108, lat: 30), from: "EPSG:4490", to: "EPSG:4524")
        } catch {
            Issue.record(error)
        }
        #expect(await geodesy.cachedTransformationCount == 1)
        await geodesy.close()
        await geodesy.close()  // idempotent
        #expect(await geodesy.cachedTransformationCount == 0)
        await #expect(throws: ProjError.contextUnavailable(message: "this Geodesy was closed")) {
            try await geodesy.transform(Coordinate2D(lon: 108, lat: 30), from: "EPSG:4490", to: "EPSG:4524")
        }
        await #expect(throws: ProjError.contextUnavailable(message: "this Geodesy was closed")) {
            try await geodesy.describe("EPSG:4490")
        }
    }
}
