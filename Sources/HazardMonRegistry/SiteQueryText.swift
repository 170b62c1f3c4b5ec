// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// How `sites list` reads a place and a distance typed by a person.
public enum SiteQueryText {
    /// `108.05,30.12` (CGCS2000 degrees, longitude first), or nil.
    public static func lonLat(_ text: String) -> Coordinate2D? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmed }
        guard parts.count == 2, let lon = Double(parts[0]), let lat = Double(parts[1]),
            (-180...180).contains(lon), (-90...90).contains(lat)
        else { return nil }
        return Coordinate2D(lon: lon, lat: lat)
    }

    /// `2km`, `500m`, `1500` (metres) or `1.5 km`, as a positive finite number of metres, or nil.
    public static func meters(_ text: String) -> Double? {
        let lower = text.lowercased().trimmed
        let (number, scale): (Substring, Double)
        if lower.hasSuffix("km") {
            (number, scale) = (lower.dropLast(2), 1000)
        } else if lower.hasSuffix("m") {
            (number, scale) = (lower.dropLast(), 1)
        } else {
            (number, scale) = (Substring(lower), 1)
        }
        guard let value = Double(String(number).trimmed).map({ $0 * scale }), value > 0, value.isFinite else { return nil }
        return value
    }
}
