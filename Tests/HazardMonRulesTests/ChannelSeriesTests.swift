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

    @Test func ringMatchesAPlainSortedModel() {
        // Late readings, repeats, span and capacity trimming across many wraps and growths of the ring,
        // against a sorted array: same placements, readings and exact sums.
        var generator = SplitMix(seed: 7)
        for (span, capacity) in [(Int64(50_000), 1_000), (Int64(400_000), 37), (Int64(2_000), 5)] {
            var series = ChannelSeries(span: span, capacity: capacity)
            var model: [(t: Int64, v: Double)] = []
            var truncated = false
            var peak = 0
            var now: Int64 = 0
            for _ in 0..<20_000 {
                peak = max(peak, model.count + 1)
                now += Int64(generator.next() % 3_000)
                let t = generator.next() % 4 == 0 ? now - Int64(generator.next() % UInt64(span + 5_000)) : now
                let v = Double(generator.next() % 1_000) / 10
                var expected: ChannelSeries.Placement
                var insertedAt: Int?
                if let latest = model.last?.t, t <= latest {
                    if t <= latest - span {
                        expected = .tooOld
                    } else if model.contains(where: { $0.t == t }) {
                        expected = .repeated
                    } else {
                        let index = model.firstIndex { $0.t > t }!
                        model.insert((t, v), at: index)
                        insertedAt = index
                        expected = .inserted(index)
                    }
                } else {
                    model.append((t, v))
                    expected = .appended
                }
                let horizon = model.last!.t - span
                var dropped = 0
                while model.count > 1, model[0].t <= horizon {
                    model.removeFirst()
                    dropped += 1
                }
                if model.count > capacity {
                    dropped += model.count - capacity
                    model.removeFirst(model.count - capacity)
                    truncated = true
                }
                // A late reading's index is where it stands after the oldest left; if it left itself, too old.
                if let index = insertedAt { expected = index - dropped >= 0 ? .inserted(index - dropped) : .tooOld }
                #expect(series.add(timestamp: t, value: v) == expected)
                #expect(series.count == model.count)
                #expect(series.truncated == truncated)
                guard series.count == model.count else { return }
                let i = Int(generator.next() % UInt64(model.count))
                let j = Int(generator.next() % UInt64(model.count))
                #expect(series.timestamp(i) == model[i].t)
                #expect(series.value(j) == model[j].v)
                let exact = i <= j ? model[i...j].reduce(Int64(0)) { $0 + ChannelSeries.micro($1.v) } : 0
                #expect(series.microSum(i, j) == exact)
                #expect(series.index(after: model[i].t) == i + 1)
                #expect(series.index(after: model[i].t - 1, searchingBackFrom: max(i, j)) == i)
            }
            // The ring only doubles when full: at most twice the most readings ever held (plus allocator slack).
            #expect(series.memoryBytes <= 24 * 2 * max(16, peak) + 64)
        }
    }
}

/// A small deterministic generator for the tests.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
