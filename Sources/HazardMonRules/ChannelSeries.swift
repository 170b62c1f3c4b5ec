// SPDX-License-Identifier: Apache-2.0

/// The recent readings of one channel in event-time order: what every rule on the channel reads.
///
/// One series per channel, shared by all the rules on it, holding the readings of the last ``span`` ms
/// before the newest one (and at most ``capacity`` of them). The readings sit in a ring buffer whose size is
/// a power of two, doubled only when the readings held need it: appending in time order is O(1) (old
/// readings leave from the front by moving the head, nothing is ever shifted down), and a late
/// (out-of-order) reading is inserted in place, which costs O(readings after it).
///
/// Values are also kept as running totals in integer micro-units (value × 10⁶, rounded), so that the sum
/// of any range is exact, independent of the order readings were added in, and the same after a restart
/// that rebuilt the series from the database: floating-point running sums drift and would put a window
/// that sums to exactly 35 mm on either side of a 35 mm threshold depending on history.
///
/// Memory: 24 bytes per slot (time stamp, value, running total, interleaved in one array), at most twice
/// the readings held.
public struct ChannelSeries: Sendable {
    /// One reading: time stamp (ms UTC), value, and the micro-unit total of all readings up to and
    /// including it since the series began.

    struct Slot: Sendable {
        var timestamp: Int64
        var value: Double
        var total: Int64

        init(timestamp: Int64, value: Double, total: Int64) {
            self.timestamp = timestamp
            self.value = value
            self.total = total
        }
    }

    /// The ring: `slots[(head + i) & mask]` is the i-th reading held, for `i` in `0..<count`.
    var slots: ContiguousArray<Slot> = []
    var head = 0
    var mask = -1
    /// How many readings are held.
    public private(set) var count = 0
    /// The running total just before the oldest reading held (of the readings that left).
    var base: Int64 = 0
    /// How far back from the newest reading readings are kept, ms.
    public let span: Int64
    /// At most this many readings are kept; older ones beyond it leave early.
    public let capacity: Int
    /// Set when readings had to leave because of ``capacity`` rather than ``span``.
    public private(set) var truncated = false

    /// Micro-units per unit of value: sums are exact to 10⁻⁶ of the channel's unit.
    public static let scale: Double = 1_000_000

    /// Slots of the first ring.
    private static let initialSlots = 16

    public init(span: Int64, capacity: Int) {
        self.span = span
        self.capacity = max(1, capacity)
    }

    public var isEmpty: Bool { self.count == 0 }

    @inline(__always) func slot(_ i: Int) -> Slot { self.slots[(self.head &+ i) & self.mask] }

    /// Event time of the i-th reading held, oldest first.
    @inline(__always) public func timestamp(_ i: Int) -> Int64 { self.slot(i).timestamp }
    /// Value of the i-th reading held.
    @inline(__always) public func value(_ i: Int) -> Double { self.slot(i).value }
    /// Newest event time, if any.
    public var latest: Int64? { self.isEmpty ? nil : self.timestamp(self.count - 1) }

    /// Value in micro-units as stored in the running totals.
    @inline(__always) public static func micro(_ value: Double) -> Int64 { Int64((value * Self.scale).rounded()) }

    /// Exact sum of the readings `i...j` (inclusive) in micro-units; 0 for an empty range.
    @inline(__always) public func microSum(_ i: Int, _ j: Int) -> Int64 {
        guard j >= i else { return 0 }
        let before = i == 0 ? self.base : self.slot(i - 1).total
        return self.slot(j).total - before
    }

    /// Exact sum of readings with time stamps in `(end - window, end]`, where `end` is the time of reading
    /// `j`; in units of the value.
    public func sum(window: Int64, endingAt j: Int) -> Double {
        let first = self.index(after: self.timestamp(j) - window)
        return Double(self.microSum(first, j)) / Self.scale
    }

