// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRegistry
import Testing

/// One bad input: edits to the `mini` register and the one problem it must produce.
struct BadInput: CustomTestStringConvertible, Sendable {
    var name: String
    var edits: [(file: String, find: String, replace: String)]
    /// The whole printed issue, or its start when `prefixOnly` (PROJ's own words follow).
    var expected: String
    var prefixOnly = false
    var contains: String? = nil
    /// Further lines the same fault must produce (a header with a misspelt required column names both).
    var also: [String] = []

    var testDescription: String { self.name }
}

@Suite("Bad register input is reported as file:line: field: reason")
struct RegistryErrorTests {
    static let cases: [BadInput] = [
        BadInput(
            name: "missing required field",
            edits: [("geohazard.csv", "G001,青岩村滑坡,", "G001,,")],
            expected: "geohazard.csv:2: name: required field is empty"
        ),
        BadInput(
            name: "bad number",
            edits: [("geohazard.csv", "812.5", "8l2.5")],
            expected: "geohazard.csv:2: elevation: '8l2.5' is not a number"
        ),
        BadInput(
            name: "NaN is not a number",
            edits: [("geohazard.csv", "812.5", "nan")],
            expected: "geohazard.csv:2: elevation: 'nan' is not a number"
        ),
        BadInput(
            name: "whole number expected",
            edits: [("geohazard.csv", ",12,41,", ",12.5,41,")],
            expected: "geohazard.csv:2: households: '12.5' is not a whole number"
        ),
        BadInput(
            name: "unknown CRS carries PROJ's words",
            edits: [("geohazard.csv", "EPSG:4524", "EPSG:999999")],
            expected: "geohazard.csv:3: crs: unknown CRS 'EPSG:999999': ",
            prefixOnly: true,
            contains: "not found"
        ),
        BadInput(
            name: "outside the county",
            edits: [("geohazard.csv", "108.123456,30.123456", "108.923456,30.123456")],
            expected: "geohazard.csv:2: lon: lon 108.923456 lat 30.123456 (EPSG:4490) lies at lon 108.923456 lat 30.123456, outside the county extent 107.6..108.6E, 29.6..30.6N"
        ),
        BadInput(
            name: "outside the CRS's area of use",
            edits: [("geohazard.csv", "3325672.8981,36519287.5947", "3325672.8981,36919287.5947")],
            expected: "geohazard.csv:3: y: ",
            prefixOnly: true,
            contains: "area of use"
        ),
        BadInput(
            name: "duplicate code",
            edits: [("geohazard.csv", "G003,", "G001,")],
            expected: "geohazard.csv:4: code: duplicate code G001; first at geohazard.csv:2"
        ),
        BadInput(
            name: "duplicate code across files",
            edits: [("flash_flood.csv", "F002,", "G002,")],
            expected: "geohazard.csv:3: code: duplicate code G002; first at flash_flood.csv:3"
        ),
        BadInput(
            name: "unknown village",
            edits: [("geohazard.csv", "青岩镇,500999001001,EPSG:4490,108.123456", "青岩镇,500999009009,EPSG:4490,108.123456")],
            expected: "geohazard.csv:2: village_code: unknown village 500999009009 (not in the villages file)"
        ),
        BadInput(
            name: "village code of the wrong shape",
            edits: [("geohazard.csv", "青岩镇,500999001001,EPSG:4490,108.123456", "青岩镇,5009990010,EPSG:4490,108.123456")],
            expected: "geohazard.csv:2: village_code: '5009990010' is not a 12-digit village code"
        ),
        BadInput(
            name: "township does not match the village",
            edits: [("geohazard.csv", "石门村崩塌,青岩镇", "石门村崩塌,龙潭乡")],
            expected: "geohazard.csv:3: township: '龙潭乡' but village 500999001002 (石门村) is in 青岩镇"
        ),
        BadInput(
            name: "survey Y without the zone prefix its CRS expects",
            edits: [("geohazard.csv", "36519287.5947", "519287.5947")],
            expected: "geohazard.csv:3: y: ",
            prefixOnly: true,
            contains: "prefix"
        ),
        BadInput(
            name: "survey X and Y swapped",
            edits: [("geohazard.csv", "3325672.8981,36519287.5947", "36519287.5947,3325672.8981")],
            expected: "geohazard.csv:3: y: ",
            prefixOnly: true,
            contains: "swap the two values"
        ),
        BadInput(
            name: "lon/lat written for a projected CRS",
            edits: [("geohazard.csv", "EPSG:4490,108.123456", "EPSG:4545,108.123456")],
            expected: "geohazard.csv:2: crs: EPSG:4545 is projected; write survey x (northing) and y (easting), not lon and lat"
        ),
        BadInput(
            name: "x/y written for a geographic CRS",
            edits: [("geohazard.csv", "EPSG:4524", "EPSG:4490")],
            expected: "geohazard.csv:3: crs: EPSG:4490 is geographic; write lon and lat, not x and y"
        ),
        BadInput(
            name: "no coordinates",
            edits: [("geohazard.csv", "108.123456,30.123456", ",")],
            expected: "geohazard.csv:2: lon: no coordinates: give lon and lat (geographic CRS) or x and y (projected CRS)"
        ),
        BadInput(
            name: "latitude without longitude",
            edits: [("geohazard.csv", "108.123456,30.123456", ",30.123456")],
            expected: "geohazard.csv:2: lon: required field is empty"
        ),
        BadInput(
            name: "unknown column",
            edits: [("geohazard.csv", "hazard_type,volume,stability", "hazard_type,volume,stabilty")],
            expected: "geohazard.csv:1: stabilty: unknown column (see sites/README.md for the columns of this file)"
        ),
        BadInput(
            name: "missing required column",
            edits: [("flash_flood.csv", ",河流,", ",河道,")],
            expected: "flash_flood.csv:1: 河道: unknown column (see sites/README.md for the columns of this file)",
            also: ["flash_flood.csv:1: river: required column is missing"]
        ),
        BadInput(
            name: "bad enumeration value",
            edits: [("geohazard.csv", ",滑坡,12.5", ",飞石,12.5")],
            expected: "geohazard.csv:2: hazard_type: '飞石' is not one of: collapse, debris_flow, landslide, subsidence, 地面塌陷, 崩塌, 泥石流, 滑坡"
        ),
        BadInput(
            name: "shelter without coordinates",
            edits: [("geohazard.csv", "青岩村村委会,108.13,30.125", "青岩村村委会,,30.125")],
            expected: "geohazard.csv:2: shelter_lon: required field is empty"
        ),
        BadInput(
            name: "row with more cells than the header",
            edits: [("geohazard.csv", "landslide,,", "landslide,,,extra")],
            expected: "geohazard.csv:4: row has 26 cells, the header has 25"
        ),
        BadInput(
            name: "row with fewer cells than the header",
            edits: [("geohazard.csv", "滑坡,12.5,欠稳定", "滑坡")],
            // G001 has four devices.csv rows; its row's fault is not repeated on each of them.
            expected: "geohazard.csv:2: row has 23 cells, the header has 25"
        ),
        BadInput(
            name: "row with more cells than the header, on a site with devices",
            edits: [("geohazard.csv", "滑坡,12.5,欠稳定", "滑坡,12.5,欠稳定,extra")],
            expected: "geohazard.csv:2: row has 26 cells, the header has 25"
        ),
        BadInput(
            name: "stray quote: text after a closing quote",
            edits: [("geohazard.csv", "至村委会\",", "至村委会\"x,")],
            expected: "geohazard.csv:2: stray quote in field 20: text follows its closing quote (inside a quoted field write a quote as \"\")"
        ),
        BadInput(
            name: "a closing quote missing: the field runs on to a later quote",
            edits: [("geohazard.csv", "至村委会\",", "至村委会,")],
            expected: "geohazard.csv:2: the quote opening field 20 is closed only on line 4, where text follows it; a closing quote is probably missing"
        ),
        BadInput(
            name: "a quote that is never closed",
            edits: [("devices.csv", "R001,T1,危岩倾角", "R001,T1,\"危岩倾角")],
            expected: "devices.csv:7: the quote opening field 3 is never closed"
        ),
        BadInput(
            name: "stray quote in a devices row is named at its line",
            edits: [("devices.csv", "10000003,SW-10 水位计", "10000003,\"SW-10\" 水位计")],
            expected: "devices.csv:6: stray quote in field 7: text follows its closing quote (inside a quoted field write a quote as \"\")"
        ),
        BadInput(
            name: "lon and lat swapped",
            edits: [("geohazard.csv", "108.123456,30.123456", "30.123456,108.123456")],
            expected: "geohazard.csv:2: lat: 108.123456 is outside -90...90 degrees; lon 30.123456 and lat 108.123456 look swapped: longitude goes in lon, latitude in lat; swap the two values"
        ),
        BadInput(
            name: "shelter lon and lat swapped",
            edits: [("geohazard.csv", "青岩村村委会,108.13,30.125", "青岩村村委会,30.125,108.13")],
            expected: "geohazard.csv:2: shelter_lat: 108.13 is outside -90...90 degrees; shelter_lon 30.125 and shelter_lat 108.13 look swapped: longitude goes in shelter_lon, latitude in shelter_lat; swap the two values"
        ),
        BadInput(
            name: "monitoring point lon and lat swapped",
            edits: [("devices.csv", "108.1235,30.1236", "30.1236,108.1235")],
            expected: "devices.csv:2: point_lat: 108.1235 is outside -90...90 degrees; point_lon 30.1236 and point_lat 108.1235 look swapped: longitude goes in point_lon, latitude in point_lat; swap the two values",
            also: ["devices.csv:3: point_lat: 108.1235 is outside -90...90 degrees; point_lon 30.1236 and point_lat 108.1235 look swapped: longitude goes in point_lon, latitude in point_lat; swap the two values"]
        ),
        BadInput(
            name: "Beijing 1954 without the county's parameters",
            edits: [("geohazard.csv", "500999001001,EPSG:4490,108.123456", "500999001001,EPSG:4214,108.123456")],
            expected: "geohazard.csv:2: crs: PROJ has no published transformation from EPSG:4214 (Beijing 1954) to CGCS2000 (EPSG:4490), only a ballpark one that can be tens to a hundred metres off; add the county surveyor's parameters for EPSG:4214 to county.yaml under datums: \"EPSG:4214\": towgs84: [dx, dy, dz, rx, ry, rz, ds] or pipeline: \"+proj=pipeline ...\" (see sites/README.md)"
        ),
        BadInput(
            name: "Xi'an 1980 Gauss-Krüger survey X/Y without the county's parameters",
            edits: [("geohazard.csv", "EPSG:4524", "EPSG:2360")],
            expected: "geohazard.csv:3: crs: PROJ has no published transformation from EPSG:2360 (Xian 1980) to CGCS2000 (EPSG:4490), only a ballpark one that can be tens to a hundred metres off; add the county surveyor's parameters for EPSG:4610 to county.yaml under datums: \"EPSG:4610\": towgs84: [dx, dy, dz, rx, ry, rz, ds] or pipeline: \"+proj=pipeline ...\" (see sites/README.md)"
        ),
        BadInput(
            name: "datums: six numbers instead of seven",
            edits: [("county.yaml", "", "datums:\n  \"EPSG:4214\":\n    towgs84: [1, 2, 3, 4, 5, 6]\n")],
            expected: "county.yaml:9: datums.EPSG:4214.towgs84: must be seven numbers [dx, dy, dz, rx, ry, rz, ds] (m, m, m, arc-seconds, arc-seconds, arc-seconds, ppm)"
        ),
        BadInput(
            name: "datums: unknown convention",
            edits: [("county.yaml", "", "datums:\n  \"EPSG:4214\":\n    towgs84: [1, 2, 3, 4, 5, 6, 7]\n    convention: bursa\n")],
            expected: "county.yaml:10: datums.EPSG:4214.convention: 'bursa' is not position_vector or coordinate_frame"
        ),
        BadInput(
            name: "datums: both towgs84 and pipeline",
            edits: [("county.yaml", "", "datums:\n  \"EPSG:4214\":\n    towgs84: [1, 2, 3, 4, 5, 6, 7]\n    pipeline: \"+proj=noop\"\n")],
            expected: "county.yaml:9: datums.EPSG:4214: give either towgs84 or pipeline"
        ),
        BadInput(
            name: "datums: unknown key",
            edits: [("county.yaml", "", "datums:\n  \"EPSG:4214\":\n    towgs84: [1, 2, 3, 4, 5, 6, 7]\n    tow: 1\n")],
            expected: "county.yaml:10: datums.EPSG:4214: unknown key 'tow' (known: convention, pipeline, towgs84)"
        ),
        BadInput(
            name: "datums: not a mapping",
            edits: [("county.yaml", "", "datums: [1, 2]\n")],
            expected: "county.yaml:7: datums: must map a CRS code to towgs84: [dx, dy, dz, rx, ry, rz, ds] or pipeline: \"+proj=pipeline ...\""
        ),
        BadInput(
            name: "datums: a pipeline PROJ rejects is county.yaml's fault, said once",
            edits: [
                ("county.yaml", "", "datums:\n  \"EPSG:4214\":\n    pipeline: \"+proj=pipeline +step +proj=nonsense\"\n"),
                ("geohazard.csv", "500999001001,EPSG:4490,108.123456", "500999001001,EPSG:4214,108.123456"),
                ("geohazard.csv", "500999001001,EPSG:4490,\"108°05'30.5", "500999001001,EPSG:4214,\"108°05'30.5"),
            ],
            expected: "county.yaml: datums.EPSG:4214: invalid coordinate operation \"+proj=pipeline +step +proj=nonsense\": ",
            prefixOnly: true
        ),
        BadInput(
            name: "device on an unknown site",
            edits: [("devices.csv", "F001,W1", "F009,W1")],
            expected: "devices.csv:6: site_code: no site has code 'F009'"
        ),
        BadInput(
            name: "unit that does not fit the kind",
            edits: [("devices.csv", "water_level,m,", "water_level,mm,")],
            expected: "devices.csv:6: unit: 'mm' does not fit kind water_level; use m"
        ),
        BadInput(
            name: "empty valid range",
            edits: [("devices.csv", "rain,mm,300,0,300", "rain,mm,300,300,0")],
            expected: "devices.csv:2: max: valid range 300.0...0.0 is empty: min must be below max"
        ),
        BadInput(
            name: "unknown sensor kind",
            edits: [("devices.csv", "L3_YL_1,rain,", "L3_YL_1,rainfall,")],
            expected: "devices.csv:2: kind: 'rainfall' is not one of: ",
            prefixOnly: true
        ),
        BadInput(
            name: "duplicate channel on a device",
            edits: [("devices.csv", "L1_GP_Y", "L1_GP_X")],
            expected: "devices.csv:5: channel: device 10000004 already has a channel L1_GP_X"
        ),
        BadInput(
            name: "device on two sites",
            edits: [("devices.csv", "10000003", "10000001")],
            expected: "devices.csv:6: device_id: device 10000001 is already on site G001 point P1 (devices.csv:2)"
        ),
        BadInput(
            name: "GeoJSON feature without a point",
            edits: [("dangerous_rock.geojson", "[107.9, 30.2]", "[107.9]")],
            expected: "dangerous_rock.geojson:feature 1: geometry: must be a Point with [longitude, latitude]"
        ),
        BadInput(
            name: "GeoJSON feature without a point, with devices, beside a good feature",
            edits: [
                ("dangerous_rock.geojson", "[107.9, 30.2]", "[107.9]"),
                ("dangerous_rock.geojson", "\"features\": [", """
                    "features": [
                        { "type": "Feature", "geometry": { "type": "Point", "coordinates": [107.91, 30.21] },
                          "properties": { "code": "R002", "name": "石门村二号危岩", "township": "青岩镇", "village_code": "500999001002" } },
                    """),
            ],
            // R001 has a device in devices.csv; its feature's fault is not repeated there.
            expected: "dangerous_rock.geojson:feature 2: geometry: must be a Point with [longitude, latitude]"
        ),
        BadInput(
            name: "GeoJSON unknown property",
            edits: [("dangerous_rock.geojson", "\"failure_mode\"", "\"failure\"")],
            expected: "dangerous_rock.geojson:feature 1: failure: unknown property (see sites/README.md)"
        ),
        BadInput(
            name: "geographic working CRS",
            edits: [("county.yaml", "working_crs: EPSG:4545", "working_crs: EPSG:4490")],
            expected: "county.yaml: working_crs: EPSG:4490 (China Geodetic Coordinate System 2000) is geographic; the working CRS must be metric, e.g. EPSG:4545"
        ),
        BadInput(
            name: "unknown county key",
            edits: [("county.yaml", "time_zone:", "timezone:")],
            expected: "county.yaml:5: timezone: unknown key (known: datums, extent, name, region_code, time_zone, working_crs)"
        ),
        BadInput(
            name: "bad county extent",
            edits: [("county.yaml", "[107.6, 29.6, 108.6, 30.6]", "[108.6, 29.6, 107.6, 30.6]")],
            expected: "county.yaml:6: extent: must be [west, south, east, north] in degrees with west < east and south < north"
        ),
        BadInput(
            name: "duplicate village",
            edits: [("villages.csv", "", "500999001002,石门二村,青岩镇\n")],
            expected: "villages.csv:5: code: duplicate village code 500999001002; first at villages.csv:3"
        ),
        BadInput(
            name: "village outside the county's region code",
            edits: [("villages.csv", "500999002001,", "500998002001,")],
            expected: "villages.csv:4: code: '500998002001' does not start with the county's region code 500999",
            // The sites still name 500999002001, which the file no longer has: a fault of their own.
            also: [
                "flash_flood.csv:2: village_code: unknown village 500999002001 (not in the villages file)",
                "flash_flood.csv:3: village_code: unknown village 500999002001 (not in the villages file)",
            ]
        ),
        BadInput(
            name: "sites of a rejected village are not reported again",
            edits: [("villages.csv", "500999002001,龙潭村,", "500999002001,,")],
            expected: "villages.csv:4: name: required field is empty"
        ),
        BadInput(
            name: "misnamed register file",
            edits: [("notes.csv", "", "a,b\n")],
            expected: "notes.csv: unknown register file; names start with villages, devices, geohazard, flash_flood or dangerous_rock"
        ),
    ]

