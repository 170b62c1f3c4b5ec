// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// Durations as rule files write them: `10m`, `1h`, `3d`, `30s`; what messages print.
public enum DurationText {
    /// `36h`, `10m`, `3d`, `90s`, `1500ms`: the largest unit that divides the duration.
    public static func format(_ milliseconds: Int64) -> String {
        if milliseconds != 0, milliseconds % 86_400_000 == 0, milliseconds >= 3 * 86_400_000 { return "\(milliseconds / 86_400_000)d" }
        if milliseconds != 0, milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds != 0, milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}

/// A rule's assessment of one moment: the level its measure reaches, the level it still holds with
/// hysteresis, whether it is near its lowest threshold, and the numbers behind it.
struct Assessment {
    var level: WarningLevel
    /// The highest level whose threshold, widened by the hysteresis band, the measure still reaches
    /// (>= ``level``): a raised level is lowered no further than this.
    var holdLevel: WarningLevel
    var watch: Bool
    var measure: String
    var value: Double
    var threshold: Double?
    var window: Int64?
    var detail: String?

    static let nothing = Assessment(level: .none, holdLevel: .none, watch: false, measure: "", value: 0)

    init(
        level: WarningLevel, holdLevel: WarningLevel, watch: Bool, measure: String, value: Double, threshold: Double? = nil,
        window: Int64? = nil, detail: String? = nil
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

    func assess(_ measure: Double, name: String, window: Int64?, detail: String? = nil) -> Assessment {
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
    let windows: [Int64]
    /// `raise[w * 4 + l]`: micro-units window w must reach for level l (index 0 = blue), `Int64.max` when
    /// absent. One flat array (not one per window) so an assessment retains no per-window arrays.
    let raise: [Int64]
    /// `hold[w * 4 + l]`: the same, widened by the hysteresis band.
    let hold: [Int64]
    /// Micro-units per window for the near-threshold watch, `Int64.max` when none.
    let watch: [Int64]
    /// Threshold per window and level in the rule's own measure (mm, or mm/h for intensity).
    let shown: [[Double?]]
    let names: [String]
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
        self.windows = windows
        self.intensity = intensity
        self.shown = shown ?? amounts
        self.raise = amounts.flatMap { row in row.map { $0.map(ChannelSeries.micro) ?? .max } }
        self.hold = amounts.flatMap { row in
            row.map { amount in
                amount.map { value in
                    let band = persistence.hysteresisIsFraction ? value * persistence.hysteresis : persistence.hysteresis
                    return ChannelSeries.micro(value - band)
                } ?? .max
            }
        }
        self.watch = amounts.map { row in
            guard let fraction = watchFraction, let lowest = row.compactMap({ $0 }).first else { return .max }
            return ChannelSeries.micro(lowest * fraction)
        }
        self.names = windows.map { (intensity ? "intensity_" : "rain_") + DurationText.format($0) }
    }

    static func power(_ x: Double, _ y: Double) -> Double {
        guard x > 0 else { return 0 }
        return Foundation.pow(x, y)
    }

    /// The level the series reaches at reading `j` over any window.
    func assess(_ series: borrowing ChannelSeries, at j: Int, detail: String? = nil) -> Assessment {
        let end = series.timestamp(j)
        var best = WarningLevel.none
        var hold = WarningLevel.none
        var bestWindow = 0
        var bestSum: Int64 = 0
        var watchWindow = -1
        var watchSum: Int64 = 0
        for w in self.windows.indices {
            // Windows end at the newest readings: galloping back from j touches a few cache lines near the
            // end of the series, where a bisection of the whole series would touch ~log2(count) cold ones.
            let sum = series.microSum(series.index(after: end - self.windows[w], searchingBackFrom: j), j)
            var level = WarningLevel.none
            for l in 0..<4 {
                let tier = WarningLevel(rawValue: l + 1)!
                if sum >= self.raise[w &* 4 &+ l] { level = tier }
                if sum >= self.hold[w &* 4 &+ l], tier > hold { hold = tier }
            }
            if w == 0 { bestSum = sum }
            if level > best {
                best = level
                bestWindow = w
                bestSum = sum
            }
            if watchWindow < 0, sum >= self.watch[w] {
                watchWindow = w
                watchSum = sum
            }
        }
        let watch = best == .none && watchWindow >= 0
        if watch {
            bestWindow = watchWindow
            bestSum = watchSum
        }
        let amount = Double(bestSum) / ChannelSeries.scale
        let hours = Double(self.windows[bestWindow]) / 3_600_000
        let value = self.intensity ? amount / hours : amount
        let threshold: Double? =
            best == .none
            ? (watch ? self.shown[bestWindow].compactMap { $0 }.first : nil)
            : self.shown[bestWindow][best.rawValue - 1]
        return Assessment(
            level: best, holdLevel: hold, watch: watch, measure: self.names[bestWindow], value: value,
            threshold: threshold, window: self.windows[bestWindow], detail: detail)
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
