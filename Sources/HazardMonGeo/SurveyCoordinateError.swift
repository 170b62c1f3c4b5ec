// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// Why survey X/Y values do not fit the CRS they were declared in, in words a county surveyor recognises.
///
/// Thrown by ``Geodesy/surveyPoint(x:y:crs:)`` and ``Geodesy/transformSurvey(x:y:crs:to:ballpark:)``. The second
/// also wraps PROJ's own errors in ``projection(_:)``, so one typed error covers the whole call.
public enum SurveyCoordinateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CRS is a prefixed CGCS2000 Gauss-Krüger zone (e.g. EPSG:4524) but Y carries no zone prefix.
    case missingZonePrefix(y: Double, crs: String, zone: GaussKruger.Zone)
    /// Y carries the prefix of another zone than the CRS's.
    case wrongZonePrefix(y: Double, prefix: Int, crs: String, zone: GaussKruger.Zone)
    /// The CRS is an unprefixed zone (e.g. EPSG:4545) but Y carries a zone prefix.
    case unexpectedZonePrefix(y: Double, prefix: Int, crs: String, zone: GaussKruger.Zone)
    /// X looks like an easting and Y like a northing: the two columns were swapped.
    case swappedAxes(x: Double, y: Double, crs: String)
    /// The CRS is geographic, so survey X (north) / Y (east) in metres cannot be meant.
    case geographicCRS(crs: String)
    /// The values passed the checks but PROJ could not use them.
    case projection(ProjError)

    /// The explanation, naming the values, the CRS and the fix.
    public var description: String {
        switch self {
        case .missingZonePrefix(let y, let crs, let zone):
            var text =
                "Y \(Self.format(y)) has no zone prefix but \(crs) expects zone \(zone.number) "
                + "(Y like \(Self.format(GaussKruger.addPrefix(zone: zone.number, easting: y))))"
            if let unprefixed = Self.sibling(of: zone, prefixed: false) {
                text += "; use \(unprefixed) for unprefixed values"
            }
            return text
        case .wrongZonePrefix(let y, let prefix, let crs, let zone):
            var text = "Y \(Self.format(y)) carries zone prefix \(prefix) but \(crs) is zone \(zone.number)"
            if let other = Self.prefixedZone(prefix, preferring: zone.width), let code = other.crs {
                text += "; use \(code) for \(other.width.rawValue)° zone \(prefix) values"
            } else {
                text += "; check the zone"
            }
            return text
        case .unexpectedZonePrefix(let y, let prefix, let crs, let zone):
            let stripped = GaussKruger.stripPrefix(y)?.easting ?? y
            var text =
                "Y \(Self.format(y)) carries zone prefix \(prefix) but \(crs) takes unprefixed values "
                + "(Y like \(Self.format(stripped)))"
            if prefix == zone.number, let prefixed = Self.sibling(of: zone, prefixed: true) {
                text += "; use \(prefixed) for prefixed values"
            } else if let other = Self.prefixedZone(prefix, preferring: zone.width), let code = other.crs {
                text += "; use \(code) for \(other.width.rawValue)° zone \(prefix) values"
            }
            return text
        case .swappedAxes(let x, let y, let crs):
            return
                "X \(Self.format(x)) looks like an easting and Y \(Self.format(y)) like a northing in \(crs): "
                + "survey coordinates give X (north) first and Y (east) second; swap the two values"
        case .geographicCRS(let crs):
            return "\(crs) is geographic (longitude/latitude); survey X/Y in metres need a projected CRS"
        case .projection(let error):
            return error.description
        }
    }

    /// The EPSG code of the same zone with or without prefix.
    private static func sibling(of zone: GaussKruger.Zone, prefixed: Bool) -> String? {
        GaussKruger.Zone(width: zone.width, number: zone.number, prefixed: prefixed).crs
    }

    /// The prefixed zone a prefix names, in the given width if EPSG defines it there, else in the other.
    private static func prefixedZone(_ prefix: Int, preferring width: GaussKruger.Width) -> GaussKruger.Zone? {
        let other: GaussKruger.Width = width == .three ? .six : .three
        return [width, other]
            .map { GaussKruger.Zone(width: $0, number: prefix, prefixed: true) }
            .first { $0.epsgCode != nil }
    }

    /// Metres with at most four decimals and no exponent: 36512345.6, 3375558.7405.
    static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        let scaled = (value * 10_000).rounded()
        let whole = Int64(scaled / 10_000)
        var fraction = Int64(abs(scaled.truncatingRemainder(dividingBy: 10_000)))
        let sign = value < 0 && whole == 0 && fraction != 0 ? "-" : ""
        guard fraction != 0 else { return "\(sign)\(whole)" }
        var digits = 4
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(sign)\(whole).\(padded)"
    }
}
