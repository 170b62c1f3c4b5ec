// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Testing

@testable import HazardMonGeo

// Reference values come from cs2cs (PROJ 9.1.1, proj-data of Debian 12), never from our own code.
// cs2cs uses each CRS's authority axis order: for EPSG:4490/4326 it reads and writes "lat lon", for the
// CGCS2000 Gauss-Krüger codes (and the WKT below, whose axes are declared northing first) it writes
// "northing easting". PROJ-string CRSs are always lon/lat and easting/northing. The rows below keep
// cs2cs's columns, with labels; the tests build Coordinate2D in HazardMon's order (x = lon/easting).
// Tolerances: 1e-3 m for projected results, 1e-8 degrees (about 1 mm) for geographic ones.

/// One row of cs2cs output from a geographic CRS to a grid: lat, lon in; northing, easting out.
struct GeographicToGrid: Sendable, CustomTestStringConvertible {
    let lat: Double
    let lon: Double
    let northing: Double
    let easting: Double

    var lonLat: Coordinate2D { Coordinate2D(lon: self.lon, lat: self.lat) }
    var grid: Coordinate2D { Coordinate2D(x: self.easting, y: self.northing) }
    var testDescription: String { "\(self.lat)N \(self.lon)E" }
}

/// One row of cs2cs output from a grid to a geographic CRS: northing, easting in; lat, lon out.
struct GridToGeographic: Sendable, CustomTestStringConvertible {
    let northing: Double
    let easting: Double
    let lat: Double
    let lon: Double

    var grid: Coordinate2D { Coordinate2D(x: self.easting, y: self.northing) }
    var lonLat: Coordinate2D { Coordinate2D(lon: self.lon, lat: self.lat) }
    var testDescription: String { "N \(self.northing) E \(self.easting)" }
}

/// One row of cs2cs output between two geographic CRSs: lat, lon in and out.
struct GeographicToGeographic: Sendable, CustomTestStringConvertible {
    let lat: Double
    let lon: Double
    let outLat: Double
    let outLon: Double

    var testDescription: String { "\(self.lat)N \(self.lon)E" }
}

enum Reference {
    /// Points of the sample county (107.5-109°E, 29.5-30.8°N). Input to the commands below, one per line:
    /// `P='30.5 108.2\n29.6 107.6\n30.75 108.95\n30.0 108.0\n29.5432 107.5123\n30.1234 108.7777'`

    /// `printf "$P\n" | cs2cs -f %.4f EPSG:4490 EPSG:4524` (3° zone 36, prefixed easting)
    static let cgcs2000ToZone36: [GeographicToGrid] = [
        .init(lat: 30.5, lon: 108.2, northing: 3375558.7405, easting: 36519199.8045),
        .init(lat: 29.6, lon: 107.6, northing: 3275840.5756, easting: 36461251.4880),
        .init(lat: 30.75, lon: 108.95, northing: 3403643.1043, easting: 36590966.8853),
        .init(lat: 30.0, lon: 108.0, northing: 3320113.3978, easting: 36500000.0000),
        .init(lat: 29.5432, lon: 107.5123, northing: 3269576.9559, easting: 36452729.3313),
        .init(lat: 30.1234, lon: 108.7777, northing: 3334047.9925, easting: 36574945.5202),
    ]

    /// `printf "$P\n" | cs2cs -f %.4f EPSG:4490 EPSG:4545` (3° CM 108E, unprefixed)
    static let cgcs2000ToCM108: [GeographicToGrid] = [
        .init(lat: 30.5, lon: 108.2, northing: 3375558.7405, easting: 519199.8045),
        .init(lat: 29.6, lon: 107.6, northing: 3275840.5756, easting: 461251.4880),
        .init(lat: 30.75, lon: 108.95, northing: 3403643.1043, easting: 590966.8853),
        .init(lat: 30.0, lon: 108.0, northing: 3320113.3978, easting: 500000.0000),
        .init(lat: 29.5432, lon: 107.5123, northing: 3269576.9559, easting: 452729.3313),
        .init(lat: 30.1234, lon: 108.7777, northing: 3334047.9925, easting: 574945.5202),
    ]

    /// `printf "$P\n" | cs2cs -f %.10f EPSG:4326 EPSG:4490` (PROJ uses a null transformation here)
    static let wgs84ToCGCS2000: [GeographicToGeographic] = [
        .init(lat: 30.5, lon: 108.2, outLat: 30.5000000000, outLon: 108.2000000000),
        .init(lat: 29.6, lon: 107.6, outLat: 29.6000000000, outLon: 107.6000000000),
        .init(lat: 30.75, lon: 108.95, outLat: 30.7500000000, outLon: 108.9500000000),
        .init(lat: 30.0, lon: 108.0, outLat: 30.0000000000, outLon: 108.0000000000),
        .init(lat: 29.5432, lon: 107.5123, outLat: 29.5432000000, outLon: 107.5123000000),
        .init(lat: 30.1234, lon: 108.7777, outLat: 30.1234000000, outLon: 108.7777000000),
    ]

