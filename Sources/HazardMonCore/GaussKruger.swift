// SPDX-License-Identifier: Apache-2.0

/// Chinese Gauss-Krüger zone arithmetic on CGCS2000 (EPSG:4491-4554), without PROJ.
///
/// - 3° zones: zone `n = round(lon / 3)`, central meridian `3n`; EPSG:4513-4533 carry the zone number as
///   a prefix of the easting (zone 36: `36 500 000` at the central meridian), EPSG:4534-4554 do not.
/// - 6° zones: zone `n = floor(lon / 6) + 1`, central meridian `6n - 3`; EPSG:4491-4501 with prefix,
///   EPSG:4502-4512 without.
///
/// Survey registers write X (northing) first and Y (easting, with the prefix) second.
public enum GaussKruger {
    /// The width of a zone family.
    public enum Width: Int, Sendable, Hashable, Codable {
        case three = 3
        case six = 6
    }

    /// One zone of one family, with or without the easting prefix.
    public struct Zone: Sendable, Hashable, Codable, CustomStringConvertible {
        public var width: Width
        public var number: Int
        public var prefixed: Bool

        public init(width: Width, number: Int, prefixed: Bool) {
            self.width = width
            self.number = number
            self.prefixed = prefixed
        }

        /// The central meridian in degrees east.
        public var centralMeridian: Int {
            switch self.width {
            case .three: return 3 * self.number
            case .six: return 6 * self.number - 3
            }
        }

        /// The false easting PROJ applies: 500 000 m, plus `zone × 1 000 000` when prefixed.
        public var falseEasting: Double {
            500_000 + (self.prefixed ? Double(self.number) * 1_000_000 : 0)
        }

        /// The CGCS2000 EPSG code of this zone, or nil when EPSG defines none (outside China's zones).
        public var epsgCode: Int? {
            switch (self.width, self.prefixed) {
            case (.three, true): return (25...45).contains(self.number) ? 4513 + self.number - 25 : nil
            case (.three, false): return (25...45).contains(self.number) ? 4534 + self.number - 25 : nil
            case (.six, true): return (13...23).contains(self.number) ? 4491 + self.number - 13 : nil
            case (.six, false): return (13...23).contains(self.number) ? 4502 + self.number - 13 : nil
            }
        }

        /// `"EPSG:nnnn"`, or nil when EPSG defines no code for the zone.
        public var crs: String? { self.epsgCode.map { "EPSG:\($0)" } }

        public var description: String {
            "CGCS2000 \(self.width.rawValue)° GK zone \(self.number) (CM \(self.centralMeridian)E"
                + (self.prefixed ? ", prefixed)" : ")")
        }
    }

    /// The zone that contains a longitude.
    public static func zone(ofLongitude lon: Double, width: Width, prefixed: Bool) -> Zone {
        switch width {
        case .three:
            return Zone(width: .three, number: Int((lon / 3).rounded(.toNearestOrAwayFromZero)), prefixed: prefixed)
        case .six:
            return Zone(width: .six, number: Int((lon / 6).rounded(.down)) + 1, prefixed: prefixed)
        }
    }

    /// The zone of a CGCS2000 Gauss-Krüger EPSG code (4491-4554), or nil for any other code.
    public static func zone(epsg code: Int) -> Zone? {
        switch code {
        case 4491...4501: return Zone(width: .six, number: code - 4491 + 13, prefixed: true)
        case 4502...4512: return Zone(width: .six, number: code - 4502 + 13, prefixed: false)
        case 4513...4533: return Zone(width: .three, number: code - 4513 + 25, prefixed: true)
        case 4534...4554: return Zone(width: .three, number: code - 4534 + 25, prefixed: false)
        default: return nil
        }
    }

    /// The zone of a CRS written `EPSG:nnnn` (case-insensitive), or nil.
    public static func zone(crs: String) -> Zone? {
        let parts = crs.split(separator: ":")
        guard parts.count == 2, parts[0].uppercased() == "EPSG", let code = Int(parts[1]) else { return nil }
        return Self.zone(epsg: code)
    }

    /// The zone number carried as a prefix by a Y (easting) value, or nil when it carries none.
    ///
    /// A Gauss-Krüger easting without prefix lies within about 500 000 ± 400 000 m (less than 1 000 000);
    /// with a prefix it is `zone × 1 000 000 + easting`, so the integer part above the millions is the zone.
    public static func prefix(ofEasting y: Double) -> Int? {
        guard y.isFinite, y >= 1_000_000 else { return nil }
        let zone = Int((y / 1_000_000).rounded(.down))
        return (13...60).contains(zone) ? zone : nil
    }

    /// Removes the zone prefix from a Y (easting) value: `36 512 345.6` becomes `(36, 512 345.6)`.
    public static func stripPrefix(_ y: Double) -> (zone: Int, easting: Double)? {
        guard let zone = Self.prefix(ofEasting: y) else { return nil }
        return (zone, y - Double(zone) * 1_000_000)
    }

    /// Adds a zone prefix to an easting: `(36, 512 345.6)` becomes `36 512 345.6`.
    public static func addPrefix(zone: Int, easting: Double) -> Double {
        Double(zone) * 1_000_000 + easting
    }
}
