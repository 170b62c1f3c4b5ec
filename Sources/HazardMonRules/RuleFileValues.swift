// SPDX-License-Identifier: Apache-2.0

/// Durations as rule files write them: a whole number and a unit, `30s`, `10m`, `90m`, `1h`, `24h`, `1d`.
public enum RuleFileDuration {
    /// Milliseconds per unit letter.
    static let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]

    /// The duration in milliseconds, or nil when `text` is not a whole number followed by s, m, h or d.
    public static func parse(_ text: String) -> Int64? {
        guard let unit = text.last, let factor = Self.units[unit] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let number = Int64(digits)
        else { return nil }
        return number * factor
    }

    /// How a rule file would write `milliseconds`: `72h`, `90m`, `30s`, days from a week on (`400d`);
    /// `1500ms` when not whole seconds.
    public static func text(_ milliseconds: Int64) -> String {
        let day: Int64 = 86_400_000
        if milliseconds >= 7 * day, milliseconds % day == 0 { return "\(milliseconds / day)d" }
        for (unit, factor) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)]
        where milliseconds != 0 && milliseconds % factor == 0 {
            return "\(milliseconds / factor)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}

/// A number as a rule file writes it: a plain decimal (`35`, `0.5`, `-2`), finite.
func ruleNumber(_ text: String) -> Double? {
    let trimmed = text.trimmingWhitespace
    guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE_".contains($0)) }),
        let value = Double(trimmed.replacing("_", with: "")), value.isFinite
    else { return nil }
    return value
}

/// A percentage `75%` as a fraction (0.75), or nil when `text` has no `%` or no number before it.
func rulePercentage(_ text: String) -> Double? {
    let trimmed = text.trimmingWhitespace
    guard trimmed.hasSuffix("%"), let number = ruleNumber(String(trimmed.dropLast())) else { return nil }
    return number / 100
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