    /// 6° zone 18 covers 102-108°E, so these points stay west of 108°E. Input one per line:
    /// `Z='29.6 107.6\n30.7 107.9\n29.5432 107.5123\n30.0 105.0\n29.1 106.3'`
    /// `printf "$Z\n" | cs2cs -f %.4f EPSG:4490 EPSG:4496` (6° zone 18, prefixed easting)
    static let cgcs2000ToSixDegreeZone18: [GeographicToGrid] = [
        .init(lat: 29.6, lon: 107.6, northing: 3278598.1855, easting: 18751908.8629),
        .init(lat: 30.7, lon: 107.9, northing: 3401306.5481, easting: 18777882.8274),
        .init(lat: 29.5432, lon: 107.5123, northing: 3272111.6144, easting: 18743545.3238),
        .init(lat: 30.0, lon: 105.0, northing: 3320113.3978, easting: 18500000.0000),
        .init(lat: 29.1, lon: 106.3, northing: 3221051.2970, easting: 18626554.2330),
    ]

    /// `printf "$Z\n" | cs2cs -f %.4f EPSG:4490 EPSG:4507` (6° CM 105E, unprefixed)
    static let cgcs2000ToSixDegreeCM105: [GeographicToGrid] = [
        .init(lat: 29.6, lon: 107.6, northing: 3278598.1855, easting: 751908.8629),
        .init(lat: 30.7, lon: 107.9, northing: 3401306.5481, easting: 777882.8274),
        .init(lat: 29.5432, lon: 107.5123, northing: 3272111.6144, easting: 743545.3238),
        .init(lat: 30.0, lon: 105.0, northing: 3320113.3978, easting: 500000.0000),
        .init(lat: 29.1, lon: 106.3, northing: 3221051.2970, easting: 626554.2330),
    ]

    /// `printf '3375558.7405 36519199.8045\n3300000 36400000\n3400000 36600000\n3250000.123 36480000.456\n'
    ///   | cs2cs -f %.10f EPSG:4524 EPSG:4490`
    static let zone36ToCGCS2000: [GridToGeographic] = [
        .init(northing: 3375558.7405, easting: 36519199.8045, lat: 30.5000000000, lon: 108.1999999999),
        .init(northing: 3300000, easting: 36400000, lat: 29.8145051481, lon: 106.9655303520),
        .init(northing: 3400000, easting: 36600000, lat: 30.7164197317, lon: 109.0439692052),
        .init(northing: 3250000.123, easting: 36480000.456, lat: 29.3673187352, lon: 107.7940156310),
    ]

    /// A county's local transverse Mercator as a PROJ string, deliberately without `+type=crs`.
    static let countyProjString = "+proj=tmerc +lat_0=0 +lon_0=108.25 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"

    /// cs2cs reads positional `+` arguments as the old PROJ.4 syntax, so this one is lon lat in, easting
    /// northing out: `printf '108.2 30.5\n107.6 29.6\n108.95 30.75\n108.0 30.0\n107.5123 29.5432\n108.7777 30.1234\n'
    ///   | cs2cs -f %.4f +proj=longlat +ellps=GRS80 +no_defs +to +proj=tmerc +lat_0=0 +lon_0=108.25 +k=1
    ///     +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs`
    /// (`projinfo -s EPSG:4490 -t '<same> +type=crs'` shows the same pipeline from EPSG:4490: a ballpark
    /// identity between the GRS80-based datums, then tmerc.) Rows relabelled to lat/lon, northing/easting.
    static let cgcs2000ToCountyProjString: [GeographicToGrid] = [
        .init(lat: 30.5, lon: 108.2, northing: 3375542.7958, easting: 495200.0533),
        .init(lat: 29.6, lon: 107.6, northing: 3275950.1903, easting: 437033.2351),
        .init(lat: 30.75, lon: 108.95, northing: 3403466.8481, easting: 567027.5564),
        .init(lat: 30.0, lon: 108.0, northing: 3320139.7105, easting: 475878.3914),
        .init(lat: 29.5432, lon: 107.5123, northing: 3269704.7319, easting: 428497.3283),
        .init(lat: 30.1234, lon: 108.7777, northing: 3333910.2468, easting: 550853.0582),
    ]