    /// Index of the first reading with time stamp > `time` (`count` when none).
    public func index(after time: Int64) -> Int {
        var low = 0
        var high = self.count
        while low < high {
            let mid = (low + high) / 2
            if self.timestamp(mid) <= time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// ``index(after:)`` for a time near the newest readings: the first reading with time stamp > `time`,
    /// galloping back from reading `j` (1, 2, 4, … readings) and then bisecting, so O(log d) for an answer
    /// d readings before `j`. Readings after `j` are never looked at; when `timestamp(j) <= time` the
    /// answer is not in `0...j` and this is the whole-series bisection.
    @inline(__always)
    public func index(after time: Int64, searchingBackFrom j: Int) -> Int {
        self.slots.withUnsafeBufferPointer { slots in
            let head = self.head
            let mask = self.mask
            var high = j  // timestamp(high) > time
            guard slots[(head &+ high) & mask].timestamp > time else { return self.index(after: time) }
            var step = 1
            var low = high - 1
            while low >= 0, slots[(head &+ low) & mask].timestamp > time {
                high = low
                step &*= 2
                low = high - step
            }
            low = max(low, -1)  // timestamp(low) <= time, or low == -1
            while high - low > 1 {
                let mid = low + (high - low) / 2
                if slots[(head &+ mid) & mask].timestamp <= time { low = mid } else { high = mid }
            }
            return high
        }
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
        if self.count > 0 {
            let newest = self.slot(self.count - 1)
            if timestamp <= newest.timestamp {
                guard timestamp > newest.timestamp - self.span else { return .tooOld }
                let index = self.index(atOrAfter: timestamp)
                if index < self.count, self.timestamp(index) == timestamp { return .repeated }
                self.reserveOne()
                let before = index == 0 ? self.base : self.slot(index - 1).total
                let head = self.head
                let mask = self.mask
                let count = self.count
                self.slots.withUnsafeMutableBufferPointer { slots in
                    var k = count
                    while k > index {
                        var moved = slots[(head &+ k &- 1) & mask]
                        moved.total &+= micro
                        slots[(head &+ k) & mask] = moved
                        k -= 1
                    }
                    slots[(head &+ index) & mask] = Slot(timestamp: timestamp, value: value, total: before &+ micro)
                }
                self.count += 1
                // Capacity may push the oldest out: the index is where the reading stands after that, and a
                // reading that was itself the oldest has left at once, as one older than the span would.
                let position = index - self.trim(latest: newest.timestamp)
                return position >= 0 ? .inserted(position) : .tooOld
            }
            self.reserveOne()
            let at = (self.head &+ self.count) & self.mask
            self.slots[at] = Slot(timestamp: timestamp, value: value, total: newest.total &+ micro)
            self.count += 1
            self.trim(latest: timestamp)
            return .appended
        }
        self.reserveOne()
        self.slots[self.head] = Slot(timestamp: timestamp, value: value, total: self.base &+ micro)
        self.count = 1
        return .appended
    }

    /// Makes room for one more reading: doubles the ring (oldest first at slot 0) when it is full.
    private mutating func reserveOne() {
        guard self.count == self.slots.count else { return }
        let size = max(Self.initialSlots, self.slots.count * 2)
        var grown = ContiguousArray<Slot>()
        grown.reserveCapacity(size)
        for i in 0..<self.count { grown.append(self.slot(i)) }
        while grown.count < size { grown.append(Slot(timestamp: 0, value: 0, total: 0)) }
        self.slots = grown
        self.head = 0
        self.mask = size - 1
    }

    /// Drops readings at or before `latest - span` (keeping the newest), and the oldest beyond capacity;
    /// returns how many left.
    @discardableResult
    private mutating func trim(latest: Int64) -> Int {
        let horizon = latest - self.span
        var drop = 0
        while drop < self.count - 1, self.timestamp(drop) <= horizon { drop += 1 }
        if self.count - drop > self.capacity {
            drop = self.count - self.capacity
            self.truncated = true
        }
        guard drop > 0 else { return 0 }
        self.base = self.slot(drop - 1).total
        self.head = (self.head &+ drop) & self.mask
        self.count -= drop
        return drop
    }

    /// Bytes held by the series' storage (capacity of its ring).
    public var memoryBytes: Int { self.slots.capacity * MemoryLayout<Slot>.stride }
}
