// SPDX-License-Identifier: Apache-2.0

/// RFC 3339 time stamps as milliseconds since the Unix epoch (UTC), parsed without Foundation.
///
/// `ISO8601DateFormatter` parses about 24,000 stamps a second on this stack (perf-notes.md); a device
/// batch of 1,000 readings would spend 40 ms on time stamps alone. This fixed-format parser accepts what
/// RFC 3339 allows (`T` or space, fractional seconds of any length, `Z` or `±HH:MM`) and nothing else.
public enum Timestamp {
    /// Parses `2020-07-20T08:00:00.000Z` or `2020-07-20T16:00:00+08:00` into ms since the epoch, or nil.
    /// Fractions beyond milliseconds are truncated. A leap second (`:60`) is not accepted.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { Self.parse(utf8: $0) }
    }

    public static func parse(utf8 s: UnsafeBufferPointer<UInt8>) -> Int64? {
        // YYYY-MM-DDTHH:MM:SS at least.
        guard s.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                let byte = s[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = digits(0, 4), s[4] == 0x2D, let month = digits(5, 2), s[7] == 0x2D, let day = digits(8, 2),
            s[10] == 0x54 || s[10] == 0x74 || s[10] == 0x20, let hour = digits(11, 2), s[13] == 0x3A,
            let minute = digits(14, 2), s[16] == 0x3A, let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var index = 19
        var millis = 0
        if s[index] == 0x2E {  // fraction
            index += 1
            var count = 0
            while index < s.count, s[index] >= 0x30, s[index] <= 0x39 {
                if count < 3 { millis = millis * 10 + Int(s[index] - 0x30) }
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            if count < 3 {
                for _ in count..<3 { millis *= 10 }
            }
        }
        guard index < s.count else { return nil }
        var offsetMinutes = 0
        switch s[index] {
        case 0x5A, 0x7A:  // Z
            index += 1
        case 0x2B, 0x2D:  // + or -
            guard index + 6 == s.count, let oh = digits(index + 1, 2), s[index + 3] == 0x3A, let om = digits(index + 4, 2),
                oh < 24, om < 60
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (s[index] == 0x2D ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == s.count else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// Formats ms since the epoch as `2020-07-20T08:00:00.000Z`.
    public static func format(_ milliseconds: Int64) -> String {
        let millis = Int(((milliseconds % 1000) + 1000) % 1000)
        let totalSeconds = (milliseconds - Int64(millis)) / 1000
        let days = Int((totalSeconds - ((totalSeconds % 86_400) + 86_400) % 86_400) / 86_400)
        let secondOfDay = Int(totalSeconds - Int64(days) * 86_400)
        let (year, month, day) = Self.civilFromDays(days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