    @Test("each bad input gives exactly its one problem", arguments: Self.cases)
    func badInput(_ bad: BadInput) async throws {
        let lines = try await withMiniRegister(edits: bad.edits) { try await issues(loading: $0) }
        // A cascade would be noise for the clerk: one bad cell, one line. (A swapped or out-of-area X/Y may
        // also fall outside the county; that is the same cell's fault and must not add a second line.)
        #expect(lines.count == 1 + bad.also.count, "got: \(lines)")
        #expect(Array(lines.dropFirst()) == bad.also)
        let line = try #require(lines.first)
        if bad.prefixOnly {
            #expect(line.hasPrefix(bad.expected), "got: \(line)")
        } else {
            #expect(line == bad.expected)
        }
        if let fragment = bad.contains {
            #expect(line.contains(fragment), "got: \(line)")
        }
    }

    @Test("every problem in a register is reported in one pass")
    func manyProblems() async throws {
        let lines = try await withMiniRegister(edits: [
            ("geohazard.csv", "812.5", "8l2.5"),
            ("flash_flood.csv", ",30,102,", ",30,many,"),
            ("devices.csv", "rain,mm", "rain,m"),
        ]) { try await issues(loading: $0) }
        #expect(lines == [
            "flash_flood.csv:2: people: 'many' is not a whole number",
            "geohazard.csv:2: elevation: '8l2.5' is not a number",
            "devices.csv:2: unit: 'm' does not fit kind rain; use mm",
        ])
    }

    @Test("a file that is neither UTF-8 nor GB18030 is named")
    func undecodable() async throws {
        let lines = try await withMiniRegister { folder in
            try Data([0x63, 0x6F, 0x64, 0x65, 0x0A, 0xFF, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: folder + "/geohazard.csv"))
            return try await issues(loading: folder)
        }
        #expect(lines == ["geohazard.csv: the file is neither UTF-8 nor GB18030 text"])
    }

    @Test("a missing folder and a folder without county.yaml")
    func missingPieces() async throws {
        #expect(try await issues(loading: "/nonexistent/register") == ["/nonexistent/register: no such folder"])
        let lines = try await withMiniRegister { folder in
            try FileManager.default.removeItem(atPath: folder + "/county.yaml")
            return try await issues(loading: folder)
        }
        #expect(lines.count == 1)
        #expect(lines.first?.hasSuffix(": county.yaml: the folder has no county.yaml") == true)
    }
}
