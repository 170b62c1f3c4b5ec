// SPDX-License-Identifier: Apache-2.0
import CSV
import Foundation
import HazardMonCore
import HazardMonGeo
import HazardMonRegistry
import HazardMonStore
import Testing

/// Loads a register folder and stores it, as `hazardmon sites import` does.
func importRegister(_ folder: String, into store: Store) async throws -> RegistryDiff {
    let registry = try await RegistryLoader.load(directory: folder)
    return try await store.replaceRegistry(registry)
}

/// A store in a fresh temporary folder, closed and removed afterwards.
func withScratchStore<T>(_ body: (Store) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await withStore(StorageConfiguration(path: folder.appendingPathComponent("test.sqlite").path), body)
}

/// The repository's own `sites/` folder: the bundled sample county.
let sampleCountyFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("sites").path

@Suite("Importing registers into the store")
struct RegistryImportTests {
    @Test("re-importing the same register changes nothing")
    func idempotent() async throws {
        try await withScratchStore { store in
            let first = try await withMiniRegister { try await importRegister($0, into: store) }
            #expect(first == RegistryDiff(added: ["F001", "F002", "G001", "G002", "G003", "R001"]))
            let stored = try await store.registry()
            let second = try await withMiniRegister { try await importRegister($0, into: store) }
            #expect(second == RegistryDiff(unchanged: 6))
            #expect(second.isEmpty)
            #expect(try await store.registry() == stored)
        }
    }

    @Test("a re-import reports exactly what was added, changed and removed")
    func diff() async throws {
        try await withScratchStore { store in
            _ = try await withMiniRegister { try await importRegister($0, into: store) }
            let channelsBefore = try await store.channels()
            let diff = try await withMiniRegister(edits: [
                ("geohazard.csv", ",12,41,", ",12,45,"),
                ("geohazard.csv", "G003,青岩村后山滑坡,", "G004,青岩村后山滑坡,"),
            ]) { try await importRegister($0, into: store) }
            #expect(diff == RegistryDiff(added: ["G004"], changed: ["G001"], removed: ["G003"], unchanged: 4))
            #expect(try await store.site(code: "G001")?.threatenedPeople == 45)
            #expect(try await store.site(code: "G003") == nil)
            // Channel ids do not move when sites around them change.
            #expect(try await store.channels() == channelsBefore)
        }
    }