    /// The same county CRS as WKT2 on the CGCS2000 datum, with false northing -3 000 000, axes declared
    /// northing first, and the county as its area of use.
    static let countyWKT = """
        PROJCRS["CGCS2000 / County local TM 108.25E",BASEGEOGCRS["China Geodetic Coordinate System 2000",\
        DATUM["China 2000",ELLIPSOID["CGCS2000",6378137,298.257222101,LENGTHUNIT["metre",1]]],\
        PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4490]],\
        CONVERSION["County TM 108.25E",METHOD["Transverse Mercator",ID["EPSG",9807]],\
        PARAMETER["Latitude of natural origin",0,ANGLEUNIT["degree",0.0174532925199433]],\
        PARAMETER["Longitude of natural origin",108.25,ANGLEUNIT["degree",0.0174532925199433]],\
        PARAMETER["Scale factor at natural origin",1,SCALEUNIT["unity",1]],\
        PARAMETER["False easting",500000,LENGTHUNIT["metre",1]],\
        PARAMETER["False northing",-3000000,LENGTHUNIT["metre",1]]],\
        CS[Cartesian,2],AXIS["northing (X)",north,ORDER[1],LENGTHUNIT["metre",1]],\
        AXIS["easting (Y)",east,ORDER[2],LENGTHUNIT["metre",1]],\
        USAGE[SCOPE["County survey."],BBOX[29.5,107.5,30.8,109]]]
        """

    /// `printf "$P\n" | cs2cs -f %.4f EPSG:4490 "$(cat county.wkt)"`, county.wkt holding ``countyWKT``.
    static let cgcs2000ToCountyWKT: [GeographicToGrid] = [
        .init(lat: 30.5, lon: 108.2, northing: 375542.7958, easting: 495200.0533),
        .init(lat: 29.6, lon: 107.6, northing: 275950.1903, easting: 437033.2351),
        .init(lat: 30.75, lon: 108.95, northing: 403466.8481, easting: 567027.5564),
        .init(lat: 30.0, lon: 108.0, northing: 320139.7105, easting: 475878.3914),
        .init(lat: 29.5432, lon: 107.5123, northing: 269704.7319, easting: 428497.3283),
        .init(lat: 30.1234, lon: 108.7777, northing: 333910.2468, easting: 550853.0582),
    ]

    /// `echo '375542.7958 495200.0533' | cs2cs -f %.10f "$(cat county.wkt)" EPSG:4490`
    static let countyWKTToCGCS2000: [GridToGeographic] = [
        .init(northing: 375542.7958, easting: 495200.0533, lat: 30.4999999997, lon: 108.1999999996)
    ]
}

@Suite(.projDataAvailable)
struct ReferenceTransformTests {
    static let projectedTolerance = 1e-3
    static let geographicTolerance = 1e-8

    @Test("EPSG:4490 -> EPSG:4524, 3° zone 36 with prefix", .geodesy, arguments: Reference.cgcs2000ToZone36)
    func toZone36(_ row: GeographicToGrid) async throws {
        let result = try await TestGeodesy.require().transform(row.lonLat, from: "EPSG:4490", to: "EPSG:4524")
        expectClose(result, row.grid, tolerance: Self.projectedTolerance)
    }

    @Test("EPSG:4490 -> EPSG:4545, 3° CM 108E without prefix", .geodesy, arguments: Reference.cgcs2000ToCM108)
    func toCM108(_ row: GeographicToGrid) async throws {
        let result = try await TestGeodesy.require().transform(row.lonLat, from: "EPSG:4490", to: "EPSG:4545")
        expectClose(result, row.grid, tolerance: Self.projectedTolerance)
    }

    @Test("EPSG:4326 -> EPSG:4490", .geodesy, arguments: Reference.wgs84ToCGCS2000)
    func wgs84ToCGCS2000(_ row: GeographicToGeographic) async throws {
        let result = try await TestGeodesy.require().transform(
            Coordinate2D(lon: row.lon, lat: row.lat),
            from: "EPSG:4326",
            to: "EPSG:4490"
        )
        expectClose(result, Coordinate2D(lon: row.outLon, lat: row.outLat), tolerance: Self.geographicTolerance)
    }

    @Test("EPSG:4490 -> EPSG:4496, 6° zone 18 with prefix", .geodesy, arguments: Reference.cgcs2000ToSixDegreeZone18)
    func toSixDegreeZone18(_ row: GeographicToGrid) async throws {
        let result = try await TestGeodesy.require().transform(row.lonLat, from: "EPSG:4490", to: "EPSG:4496")
        expectClose(result, row.grid, tolerance: Self.projectedTolerance)
    }

    @Test("EPSG:4490 -> EPSG:4507, 6° CM 105E without prefix", .geodesy, arguments: Reference.cgcs2000ToSixDegreeCM105)
    func toSixDegreeCM105(_ row: GeographicToGrid) async throws {
        let result = try await TestGeodesy.require().transform(row.lonLat, from: "EPSG:4490", to: "EPSG:4507")
        expectClose(result, row.grid, tolerance: Self.projectedTolerance)
    }

