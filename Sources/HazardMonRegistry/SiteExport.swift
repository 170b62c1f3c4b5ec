// SPDX-License-Identifier: Apache-2.0
import CSV
import Foundation
import HazardMonCore

/// Renders sites for people and GIS: GeoJSON for QGIS, CSV for spreadsheets, a text table for terminals.
public enum SiteExport {
    /// The flat fields of a site, in column order, shared by the CSV and GeoJSON forms.
    static func fields(_ site: Site, county: County, villages: [String: Village]) -> [(String, Field)] {
        var fields: [(String, Field)] = [
            ("code", .text(site.code)),
            ("name", .text(site.name)),
            ("kind", .text(site.kind.rawValue)),
            ("township", .text(site.township)),
            ("village_code", .text(site.villageCode)),
            ("village", .text(villages[site.villageCode]?.name)),
            ("lon", .number(site.lonLat.x, decimals: 7)),
            ("lat", .number(site.lonLat.y, decimals: 7)),
            ("east", .number(site.metric.x, decimals: 3)),
            ("north", .number(site.metric.y, decimals: 3)),
            ("working_crs", .text(county.workingCRS)),
            ("given_crs", .text(site.given.crs)),
        ]
        switch site.given {
        case .lonLat(let lon, let lat, _):
            fields += [("given_lon", .number(lon, decimals: 9)), ("given_lat", .number(lat, decimals: 9))]
            fields += [("given_x", .text(nil)), ("given_y", .text(nil))]
        case .surveyXY(let x, let y, _):
            fields += [("given_lon", .text(nil)), ("given_lat", .text(nil))]
            fields += [("given_x", .number(x, decimals: 3)), ("given_y", .number(y, decimals: 3))]
        }
        fields += [
            ("elevation", .number(site.elevation, decimals: 1)),
            ("scale", .text(site.scale?.rawValue)),
            ("households", .integer(site.threatenedHouseholds)),
            ("people", .integer(site.threatenedPeople)),
            ("property", .number(site.threatenedPropertyWanYuan, decimals: 2)),
            ("risk_level", .text(site.riskLevel?.rawValue)),
            ("shelter_name", .text(site.shelter?.name)),
            ("shelter_lon", .number(site.shelter?.lonLat.x, decimals: 7)),
            ("shelter_lat", .number(site.shelter?.lonLat.y, decimals: 7)),
            ("shelter_capacity", .integer(site.shelter?.capacity)),
            ("evacuation_route", .text(site.evacuationRoute)),
            ("monitor_name", .text(site.monitor?.name)),
            ("monitor_phone", .text(site.monitor?.phone)),
        ]
        var geohazard = GeohazardDetails(hazardType: .landslide)
        var flashFlood = FlashFloodDetails(river: "")
        var rock = DangerousRockDetails()
        var hazardType: String?
        var river: String?
        switch site.details {
        case .geohazard(let details):
            geohazard = details
            hazardType = details.hazardType.rawValue
        case .flashFlood(let details):
            flashFlood = details
            river = details.river
        case .dangerousRock(let details): rock = details
        }
        fields += [
            ("hazard_type", .text(hazardType)),
            ("volume", .number(geohazard.volumeWanM3, decimals: 2)),
            ("stability", .text(geohazard.stability)),
            ("river", .text(river)),
            ("section", .text(flashFlood.section)),
            ("catchment_km2", .number(flashFlood.catchmentKm2, decimals: 2)),
            ("rain_station", .text(flashFlood.rainStation)),
            ("water_level_station", .text(flashFlood.waterLevelStation)),
            ("volume_m3", .number(rock.volumeM3, decimals: 1)),
            ("height_m", .number(rock.heightM, decimals: 1)),
            ("failure_mode", .text(rock.failureMode)),
            ("monitoring_points", .integer(site.points.count)),
            ("devices", .integer(site.points.reduce(0) { $0 + $1.devices.count })),
            ("channels", .integer(site.points.reduce(0) { $0 + $1.devices.reduce(0) { $0 + $1.channels.count } })),
        ]
        return fields
    }

    /// The column names of ``fields(_:county:villages:)``, in order (the same for every site).
    static let columns: [String] = {
        let placeholder = Site(
            code: "", name: "", township: "", villageCode: "", given: .lonLat(lon: 0, lat: 0, crs: ""),
            lonLat: Coordinate2D(x: 0, y: 0), metric: Coordinate2D(x: 0, y: 0),
            details: .dangerousRock(DangerousRockDetails())
        )
        let county = County(name: "", regionCode: "", workingCRS: "", extent: GeoBox(west: 0, south: 0, east: 0, north: 0))
        return Self.fields(placeholder, county: county, villages: [:]).map(\.0)
    }()

    enum Field {
        case text(String?)
        case number(Double?, decimals: Int)
        case integer(Int?)

        var csv: String {
            switch self {
            case .text(let text): return text ?? ""
            case .number(let value, let decimals): return value.map { String(format: "%.\(decimals)f", $0) } ?? ""
            case .integer(let value): return value.map(String.init) ?? ""
            }
        }