    @Test("a register with a bad row leaves the stored register as it was")
    func allOrNothing() async throws {
        try await withScratchStore { store in
            _ = try await withMiniRegister { try await importRegister($0, into: store) }
            let before = try await store.registry()
            await #expect(throws: RegistryError.self) {
                try await withMiniRegister(edits: [
                    ("geohazard.csv", ",12,41,", ",12,45,"),
                    ("devices.csv", "rain,mm", "rain,m"),
                ]) { try await importRegister($0, into: store) }
            }
            #expect(try await store.registry() == before)
            #expect(try await store.site(code: "G001")?.threatenedPeople == 41)
        }
    }

    @Test("the bundled sample county imports cleanly with the promised shape")
    func sampleCounty() async throws {
        let registry = try await RegistryLoader.load(directory: sampleCountyFolder)
        let kinds = Dictionary(grouping: registry.sites, by: \.kind).mapValues(\.count)
        #expect(kinds == [.geohazard: 60, .flashFlood: 40, .dangerousRock: 20])
        #expect(registry.villages.count >= 50)
        #expect((8...10).contains(Set(registry.villages.map(\.township)).count))
        let survey = registry.sites.filter { if case .surveyXY(_, _, "EPSG:4524") = $0.given { true } else { false } }
        let lonLat = registry.sites.filter { $0.given.crs == "EPSG:4490" }
        #expect(survey.count >= 20, "some sites are written as zone-36 survey X/Y")
        #expect(lonLat.count >= 20, "some sites are written as CGCS2000 lon/lat")
        for site in registry.sites {
            #expect(registry.county.extent.contains(site.lonLat), "\(site.code)")
            // Working CRS EPSG:4545 is CM 108°E without prefix: eastings stay within a county's width of 500 km.
            #expect(abs(site.metric.x - 500_000) < 60_000, "\(site.code) east \(site.metric.x)")
        }
        // A survey site's prefixed Y is its working-CRS easting plus 36 000 000 m (same zone, same ellipsoid).
        for site in survey {
            guard case .surveyXY(let x, let y, _) = site.given else { continue }
            #expect(abs(y - 36_000_000 - site.metric.x) < 1e-3, "\(site.code)")
            #expect(abs(x - site.metric.y) < 1e-3, "\(site.code)")
        }
    }

    @Test("GeoJSON export: one point feature per site at its CGCS2000 lon/lat")
    func geoJSONExport() async throws {
        let registry = try await withMiniRegister { folder in
            try await RegistryLoader.load(directory: folder)
        }
        let data = try SiteExport.geoJSON(registry.sites, county: registry.county, villages: registry.villages)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["type"] as? String == "FeatureCollection")
        let features = try #require(object["features"] as? [[String: Any]])
        #expect(features.count == 6)
        let g002 = try #require(features.first { $0["id"] as? String == "G002" })
        let geometry = try #require(g002["geometry"] as? [String: Any])
        #expect(geometry["type"] as? String == "Point")
        let coordinates = try #require(geometry["coordinates"] as? [Double])
        #expect(abs(coordinates[0] - 108.2) < 1e-7 && abs(coordinates[1] - 30.05) < 1e-7)
        let properties = try #require(g002["properties"] as? [String: Any])
        #expect(properties["name"] as? String == "石门村崩塌")
        #expect(properties["village"] as? String == "石门村")
        #expect(properties["given_crs"] as? String == "EPSG:4524")
        #expect(abs((properties["east"] as? Double ?? 0) - 519_287.595) < 1e-3)
        #expect(properties["hazard_type"] as? String == "collapse")
    }

    @Test("CSV export: a header and one row per site that a CSV reader reads back")
    func csvExport() async throws {
        let registry = try await withMiniRegister { folder in
            try await RegistryLoader.load(directory: folder)
        }
        let data = try SiteExport.csv(registry.sites, county: registry.county, villages: registry.villages, encoding: .utf8)
        let reader = try CSVReader(string: try #require(String(data: data, encoding: .utf8)), hasHeaderRow: true)
        var rows: [String: [String: String]] = [:]
        while reader.next() != nil {
            let code = try #require(reader["code"])
            rows[code] = Dictionary(uniqueKeysWithValues: (reader.headerRow ?? []).map { ($0, reader[$0] ?? "") })
        }
        #expect(rows.keys.sorted() == ["F001", "F002", "G001", "G002", "G003", "R001"])
        #expect(rows["G001"]?["evacuation_route"] == "沿村道向东撤离, 至村委会")
        #expect(rows["G001"]?["east"] == "511897.043")
        #expect(rows["F002"]?["given_x"] == "3322370.925")
        #expect(rows["F002"]?["kind"] == "flash_flood")
    }
}

@Suite("Text encodings of spreadsheet exports")
struct TextEncodingTests {
    @Test("a GB18030 file written by iconv decodes to the same text")
    func gb18030() throws {
        // The fixture was made with `iconv -f utf-8 -t gb18030`.
        let url = try #require(Bundle.module.url(forResource: "flash_flood", withExtension: "csv", subdirectory: "Fixtures/mini"))
        let (text, encoding) = try #require(TextEncoding.decode(try Data(contentsOf: url)))
        #expect(encoding == .gb18030)
        #expect(text.hasPrefix("统一编号,名称,乡镇,村代码,坐标系"))
        #expect(text.contains("F001,龙潭河龙潭村段,龙潭乡"))
    }

    @Test("a byte-order mark is removed and noted")
    func bom() throws {
        let (text, encoding) = try #require(TextEncoding.decode(Data([0xEF, 0xBB, 0xBF]) + Data("code,名称\n".utf8)))
        #expect(encoding == .utf8WithBOM)
        #expect(text == "code,名称\n")
    }

    @Test("plain UTF-8 stays UTF-8, and bytes that are neither are refused")
    func utf8AndGarbage() throws {
        #expect(TextEncoding.decode(Data("滑坡".utf8))?.encoding == .utf8)
        #expect(TextEncoding.decode(Data([0x61, 0xFF, 0xFE, 0xFF])) == nil)
    }

    @Test("encode and decode agree for every encoding", arguments: [TextEncoding.utf8, .utf8WithBOM, .gb18030])
    func roundTrip(encoding: TextEncoding) throws {
        let text = "统一编号,名称\nDZ-1,石门村崩塌 \"危岩\"\n"
        let data = try #require(encoding.encode(text))
        let decoded = try #require(TextEncoding.decode(data))
        #expect(decoded.text == text)
        #expect(decoded.encoding == encoding)
    }
}