    @Test("EPSG:4524 -> EPSG:4490, inverse", .geodesy, arguments: Reference.zone36ToCGCS2000)
    func zone36ToCGCS2000(_ row: GridToGeographic) async throws {
        let result = try await TestGeodesy.require().transform(row.grid, from: "EPSG:4524", to: "EPSG:4490")
        expectClose(result, row.lonLat, tolerance: Self.geographicTolerance)
    }

    @Test(
        "EPSG:4490 -> PROJ string without +type=crs",
        .geodesy,
        arguments: Reference.cgcs2000ToCountyProjString
    )
    func toProjString(_ row: GeographicToGrid) async throws {
        let geodesy = try TestGeodesy.require()
        let result = try await geodesy.transform(row.lonLat, from: "EPSG:4490", to: Reference.countyProjString)
        expectClose(result, row.grid, tolerance: Self.projectedTolerance)
        // The exact cs2cs source, a PROJ-string geographic CRS, gives the same.
        let fromProjString = try await geodesy.transform(
            row.lonLat,
            from: "+proj=longlat +ellps=GRS80 +no_defs",
            to: Reference.countyProjString
        )
        expectClose(fromProjString, row.grid, tolerance: Self.projectedTolerance)
    }

    @Test("A PROJ string with and without +type=crs is the same CRS", .geodesy)
    func projStringTypeCRSIsOptional() async throws {
        let geodesy = try TestGeodesy.require()
        let points = Reference.cgcs2000ToCountyProjString.map(\.lonLat)
        let without = try await geodesy.transform(points, from: "EPSG:4490", to: Reference.countyProjString)
        let with = try await geodesy.transform(
            points,
            from: "EPSG:4490",
            to: Reference.countyProjString + " +type=crs"
        )
        #expect(without == with)
        #expect(Geodesy.projDefinition(Reference.countyProjString) == Reference.countyProjString + " +type=crs")
        #expect(Geodesy.projDefinition("EPSG:4524") == "EPSG:4524")
        #expect(Geodesy.projDefinition("+proj=longlat +type=crs") == "+proj=longlat +type=crs")
    }

    @Test("EPSG:4490 -> WKT with northing-first axes", .geodesy, arguments: Reference.cgcs2000ToCountyWKT)
    func toWKT(_ row: GeographicToGrid) async throws {
        let result = try await TestGeodesy.require().transform(row.lonLat, from: "EPSG:4490", to: Reference.countyWKT)
        // Normalised: x is the easting although the WKT declares the northing first.
        expectClose(result, row.grid, tolerance: Self.projectedTolerance)
    }

    @Test("WKT -> EPSG:4490, inverse", .geodesy, arguments: Reference.countyWKTToCGCS2000)
    func fromWKT(_ row: GridToGeographic) async throws {
        let result = try await TestGeodesy.require().transform(row.grid, from: Reference.countyWKT, to: "EPSG:4490")
        expectClose(result, row.lonLat, tolerance: Self.geographicTolerance)
    }

    @Test("The same point in EPSG:4524 and EPSG:4545 differs by exactly 36 000 000 m of easting", .geodesy)
    func prefixedAndUnprefixedDifferByTheZonePrefix() async throws {
        let geodesy = try TestGeodesy.require()
        let points = Reference.cgcs2000ToZone36.map(\.lonLat)
        let prefixed = try await geodesy.transform(points, from: "EPSG:4490", to: "EPSG:4524")
        let unprefixed = try await geodesy.transform(points, from: "EPSG:4490", to: "EPSG:4545")
        for (withPrefix, withoutPrefix) in zip(prefixed, unprefixed) {
            // One ulp of 3.6e7 is 7.5e-9 m; allow a few.
            #expect(abs(withPrefix.x - withoutPrefix.x - 36_000_000) < 1e-7)
            #expect(withPrefix.y == withoutPrefix.y)
            #expect(GaussKruger.stripPrefix(withPrefix.x)?.zone == 36)
        }
    }

    @Test("Forward then inverse returns the point", .geodesy, arguments: ["EPSG:4524", "EPSG:4545", Reference.countyWKT])
    func roundTrip(_ crs: String) async throws {
        let geodesy = try TestGeodesy.require()
        let points = Reference.cgcs2000ToZone36.map(\.lonLat)
        let projected = try await geodesy.transform(points, from: "EPSG:4490", to: crs)
        let back = try await geodesy.transform(projected, from: crs, to: "EPSG:4490")
        for (original, returned) in zip(points, back) {
            expectClose(returned, original, tolerance: 1e-9)
        }
    }
}
