// SPDX-License-Identifier: Apache-2.0
import HazardMonRules
import Testing

@Suite struct ChannelSeriesTests {
    @Test func windowSumsAreExactAndOrderIndependent() {
        // 350 tips of 0.1 mm, once in order and once with every third reading late: both sum to exactly 35.
        var inOrder = ChannelSeries(span: 3_600_000, capacity: 10_000)
        var shuffled = ChannelSeries(span: 3_600_000, capacity: 10_000)
        let times = (1...350).map { Int64($0) * 10_000 }
        for t in times { inOrder.add(timestamp: t, value: 0.1) }
        for t in times where t % 30_000 != 0 { shuffled.add(timestamp: t, value: 0.1) }
        for t in times where t % 30_000 == 0 { #expect(shuffled.add(timestamp: t, value: 0.1) != .appended) }
        #expect(inOrder.sum(window: 3_600_000, endingAt: inOrder.count - 1) == 35)
        #expect(shuffled.sum(window: 3_600_000, endingAt: shuffled.count - 1) == 35)
        #expect(inOrder.count == shuffled.count)
    }

    @Test func readingsOlderThanTheSpanLeave() {
        var series = ChannelSeries(span: 60_000, capacity: 100)
        for t in stride(from: Int64(0), through: 600_000, by: 10_000) { series.add(timestamp: t, value: 1) }
        // Kept: (600000 - 60000, 600000] = 550000...600000, six readings.
        #expect(series.count == 6)
        #expect(series.timestamp(0) == 550_000)
        #expect(series.add(timestamp: 540_000, value: 1) == .tooOld)
        #expect(series.add(timestamp: 550_000, value: 1) == .repeated)
        #expect(series.add(timestamp: 555_000, value: 2) == .inserted(1))
        #expect(series.sum(window: 60_000, endingAt: series.count - 1) == 8)
    }

    @Test func capacityBoundsMemory() {
        var series = ChannelSeries(span: 86_400_000, capacity: 10)
        for t in 0..<100 { series.add(timestamp: Int64(t) * 1000, value: 1) }
        #expect(series.count == 10)
        #expect(series.truncated)
        #expect(series.timestamp(0) == 90_000)
    }
}
