// SPDX-License-Identifier: Apache-2.0

/// The recent readings of one channel in event-time order: what every rule on the channel reads.
///
/// One series per channel, shared by all the rules on it, holding the readings of the last ``span`` ms
/// before the newest one (and at most ``capacity`` of them). Appending in time order is amortised O(1):
/// old readings leave from the front through a moving head that is compacted when it passes half the
/// storage. A late (out-of-order) reading is inserted in place, which costs O(readings after it).
///
/// Values are also kept as running totals in integer micro-units (value × 10⁶, rounded), so that the sum
/// of any range is exact, independent of the order readings were added in, and the same after a restart
/// that rebuilt the series from the database: floating-point running sums drift and would put a window
/// that sums to exactly 35 mm on either side of a 35 mm threshold depending on history.
///
/// Memory: 24 bytes per reading held (time stamp, value, running total).
public struct ChannelSeries: Sendable {
    /// Event times, ms UTC; `timestamps[head...]` are live.
    private var timestamps: [Int64] = []
    private var values: [Double] = []
    /// `totals[k]` = sum of micro-units of all readings up to and including k (since the series began).
    private var totals: [Int64] = []
    private var head = 0
    /// How far back from the newest reading readings are kept, ms.
    public let span: Int64
    /// At most this many readings are kept; older ones beyond it leave early.
    public let capacity: Int
    /// Set when readings had to leave because of ``capacity`` rather than ``span``.
    public private(set) var truncated = false

    /// Micro-units per unit of value: sums are exact to 10⁻⁶ of the channel's unit.
    public static let scale: Double = 1_000_000

    public init(span: Int64, capacity: Int) {
        self.span = span
        self.capacity = max(1, capacity)
    }

    /// How many readings are held.
    @inline(__always) public var count: Int { self.timestamps.count - self.head }
    public var isEmpty: Bool { self.count == 0 }

    /// Event time of the i-th reading held, oldest first.
    @inline(__always) public func timestamp(_ i: Int) -> Int64 { self.timestamps[self.head + i] }
    /// Value of the i-th reading held.
    @inline(__always) public func value(_ i: Int) -> Double { self.values[self.head + i] }
    /// Newest event time, if any.
    public var latest: Int64? { self.isEmpty ? nil : self.timestamps[self.timestamps.count - 1] }

    /// Value in micro-units as stored in the running totals.
    @inline(__always) public static func micro(_ value: Double) -> Int64 { Int64((value * Self.scale).rounded()) }

    /// Exact sum of the readings `i...j` (inclusive) in micro-units; 0 for an empty range.
    @inline(__always) public func microSum(_ i: Int, _ j: Int) -> Int64 {
        guard j >= i else { return 0 }
        let before = self.head + i == 0 ? 0 : self.totals[self.head + i - 1]
        return self.totals[self.head + j] - before
    }

    /// Exact sum of readings with time stamps in `(end - window, end]`, where `end` is the time of reading
    /// `j`; in units of the value.
    public func sum(window: Int64, endingAt j: Int) -> Double {
        let first = self.index(after: self.timestamp(j) - window)
        return Double(self.microSum(first, j)) / Self.scale
    }

    /// Index of the first reading with time stamp > `time` (`count` when none).
    public func index(after time: Int64) -> Int {
        var low = self.head
        var high = self.timestamps.count
        while low < high {
            let mid = (low + high) / 2
            if self.timestamps[mid] <= time { low = mid + 1 } else { high = mid }
        }
        return low - self.head
    }

    /// ``index(after:)`` for a time near the newest readings: the first reading with time stamp > `time`,
    /// galloping back from reading `j` (1, 2, 4, … readings) and then bisecting, so O(log d) for an answer
    /// d readings before `j`. Readings after `j` are never looked at; when `timestamp(j) <= time` the
    /// answer is not in `0...j` and this is the whole-series bisection.
    @inline(__always)
    public func index(after time: Int64, searchingBackFrom j: Int) -> Int {
        var high = self.head + j  // timestamps[high] > time
        guard self.timestamps[high] > time else { return self.index(after: time) }
        var step = 1
        var low = high - 1
        while low >= self.head, self.timestamps[low] > time {
            high = low
            step &*= 2
            low = high - step
        }
        low = max(low, self.head - 1)  // timestamps[low] <= time, or low == head - 1
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if self.timestamps[mid] <= time { low = mid } else { high = mid }
        }
        return high - self.head
    }

    /// Index of the first reading with time stamp >= `time` (`count` when none).
    public func index(atOrAfter time: Int64) -> Int { self.index(after: time - 1) }

    /// Where an added reading went.
    public enum Placement: Sendable, Hashable {
        /// Newest reading: index `count - 1`.
        case appended
        /// Out of order: inserted at this index, before newer readings.
        case inserted(Int)
        /// Older than the span behind the newest reading: not kept (windows would never see it).
        case tooOld
        /// A reading with this exact time stamp is already held (ingestion never sends one twice).
        case repeated
    }

    /// Adds a reading and lets readings older than the span (or beyond capacity) leave.
    @discardableResult
    public mutating func add(timestamp: Int64, value: Double) -> Placement {
        let micro = Self.micro(value)
        if let latest = self.latest, timestamp <= latest {
            guard timestamp > latest - self.span else { return .tooOld }
            let index = self.index(atOrAfter: timestamp)
            if index < self.count, self.timestamp(index) == timestamp { return .repeated }
            let k = self.head + index
            let before = k == 0 ? 0 : self.totals[k - 1]
            self.timestamps.insert(timestamp, at: k)
            self.values.insert(value, at: k)
            self.totals.insert(before + micro, at: k)
            for later in (k + 1)..<self.totals.count { self.totals[later] += micro }
            self.trim()
            return .inserted(index)
        }
        self.timestamps.append(timestamp)
        self.values.append(value)
        self.totals.append((self.totals.last ?? 0) + micro)
        self.trim()
        return .appended
    }

    /// Drops readings at or before `newest - span`, and the oldest beyond capacity.
    private mutating func trim() {
        guard let latest = self.latest else { return }
        let horizon = latest - self.span
        while self.head < self.timestamps.count - 1, self.timestamps[self.head] <= horizon { self.head += 1 }
        if self.count > self.capacity {
            self.head = self.timestamps.count - self.capacity
            self.truncated = true
        }
        if self.head > 64, self.head * 2 > self.timestamps.count {
            self.timestamps.removeFirst(self.head)
            self.values.removeFirst(self.head)
            self.totals.removeFirst(self.head)
            self.head = 0
        }
    }

    /// Bytes held by the series' storage (capacity of its arrays).
    public var memoryBytes: Int {
        self.timestamps.capacity * 8 + self.values.capacity * 8 + self.totals.capacity * 8
    }
}
