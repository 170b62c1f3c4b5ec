// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// What a rule measured: its name in evidence and notices, built only when one is written.
enum MeasureName: Sendable, Equatable {
    case value, rain, intensity, tangentialAngle, timeToFailure, all, any
    case ratePer(Int64)

    /// `rain_24h`, `intensity_1h`, `rate_per_1d`, …; window rules name their window.
    func text(window: Int64?) -> String {
        switch self {
        case .value: "value"
        case .rain: "rain_" + RuleFileDuration.text(window ?? 0)
        case .intensity: "intensity_" + RuleFileDuration.text(window ?? 0)
        case .tangentialAngle: "tangential_angle"
        case .timeToFailure: "time_to_failure"
        case .all: "all"
        case .any: "any"
        case .ratePer(let per): "rate_per_\(RuleFileDuration.text(per))"
        }
    }
}

/// The numbers behind an assessment's detail text, built into text only when evidence is written.
enum AssessmentDetail: Sendable, Equatable {
    case none
    /// The antecedent moisture class and the measure it came from (nil: no antecedent data).
    case moisture(MoistureClass, Double?)
    case fit(failureAt: Int64, points: Int, rSquared: Double)
    /// A combination: the engine lists its conditions.
    case combination
}

/// A rule's assessment of one moment: the level its measure reaches, the level it still holds with
/// hysteresis, whether it is near its lowest threshold, and the numbers behind it.
///
/// Only trivial fields (no strings, no arrays): it is made for every reading, and copying it must not
/// retain anything. ``RuleEngine`` turns it into ``Evidence`` when a level or watch changes.
struct Assessment {
    var level: WarningLevel
    /// The highest level whose threshold, widened by the hysteresis band, the measure still reaches
    /// (>= ``level``): a raised level is lowered no further than this.
    var holdLevel: WarningLevel
    var watch: Bool
    var measure: MeasureName
    var value: Double
    var threshold: Double?
    var window: Int64?
    var detail: AssessmentDetail

    static let nothing = Assessment(level: .none, holdLevel: .none, watch: false, measure: .value, value: 0)

    init(
        level: WarningLevel, holdLevel: WarningLevel, watch: Bool, measure: MeasureName, value: Double, threshold: Double? = nil,
        window: Int64? = nil, detail: AssessmentDetail = .none
    ) {
        self.level = level
        self.holdLevel = max(level, holdLevel)
        self.watch = watch
        self.measure = measure
        self.value = value
        self.threshold = threshold
        self.window = window
        self.detail = detail
    }

    /// The measure's name as evidence and notices print it.
    var measureText: String { self.measure.text(window: self.window) }
}

/// Tiers prepared for one comparison direction with hysteresis and watch bands.
struct TierProgram: Sendable {
    let tiers: Tiers
    let falling: Bool
    /// Per tier (same order as `tiers.values`): the value a raised level must fall back past to be lowered.
    let holdValues: [Double]
    /// The lowest tier scaled by the watch fraction, or nil.
    let watchValue: Double?

    init(_ tiers: Tiers, falling: Bool, persistence: Persistence, watchFraction: Double?) {
        self.tiers = tiers
        self.falling = falling
        self.holdValues = tiers.values.map { _, value in
            let band = persistence.hysteresisIsFraction ? abs(value) * persistence.hysteresis : persistence.hysteresis
            return falling ? value + band : value - band
        }
        self.watchValue = watchFraction.flatMap { fraction in
            tiers.lowest.map { falling ? $0.value / fraction : $0.value * fraction }
        }
    }

    @inline(__always)
    func reaches(_ measure: Double, _ threshold: Double) -> Bool { self.falling ? measure <= threshold : measure >= threshold }

    func assess(_ measure: Double, name: MeasureName, window: Int64?, detail: AssessmentDetail = .none) -> Assessment {
        var level = WarningLevel.none
        var hold = WarningLevel.none
        var threshold: Double?
        for (index, tier) in self.tiers.values.enumerated() {
            if self.reaches(measure, tier.value) {
                level = tier.level
                threshold = tier.value
            }
            if self.reaches(measure, self.holdValues[index]) { hold = tier.level }
        }
        let watch = level == .none && (self.watchValue.map { self.reaches(measure, $0) } ?? false)
        if level == .none, watch { threshold = self.tiers.lowest?.value }
        return Assessment(
            level: level, holdLevel: hold, watch: watch, measure: name, value: measure, threshold: threshold, window: window,
            detail: detail)
    }
}

