// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import Testing

@Suite("RFC 3339 time stamps")
struct TimestampTests {
    // Expected values from `date -u -d '<stamp>' +%s%3N` (GNU date).
    @Test("valid stamps", arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2020-07-20T08:00:00.000Z", 1_595_232_000_000),
        ("2020-07-20T16:00:00+08:00", 1_595_232_000_000),
        ("2020-07-20T08:00:00.5Z", 1_595_232_000_500),
        ("2020-07-20T08:00:00.123456789Z", 1_595_232_000_123),
        ("2020-07-20 08:00:00z", 1_595_232_000_000),
        ("2024-02-29T23:59:59.999-05:30", 1_709_270_999_999),
        ("1969-12-31T23:59:59.900Z", -100),
    ])
    func valid(text: String, millis: Int64) {
        #expect(Timestamp.parse(text) == millis)
    }

    @Test("invalid stamps", arguments: [
        "", "2020-07-20", "2020-07-20T08:00:00", "2020-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2020-07-20T24:00:00Z", "2020-07-20T08:00:60Z", "2020-07-20T08:00:00.Z", "2020-07-20T08:00:00+0800",
        "2020-07-20T08:00:00+08:00x", "2020/07/20T08:00:00Z", "2020-07-20T08:00:00ZZ", "１９７０-01-01T00:00:00Z",
    ])
    func invalid(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("format and parse round-trip, and agree with Foundation to the second")
    func roundTrip() throws {
        for millis: Int64 in [0, 1_595_232_000_123, 1_709_271_599_999, -100, 4_102_444_800_000, 951_782_400_000] {
            let text = Timestamp.format(millis)
            #expect(Timestamp.parse(text) == millis)
            // Foundation formats through a Double and may print .122 for .123, so compare whole seconds.
            let date = Date(timeIntervalSince1970: Double(millis - ((millis % 1000) + 1000) % 1000) / 1000)
            #expect(text.prefix(19) == date.formatted(Date.ISO8601FormatStyle()).prefix(19))
        }
    }
}
