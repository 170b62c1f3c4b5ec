// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// Reads typed fields from one row, logging a `file:line: field: reason` issue for each bad one.
package struct FieldReader {
    let file: String
    let row: TableRow
    package private(set) var issues = IssueLog()

    package init(file: String, row: TableRow) {
        self.file = file
        self.row = row
    }

    package mutating func fail(_ field: String?, _ reason: String) {
        self.issues.add(self.file, self.row.location, field, reason)
    }

    /// An optional text field.
    package func text(_ field: String) -> String? {
        self.row[field]
    }

    /// A required text field; logs when empty.
    package mutating func requiredText(_ field: String) -> String? {
        guard let value = self.row[field] else {
            self.fail(field, "required field is empty")
            return nil
        }
        return value
    }

    /// An optional finite number within `range`; logs when malformed or out of range.
    mutating func number(_ field: String, in range: ClosedRange<Double>? = nil, required: Bool = false) -> Double? {
        guard let raw = self.row[field] else {
            if required { self.fail(field, "required field is empty") }
            return nil
        }
        guard let value = Double(raw), value.isFinite else {
            self.fail(field, "'\(raw)' is not a number")
            return nil
        }
        if let range, !range.contains(value) {
            self.fail(field, "\(raw) is outside \(range.lowerBound.plainText)...\(range.upperBound.plainText)")
            return nil
        }
        return value
    }

    /// An optional whole number within `range`.
    mutating func integer(_ field: String, in range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let raw = self.row[field] else {
            if required { self.fail(field, "required field is empty") }
            return nil
        }
        guard let value = Int(raw) else {
            self.fail(field, "'\(raw)' is not a whole number")
            return nil
        }
        guard range.contains(value) else {
            self.fail(field, "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    /// An angle in decimal degrees or degrees-minutes-seconds (`108°12'30.5"`, `108°12′30.5″`, `108 12 30.5`).
    mutating func degrees(_ field: String, in range: ClosedRange<Double>, required: Bool = false) -> Double? {
        guard let raw = self.row[field] else {
            if required { self.fail(field, "required field is empty") }
            return nil
        }
        guard let value = Self.parseDegrees(raw), value.isFinite else {
            self.fail(field, "'\(raw)' is not an angle (decimal degrees or 108°12'30.5\")")
            return nil
        }
        guard range.contains(value) else {
            self.fail(field, "\(raw) is outside \(range.lowerBound.plainText)...\(range.upperBound.plainText) degrees")
            return nil
        }
        return value
    }

    /// A longitude/latitude pair from two columns, with a hint when the two look swapped: a latitude
    /// beyond ±90° whose longitude would be a valid latitude is reported once, on the latitude, as swapped.
    mutating func lonLat(_ lonField: String, _ latField: String, required: Bool) -> (lon: Double?, lat: Double?) {
        if let rawLon = self.row[lonField], let rawLat = self.row[latField],
            let lon = Self.parseDegrees(rawLon), let lat = Self.parseDegrees(rawLat),
            !(-90...90).contains(lat), (-180...180).contains(lat), (-90...90).contains(lon)
        {
            self.fail(
                latField,
                "\(rawLat) is outside -90...90 degrees; \(lonField) \(rawLon) and \(latField) \(rawLat) look swapped: "
                    + "longitude goes in \(lonField), latitude in \(latField); swap the two values"
            )
            return (nil, nil)
        }
        let lon = self.degrees(lonField, in: -180...180, required: required)
        let lat = self.degrees(latField, in: -90...90, required: required)
        return (lon, lat)
    }

    /// A value from a closed set, written as its English key or its Chinese name.
    package mutating func choice<Value>(_ field: String, _ choices: [String: Value], required: Bool = false) -> Value? {
        guard let raw = self.row[field] else {
            if required { self.fail(field, "required field is empty") }
            return nil
        }
        if let value = choices[raw] ?? choices[raw.lowercased()] { return value }
        let allowed = choices.keys.sorted().joined(separator: ", ")
        self.fail(field, "'\(raw)' is not one of: \(allowed)")
        return nil
    }

    /// Parses decimal degrees or D°M'S" forms; nil when the text is neither.
    static func parseDegrees(_ text: String) -> Double? {
        if let value = Double(text) { return value }
        let separators = CharacterSet(charactersIn: "°º′'″\" ")
        let parts = text.components(separatedBy: separators).filter { !$0.isEmpty }
        guard (1...3).contains(parts.count) else { return nil }
        let numbers = parts.compactMap(Double.init)
        guard numbers.count == parts.count else { return nil }
        let degrees = numbers[0]
        let minutes = numbers.count > 1 ? numbers[1] : 0
        let seconds = numbers.count > 2 ? numbers[2] : 0
        guard minutes >= 0, minutes < 60, seconds >= 0, seconds < 60 else { return nil }
        if numbers.count > 1, degrees != degrees.rounded() { return nil }
        if numbers.count > 2, minutes != minutes.rounded() { return nil }
        let magnitude = abs(degrees) + minutes / 60 + seconds / 3600
        return degrees < 0 || text.hasPrefix("-") ? -magnitude : magnitude
    }
}