/// A window table prepared for exact comparison: thresholds in micro-units, per window and level.
struct WindowProgram: Sendable {
    /// Int64s per window in ``table``.
    static let stride = 10
    /// Per window w, at `w * stride`: the window (ms); the micro-units it must reach for levels blue…red
    /// (`Int64.max` when absent); the same widened by the hysteresis band; the micro-units of the
    /// near-threshold watch (`Int64.max` when none). One flat array, so an assessment retains at most one
    /// buffer and reads one run of memory.
    let table: ContiguousArray<Int64>
    /// `shown[w * 4 + l]`: the threshold of window w and level l in the rule's own measure (mm, or mm/h
    /// for intensity), NaN when absent.
    let shown: ContiguousArray<Double>
    let windowCount: Int
    /// Intensity-duration: the measure shown is rain / hours.
    let intensity: Bool

    init(table: WindowTable, persistence: Persistence, watchFraction: Double?) {
        self.init(
            windows: table.windows,
            amounts: table.windows.indices.map { w in
                WarningLevel.warning.map { level in table.tiers.first { $0.level == level }.map { $0.values[w] } }
            },
            shown: nil, persistence: persistence, watchFraction: watchFraction, intensity: false)
    }

    /// Intensity-duration as a table: rain over D reaching a·D^(1-b)·factor mm means I = rain/D ≥ a·D^-b·factor.
    init(a: Double, b: Double, durations: [Int64], factors: Tiers, persistence: Persistence, watchFraction: Double?) {
        let amounts = durations.map { duration in
            let hours = Double(duration) / 3_600_000
            return WarningLevel.warning.map { level in factors[level].map { a * Self.power(hours, 1 - b) * $0 } }
        }
        let shown = durations.map { duration in
            let hours = Double(duration) / 3_600_000
            return WarningLevel.warning.map { level in factors[level].map { a * Self.power(hours, -b) * $0 } }
        }
        self.init(
            windows: durations, amounts: amounts, shown: shown, persistence: persistence, watchFraction: watchFraction,
            intensity: true)
    }

    private init(
        windows: [Int64], amounts: [[Double?]], shown: [[Double?]]?, persistence: Persistence, watchFraction: Double?,
        intensity: Bool
    ) {
        self.windowCount = windows.count
        self.intensity = intensity
        self.shown = ContiguousArray((shown ?? amounts).flatMap { row in row.map { $0 ?? .nan } })
        var table = ContiguousArray<Int64>()
        for (w, row) in amounts.enumerated() {
            table.append(windows[w])
            table += row.map { $0.map(ChannelSeries.micro) ?? .max }
            table += row.map { amount in
                amount.map { value in
                    let band = persistence.hysteresisIsFraction ? value * persistence.hysteresis : persistence.hysteresis
                    return ChannelSeries.micro(value - band)
                } ?? .max
            }
            if let fraction = watchFraction, let lowest = row.compactMap({ $0 }).first {
                table.append(ChannelSeries.micro(lowest * fraction))
            } else {
                table.append(.max)
            }
        }
        self.table = table
    }

    static func power(_ x: Double, _ y: Double) -> Double {
        guard x > 0 else { return 0 }
        return Foundation.pow(x, y)
    }

    /// The level the series reaches at reading `j` over any window.
    func assess(_ series: borrowing ChannelSeries, at j: Int, detail: AssessmentDetail = .none) -> Assessment {
        let end = series.timestamp(j)
        var best = WarningLevel.none
        var hold = WarningLevel.none
        var bestWindow = 0
        var bestSum: Int64 = 0
        var watchWindow = -1
        var watchSum: Int64 = 0
        self.table.withUnsafeBufferPointer { table in
            for w in 0..<self.windowCount {
                let row = w &* Self.stride
                // Windows end at the newest readings: galloping back from j touches a few cache lines near the
                // end of the series, where a bisection of the whole series would touch ~log2(count) cold ones.
                let sum = series.microSum(series.index(after: end - table[row], searchingBackFrom: j), j)
                var level = 0
                var held = 0
                for l in 0..<4 {
                    if sum >= table[row &+ 1 &+ l] { level = l + 1 }
                    if sum >= table[row &+ 5 &+ l] { held = l + 1 }
                }
                if held > hold.rawValue { hold = WarningLevel(rawValue: held)! }
                if w == 0 { bestSum = sum }
                if level > best.rawValue {
                    best = WarningLevel(rawValue: level)!
                    bestWindow = w
                    bestSum = sum
                }
                if watchWindow < 0, sum >= table[row &+ 9] {
                    watchWindow = w
                    watchSum = sum
                }
            }
        }
        let watch = best == .none && watchWindow >= 0
        if watch {
            bestWindow = watchWindow
            bestSum = watchSum
        }
        let window = self.table[bestWindow &* Self.stride]
        let amount = Double(bestSum) / ChannelSeries.scale
        let hours = Double(window) / 3_600_000
        let value = self.intensity ? amount / hours : amount
        var threshold: Double?
        if best != .none {
            threshold = self.shown[bestWindow &* 4 &+ best.rawValue &- 1]
        } else if watch {
            for l in 0..<4 where !self.shown[bestWindow &* 4 &+ l].isNaN {
                threshold = self.shown[bestWindow &* 4 &+ l]
                break
            }
        }
        if let shown = threshold, shown.isNaN { threshold = nil }
        return Assessment(
            level: best, holdLevel: hold, watch: watch, measure: self.intensity ? .intensity : .rain, value: value,
            threshold: threshold, window: window, detail: detail)
    }
}

