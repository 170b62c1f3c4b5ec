// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import Testing

@testable import HazardMonRegistry

/// Exports in the encodings and key conventions people use.
@Suite("Site exports for Excel and for scripts")
struct SiteExportTests {
    static func registry() async throws -> Registry {
        try await withMiniRegister { folder in try await RegistryLoader.load(directory: folder) }
    }

    /// Reads exported CSV bytes back the way a register file is read: decoding, then the register's CSV reader.
    static func readBack(_ data: Data) throws -> (encoding: TextEncoding, rows: [[String: String]]) {
        let (text, encoding) = try #require(TextEncoding.decode(data))
        var records = CSVRecords(text)
        guard case .record(_, let header)? = records.next() else {
            Issue.record("no header")
            return (encoding, [])
        }
        var rows: [[String: String]] = []
        while let record = records.next() {
            guard case .record(_, let cells) = record else {
                Issue.record("unreadable record \(record)")
                continue
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(header, cells).map { ($0, $1) }))
        }
        return (encoding, rows)
    }

    @Test("CSV is UTF-8 with a byte-order mark by default, and reads back as the register reader reads files")
    func bomByDefault() async throws {
        let registry = try await Self.registry()
        let data = try SiteExport.csv(registry.sites, county: registry.county, villages: registry.villages)
        #expect(Array(data.prefix(7)) == [0xEF, 0xBB, 0xBF] + Array("code".utf8))
        let (encoding, rows) = try Self.readBack(data)
        #expect(encoding == .utf8WithBOM)
        #expect(rows.count == 6)
        let f001 = try #require(rows.first { $0["code"] == "F001" })
        #expect(f001["township"] == "龙潭乡")
        #expect(rows.first { $0["code"] == "G001" }?["evacuation_route"] == "沿村道向东撤离, 至村委会")
    }

    @Test("CSV in GB18030 has GB18030 bytes and reads back the same", arguments: [TextEncoding.gb18030, .utf8])
    func otherEncodings(_ encoding: TextEncoding) async throws {
        let registry = try await Self.registry()
        let data = try SiteExport.csv(registry.sites, county: registry.county, villages: registry.villages, encoding: encoding)
        let utf8 = try SiteExport.csv(registry.sites, county: registry.county, villages: registry.villages, encoding: .utf8)
        #expect(!data.starts(with: [0xEF, 0xBB, 0xBF]))
        // 龙潭乡: C1 FA CC B6 CF E7 in GB18030 (iconv -f utf-8 -t gb18030), E9 BE 99 E6 BD AD E4 B9 A1 in UTF-8.
        let bytes: [UInt8] = encoding == .gb18030
            ? [0xC1, 0xFA, 0xCC, 0xB6, 0xCF, 0xE7] : [0xE9, 0xBE, 0x99, 0xE6, 0xBD, 0xAD, 0xE4, 0xB9, 0xA1]
        #expect(data.range(of: Data(bytes)) != nil)
        let (decoded, rows) = try Self.readBack(data)
        #expect(decoded == encoding)
        #expect(rows == (try Self.readBack(utf8)).rows)
        #expect(rows.first { $0["code"] == "F001" }?["township"] == "龙潭乡")
    }

    @Test("sites list --format json: flat objects whose keys are exactly the CSV columns, snake_case")
    func jsonKeys() async throws {
        let registry = try await Self.registry()
        let data = try SiteExport.json(registry.sites, county: registry.county, villages: registry.villages)
        let objects = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(objects.count == 6)
        let csvHeader = try #require(
            String(decoding: try SiteExport.csv(registry.sites, county: registry.county, villages: registry.villages, encoding: .utf8), as: UTF8.self)
                .split(separator: "\n").first
        ).split(separator: ",").map(String.init)
        for object in objects {
            #expect(Set(object.keys) == Set(csvHeader))
        }
        #expect(csvHeader.contains("village_code") && csvHeader.contains("shelter_lon"))
        #expect(!csvHeader.contains { $0.contains("_0") || $0 == "x" || $0 == "y" || $0.contains { $0.isUppercase } })
        let g002 = try #require(objects.first { $0["code"] as? String == "G002" })
        #expect(g002["village_code"] as? String == "500999001002")
        #expect(g002["given_crs"] as? String == "EPSG:4524")
        #expect(g002["given_x"] as? Double == 3_325_672.898)
        #expect(g002["east"] as? Double == 519_287.595)
        #expect(g002["given_lon"] is NSNull)
        #expect(g002["shelter_name"] is NSNull)
        #expect(g002["kind"] as? String == "geohazard")
    }
}