        func encode(to container: inout KeyedEncodingContainer<ColumnKey>, key: String) throws {
            let key = ColumnKey(key)
            switch self {
            case .text(let text): try container.encode(text, forKey: key)
            case .number(let value, let decimals):
                guard let value else { return try container.encodeNil(forKey: key) }
                let scale = pow(10, Double(decimals))
                try container.encode((value * scale).rounded() / scale, forKey: key)
            case .integer(let value): try container.encode(value, forKey: key)
            }
        }

        var json: Any {
            switch self {
            case .text(let text): return text ?? NSNull()
            case .number(let value, let decimals):
                guard let value else { return NSNull() }
                let scale = pow(10, Double(decimals))
                return (value * scale).rounded() / scale
            case .integer(let value): return value ?? NSNull()
            }
        }
    }

    /// An RFC 7946 FeatureCollection of the sites as points at their CGCS2000 lon/lat, which opens in QGIS as is.
    public static func geoJSON(_ sites: [Site], county: County, villages: [Village]) throws -> Data {
        let byCode = Dictionary(villages.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let features: [[String: Any]] = sites.map { site in
            var properties: [String: Any] = [:]
            for (name, field) in Self.fields(site, county: county, villages: byCode) {
                properties[name] = field.json
            }
            return [
                "type": "Feature",
                "id": site.code,
                "geometry": ["type": "Point", "coordinates": [Self.round(site.lonLat.x, 7), Self.round(site.lonLat.y, 7)]],
                "properties": properties,
            ]
        }
        let collection: [String: Any] = ["type": "FeatureCollection", "name": county.name, "features": features]
        return try JSONSerialization.data(withJSONObject: collection, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// The sites as a JSON array of flat objects whose keys are the CSV export's column names
    /// (``columns``), snake_case, with null for an empty field; what `hazardmon sites list --format json`
    /// prints.
    public static func json(_ sites: [Site], county: County, villages: [Village]) throws -> Data {
        let byCode = Dictionary(villages.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let records = sites.map { SiteRecord(fields: Self.fields($0, county: county, villages: byCode)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(records)
    }

    /// A CSV in `encoding` (UTF-8 with a byte-order mark by default, which Excel needs to read UTF-8) with a
    /// header row and one row per site: stored fields, given and computed coordinates.
    ///
    /// - Throws: ``SiteExportError/notEncodable(encoding:)`` when the text cannot be encoded.
    public static func csv(
        _ sites: [Site], county: County, villages: [Village], encoding: TextEncoding = .utf8WithBOM
    ) throws -> Data {
        let utf8 = try Self.csvUTF8(sites, county: county, villages: villages)
        if encoding == .utf8 { return utf8 }
        guard let encoded = encoding.encode(String(decoding: utf8, as: UTF8.self)) else {
            throw SiteExportError.notEncodable(encoding: encoding)
        }
        return encoded
    }

    private static func csvUTF8(_ sites: [Site], county: County, villages: [Village]) throws -> Data {
        let byCode = Dictionary(villages.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let writer = try CSVWriter(stream: .toMemory())
        try writer.write(row: Self.columns)
        for site in sites {
            try writer.write(row: Self.fields(site, county: county, villages: byCode).map(\.1.csv))
        }
        writer.stream.close()
        var data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        data.append(0x0A)
        return data
    }

    /// A fixed-width text table for a terminal, counting CJK characters as two columns.
    public static func table(_ sites: [Site], villages: [Village]) -> String {
        let byCode = Dictionary(villages.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let header = ["code", "kind", "name", "township", "village", "lon", "lat", "people", "points"]
        let rows = sites.map { site in
            [
                site.code, site.kind.rawValue, site.name, site.township, byCode[site.villageCode]?.name ?? site.villageCode,
                String(format: "%.5f", site.lonLat.x), String(format: "%.5f", site.lonLat.y),
                String(site.threatenedPeople), String(site.points.count),
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }

    private static func round(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }
}

/// Why an export could not be written.
public enum SiteExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text has characters the encoding cannot hold.
    case notEncodable(encoding: TextEncoding)

    public var description: String {
        switch self {
        case .notEncodable(let encoding): return "the export cannot be encoded as \(encoding.rawValue)"
        }
    }
}

/// One site as a flat JSON object keyed by the CSV column names, written explicitly (not synthesized).
struct SiteRecord: Encodable {
    var fields: [(String, SiteExport.Field)]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ColumnKey.self)
        for (name, field) in self.fields {
            try field.encode(to: &container, key: name)
        }
    }
}

/// A coding key that is a column name.
struct ColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { self.stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Aligns columns for a terminal, with East Asian wide characters counted as two columns.
public enum TextTable {
    public static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(Self.width)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], Self.width(cell))
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                cell + String(repeating: " ", count: widths[index] - Self.width(cell))
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// Display width: CJK ideographs, kana, Hangul and full-width forms take two columns.
    public static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            switch scalar.value {
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                return total + 2
            default:
                return total + 1
            }
        }
    }
}