/// A rule prepared for evaluation.
enum RuleProgram: Sendable {
    case level(TierProgram)
    case windows(normal: WindowProgram, antecedent: AntecedentProgram?)
    case rate(window: Int64, per: Int64, smoothing: Int, TierProgram)
    case angle(uniformPerDay: Double, window: Int64, smoothing: Int, TierProgram)
    case inverseVelocity(window: Int64, velocityWindow: Int64, minimumPoints: Int, TierProgram)
    case combination(all: Bool, conditions: [Condition], level: WarningLevel)
    case noData(limit: Int64)
    case health(batteryBelow: Double?, faults: Bool)

    init(_ definition: RuleDefinition, interval: Int64) {
        let p = definition.persistence
        let watch = definition.watchFraction
        switch definition.kind {
        case .level(let tiers, let falling):
            self = .level(TierProgram(tiers, falling: falling, persistence: p, watchFraction: watch))
        case .accumulation(let table, let antecedent):
            self = .windows(
                normal: WindowProgram(table: table, persistence: p, watchFraction: watch),
                antecedent: antecedent.map { AntecedentProgram($0, normal: table, persistence: p, watchFraction: watch) })
        case .intensityDuration(let a, let b, let durations, let factors):
            self = .windows(
                normal: WindowProgram(a: a, b: b, durations: durations, factors: factors, persistence: p, watchFraction: watch),
                antecedent: nil)
        case .rate(let window, let per, let smoothing, let tiers):
            self = .rate(
                window: window, per: per, smoothing: smoothing,
                TierProgram(tiers, falling: false, persistence: p, watchFraction: watch))
        case .tangentialAngle(let v0, let window, let smoothing, let tiers):
            self = .angle(
                uniformPerDay: v0, window: window, smoothing: smoothing,
                TierProgram(tiers, falling: false, persistence: p, watchFraction: watch))
        case .inverseVelocity(let window, let velocityWindow, let minimumPoints, let horizons):
            self = .inverseVelocity(
                window: window, velocityWindow: velocityWindow, minimumPoints: minimumPoints,
                TierProgram(horizons, falling: true, persistence: p, watchFraction: watch))
        case .combination(let all, let conditions, let level):
            self = .combination(all: all, conditions: conditions, level: level)
        case .noData(let factor):
            self = .noData(limit: Int64((factor * Double(interval)).rounded()))
        case .deviceHealth(let battery, let faults):
            self = .health(batteryBelow: battery, faults: faults)
        }
    }
}

/// The three moisture tables of an accumulation rule and where the class comes from.
struct AntecedentProgram: Sendable {
    let source: Antecedent.Source
    let dryBelow: Double
    let wetFrom: Double
    let dry: WindowProgram
    let wet: WindowProgram
    /// For antecedent rain: the longest window of the normal table (the antecedent period ends where it starts).
    let longest: Int64

    init(_ antecedent: Antecedent, normal: WindowTable, persistence: Persistence, watchFraction: Double?) {
        self.source = antecedent.source
        self.dryBelow = antecedent.dryBelow
        self.wetFrom = antecedent.wetFrom
        self.dry = WindowProgram(table: antecedent.dry, persistence: persistence, watchFraction: watchFraction)
        self.wet = WindowProgram(table: antecedent.wet, persistence: persistence, watchFraction: watchFraction)
        self.longest = normal.windows.max() ?? 0
    }

    func moistureClass(of value: Double) -> MoistureClass {
        value < self.dryBelow ? .dry : value >= self.wetFrom ? .wet : .normal
    }
}
