// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Testing

@testable import HazardMonGeo

/// Survey X (north) / Y (east) as written in a register, checked against the declared CRS.
@Suite(.projDataAvailable)
struct SurveyCoordinateTests {
    struct ValidCase: Sendable, CustomTestStringConvertible {
        let x: Double
        let y: Double
        let crs: String
        let lon: Double
        let lat: Double
        var testDescription: String { "X \(self.x) Y \(self.y) in \(self.crs)" }
    }

    /// X/Y are the northing/easting columns of the cs2cs tables in ReferenceTransformTests.swift.
    static let validRows: [ValidCase] = [
        .init(x: 3375558.7405, y: 36519199.8045, crs: "EPSG:4524", lon: 108.2, lat: 30.5),
        .init(x: 3375558.7405, y: 519199.8045, crs: "EPSG:4545", lon: 108.2, lat: 30.5),
        .init(x: 3320113.3978, y: 36500000.0000, crs: "EPSG:4524", lon: 108.0, lat: 30.0),
        .init(x: 3278598.1855, y: 18751908.8629, crs: "EPSG:4496", lon: 107.6, lat: 29.6),
        .init(x: 3278598.1855, y: 751908.8629, crs: "EPSG:4507", lon: 107.6, lat: 29.6),
        .init(x: 375542.7958, y: 495200.0533, crs: Reference.countyWKT, lon: 108.2, lat: 30.5),
    ]

    @Test("Valid survey coordinates transform to lon/lat", .geodesy, arguments: Self.validRows)
    func valid(_ row: ValidCase) async throws {
        let lonLat = try await TestGeodesy.require().transformSurvey(x: row.x, y: row.y, crs: row.crs, to: "EPSG:4490")
        expectClose(lonLat, Coordinate2D(lon: row.lon, lat: row.lat), tolerance: 1e-8)
        #expect(try Geodesy.surveyPoint(x: row.x, y: row.y, crs: row.crs) == Coordinate2D(x: row.y, y: row.x))
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let x: Double
        let y: Double
        let crs: String
        let error: SurveyCoordinateError
        let message: String
        var testDescription: String { "X \(self.x) Y \(self.y) in \(self.crs)" }
    }

    static let zone36 = GaussKruger.Zone(width: .three, number: 36, prefixed: true)
    static let cm108 = GaussKruger.Zone(width: .three, number: 36, prefixed: false)
    static let sixDegreeZone18 = GaussKruger.Zone(width: .six, number: 18, prefixed: true)

    static let invalidRows: [InvalidCase] = [
        .init(
            x: 3_375_558.7,
            y: 512_345.6,
            crs: "EPSG:4524",
            error: .missingZonePrefix(y: 512_345.6, crs: "EPSG:4524", zone: Self.zone36),
            message:
                "Y 512345.6 has no zone prefix but EPSG:4524 expects zone 36 (Y like 36512345.6); use EPSG:4545 for unprefixed values"
        ),
        .init(
            x: 3_375_558.7,
            y: 37_512_345.6,
            crs: "EPSG:4524",
            error: .wrongZonePrefix(y: 37_512_345.6, prefix: 37, crs: "EPSG:4524", zone: Self.zone36),
            message: "Y 37512345.6 carries zone prefix 37 but EPSG:4524 is zone 36; use EPSG:4525 for 3° zone 37 values"
        ),
        .init(
            x: 3_278_598.2,
            y: 36_751_908.9,
            crs: "EPSG:4496",
            error: .wrongZonePrefix(y: 36_751_908.9, prefix: 36, crs: "EPSG:4496", zone: Self.sixDegreeZone18),
            message: "Y 36751908.9 carries zone prefix 36 but EPSG:4496 is zone 18; use EPSG:4524 for 3° zone 36 values"
        ),
        .init(
            x: 3_375_558.7,
            y: 36_512_345.6,
            crs: "EPSG:4545",
            error: .unexpectedZonePrefix(y: 36_512_345.6, prefix: 36, crs: "EPSG:4545", zone: Self.cm108),
            message:
                "Y 36512345.6 carries zone prefix 36 but EPSG:4545 takes unprefixed values (Y like 512345.6); use EPSG:4524 for prefixed values"
        ),
        .init(
            x: 36_519_199.8045,
            y: 3_375_558.7405,
            crs: "EPSG:4524",
            error: .swappedAxes(x: 36_519_199.8045, y: 3_375_558.7405, crs: "EPSG:4524"),
            message:
                "X 36519199.8045 looks like an easting and Y 3375558.7405 like a northing in EPSG:4524: survey coordinates give X (north) first and Y (east) second; swap the two values"
        ),
        .init(
            x: 519_199.8045,
            y: 3_375_558.7405,
            crs: "EPSG:4545",
            error: .swappedAxes(x: 519_199.8045, y: 3_375_558.7405, crs: "EPSG:4545"),
            message:
                "X 519199.8045 looks like an easting and Y 3375558.7405 like a northing in EPSG:4545: survey coordinates give X (north) first and Y (east) second; swap the two values"
        ),
    ]

    @Test("Prefix mismatches and swapped columns are refused before PROJ", .geodesy, arguments: Self.invalidRows)
    func invalid(_ row: InvalidCase) async throws {
        #expect(throws: row.error) { try Geodesy.surveyPoint(x: row.x, y: row.y, crs: row.crs) }
        let geodesy = try TestGeodesy.require()
        await #expect(throws: row.error) {
            try await geodesy.transformSurvey(x: row.x, y: row.y, crs: row.crs, to: "EPSG:4490")
        }
        #expect(row.error.description == row.message)
        #expect(await geodesy.cachedTransformationCount == 0)
    }

    @Test("A geographic CRS cannot hold survey X/Y", .geodesy)
    func geographic() async throws {
        let geodesy = try TestGeodesy.require()
        await #expect(throws: SurveyCoordinateError.geographicCRS(crs: "EPSG:4490")) {
            try await geodesy.transformSurvey(x: 30.5, y: 108.2, crs: "EPSG:4490", to: "EPSG:4524")
        }
    }

    @Test("PROJ's errors come wrapped", .geodesy)
    func wrapped() async throws {
        let geodesy = try TestGeodesy.require()
        await #expect(
            throws: SurveyCoordinateError.projection(
                .invalidCRS(definition: "EPSG:999999", message: "proj_create: crs not found")
            )
        ) {
            try await geodesy.transformSurvey(x: 3_375_558.7, y: 519_199.8, crs: "EPSG:999999", to: "EPSG:4490")
        }
        // 111°E written in zone 36: the prefix is right, the point is not in the zone.
        let error = try await #require(throws: SurveyCoordinateError.self) {
            try await geodesy.transformSurvey(x: 3_323_905.4665, y: 36_789_525.4634, crs: "EPSG:4524", to: "EPSG:4490")
        }
        guard case .projection(.outsideAreaOfUse(let point, "EPSG:4524", _)) = error else {
            Issue.record("expected outsideAreaOfUse, got \(error)")
            return
        }
        #expect(point == Coordinate2D(x: 36_789_525.4634, y: 3_323_905.4665))
    }

    @Test("Metres are written plainly", arguments: [
        (512_345.6, "512345.6"), (36_512_345.6, "36512345.6"), (3_375_558.7405, "3375558.7405"),
        (36_500_000, "36500000"), (0.00004, "0"), (-0.5, "-0.5"), (-12.25, "-12.25"), (1.23456, "1.2346"),
    ])
    func format(_ value: Double, _ text: String) {
        #expect(SurveyCoordinateError.format(value) == text)
    }
}
