// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// Where a rule was written: a rule file and the line of the key, for `file:line` messages.
public struct SourceMark: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(self.file):\(self.line)" }
}

/// Which sites a rule applies to. A rule for a kind of site is the default for every site of that kind; a
/// per-site override (``RuleDefinition/overrides``) replaces parts of it for one site.
public enum RuleTarget: Sendable, Hashable {
    /// Every site of a kind.
    case siteKind(SiteKind)
    /// One site (all its monitoring points).
    case site(String)
    /// One monitoring point of one site.
    case point(site: String, point: String)
    /// One channel of one device.
    case channel(device: String, channel: String)
}

/// Which channels of a targeted site feed a rule.
public enum ChannelSelector: Sendable, Hashable {
    /// Every channel of this sensor kind (`sensor: rain`).
    case sensor(SensorKind)
    /// Every channel with this code (`channel: L1_GP_X`).
    case code(String)
}

/// Values per warning level, lowest level first; levels left out are not raised by the rule.
///
/// For a rising measure each value must be larger than the one of the level below; for a falling one
/// (time left to failure) smaller. ``RuleCheck`` enforces that ("tiers not monotonic").
public struct Tiers: Sendable, Hashable {
    public var values: [(level: WarningLevel, value: Double)]

    public init(_ values: [(level: WarningLevel, value: Double)]) {
        self.values = values.sorted { $0.level < $1.level }
    }

    public init(_ dictionary: [WarningLevel: Double]) {
        self.init(dictionary.map { (level: $0.key, value: $0.value) })
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.values.count == rhs.values.count
            && zip(lhs.values, rhs.values).allSatisfy { $0.level == $1.level && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for (level, value) in self.values {
            hasher.combine(level)
            hasher.combine(value)
        }
    }

    /// The value of a level, if the rule has one.
    public subscript(level: WarningLevel) -> Double? { self.values.first { $0.level == level }?.value }

    /// The lowest level's value: what a near-threshold watch is a fraction of.
    public var lowest: (level: WarningLevel, value: Double)? { self.values.first }

    /// The highest level whose value `measure` reaches: `>=` for rising tiers, `<=` for falling ones.
    @inline(__always)
    public func level(of measure: Double, falling: Bool = false) -> WarningLevel {
        var reached = WarningLevel.none
        for (level, value) in self.values {
            if falling ? measure <= value : measure >= value { reached = level } else { break }
        }
        return reached
    }
}

/// A rolling-window accumulation table: one row of values per window, one column per level.
public struct WindowTable: Sendable, Hashable {
    /// Window lengths in milliseconds, as given.
    public var windows: [Int64]
    /// For each level, one threshold per window (same order as ``windows``).
    public var tiers: [(level: WarningLevel, values: [Double])]

    public init(windows: [Int64], tiers: [(level: WarningLevel, values: [Double])]) {
        self.windows = windows
        self.tiers = tiers.sorted { $0.level < $1.level }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.windows == rhs.windows && lhs.tiers.count == rhs.tiers.count
            && zip(lhs.tiers, rhs.tiers).allSatisfy { $0.level == $1.level && $0.values == $1.values }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.windows)
        for (level, values) in self.tiers {
            hasher.combine(level)
            hasher.combine(values)
        }
    }

    /// The tiers of the window at `index`.
    public func tiers(ofWindow index: Int) -> Tiers {
        Tiers(self.tiers.map { (level: $0.level, value: $0.values[index]) })
    }
}

/// Antecedent-moisture classes: which ``WindowTable`` applies depends on how wet the ground already is
/// (domain.md §3, 临界雨量 by 较干 / 一般 / 较湿).
public struct Antecedent: Sendable, Hashable {
    /// What the class is read from.
    public enum Source: Sendable, Hashable {
        /// The latest value of a soil-moisture (or any) channel on the same site, in its unit.
        case channel(ChannelSelector)
        /// The rain of the same channel over this window (ms) before the evaluated reading's window.
        case rain(window: Int64)
    }

    public var source: Source
    /// Below this value the ground is dry (较干).
    public var dryBelow: Double
    /// At or above this value the ground is wet (较湿); in between it is normal (一般).
    public var wetFrom: Double
    public var dry: WindowTable
    public var normal: WindowTable
    public var wet: WindowTable

    public init(source: Source, dryBelow: Double, wetFrom: Double, dry: WindowTable, normal: WindowTable, wet: WindowTable) {
        self.source = source
        self.dryBelow = dryBelow
        self.wetFrom = wetFrom
        self.dry = dry
        self.normal = normal
        self.wet = wet
    }
}

/// The moisture class an antecedent source put the ground in.
public enum MoistureClass: String, Sendable, Hashable, Codable {
    case dry, normal, wet
}

/// One part of a combination: another rule on the same site at or above a level.
public struct Condition: Sendable, Hashable {
    public var rule: String
    public var atLeast: WarningLevel

    public init(rule: String, atLeast: WarningLevel) {
        self.rule = rule
        self.atLeast = atLeast
    }
}

/// What a rule measures and how the measure maps onto levels. domain.md §1 and §3.
public enum RuleKind: Sendable, Hashable {
    /// 1. The value itself against tiers (water or mud level, cumulative displacement, crack width).
    ///    `falling` for quantities that warn when low.
    case level(tiers: Tiers, falling: Bool)
    /// 2. Rain summed over rolling windows `(T - w, T]`; the level is the highest any window reaches. With
    ///    `antecedent`, the table is chosen by moisture class and `table` is the normal one.
    case accumulation(table: WindowTable, antecedent: Antecedent?)
    /// 3. Change of the (smoothed) value over `window`, expressed per `per` ms, against tiers.
    ///    `smoothing` readings are averaged at each end of the window.
    case rate(window: Int64, per: Int64, smoothing: Int, tiers: Tiers)
    /// 4. Improved tangential angle α = arctan(v / v₀) in degrees, v the smoothed displacement rate over
    ///    `window` and v₀ the uniform-stage rate, both in unit per day. Default tiers 40/45/80/85.
    case tangentialAngle(uniformVelocityPerDay: Double, window: Int64, smoothing: Int, tiers: Tiers)
    /// 5. Inverse velocity: fit 1/v against time over `window` (velocities from `velocityWindow` steps);
    ///    the measure is the time left to the fitted failure time in ms, tiers falling (a horizon per level).
    case inverseVelocity(window: Int64, velocityWindow: Int64, minimumPoints: Int, horizons: Tiers)
    /// 6. Rain intensity-duration power law: for each duration D (ms), I = rain over D / D in mm/h against
    ///    `a · D_h^-b` times the level's factor; the level is the highest any duration reaches.
    case intensityDuration(a: Double, b: Double, durations: [Int64], factors: Tiers)
    /// 7. Other rules of the same site: `all` or any of `conditions` hold → `level`.
    case combination(all: Bool, conditions: [Condition], level: WarningLevel)
    /// 9a. Maintenance: a channel silent longer than `factor` × its expected interval.
    case noData(factor: Double)
    /// 9b. Maintenance: a device reporting `sensor_state` faults, or battery below `batteryBelow` %.
    case deviceHealth(batteryBelow: Double?, faults: Bool)
}

/// Persistence and anti-flap, item 8 of the rule kinds.
public struct Persistence: Sendable, Hashable {
    /// A higher level is raised only after its condition held this long (event time, ms); 0 = at once.
    public var forDuration: Int64 = 0
    /// ... and for this many consecutive readings; 1 = at once.
    public var consecutive: Int = 1
    /// A level is lowered only when the measure has left the level's band by this much: a fraction of
    /// the tier value (0.1 = 10 %) when `hysteresisIsFraction`, else an absolute amount in the rule's unit.
    public var hysteresis: Double = 0
    public var hysteresisIsFraction: Bool = true
    /// ... and only after the level has been held at least this long (ms since it was raised).
    public var hold: Int64 = 0
    /// A raised level with no new data lapses (to none) this long after the last reading (ms); nil = never.
    public var expiry: Int64?

    public init(
        forDuration: Int64 = 0, consecutive: Int = 1, hysteresis: Double = 0, hysteresisIsFraction: Bool = true,
        hold: Int64 = 0, expiry: Int64? = nil
    ) {
        self.forDuration = forDuration
        self.consecutive = consecutive
        self.hysteresis = hysteresis
        self.hysteresisIsFraction = hysteresisIsFraction
        self.hold = hold
        self.expiry = expiry
    }
}

/// One rule as written in a rule file, before it is bound to sites and channels.
public struct RuleDefinition: Sendable, Hashable {
    /// Unique in the rule set; combinations and overrides refer to it.
    public var id: String
    /// A readable name for messages; defaults to the id.
    public var name: String
    public var target: RuleTarget
    /// The channels that feed it (not used by combinations).
    public var input: ChannelSelector?
    /// The unit the rule's numbers are in; must be one the channel accepts (``SensorKind/acceptedUnits``).
    public var unit: String?
    public var kind: RuleKind
    public var persistence: Persistence
    /// Near-threshold watch: an internal notice when the measure reaches this fraction of the lowest
    /// tier (0.75 = 75 %) without raising a level.
    public var watchFraction: Double?
    /// Per-site replacements: the rule as it applies to the named site.
    public var overrides: [String: RuleDefinition]
    /// Where the rule starts in its file.
    public var mark: SourceMark
    /// Where each key of the rule was written, by key path relative to the rule: `applies_to.site`, `sensor`,
    /// `accumulation.windows`, `accumulation.tiers.yellow` (levels by colour name), `combination.all[0].rule`.
    /// Filled by ``RuleFileLoader`` so that ``RuleCheck`` can point at the offending line; empty for rules
    /// built in code. See ``mark(of:)``.
    public var marks: [String: SourceMark]

    public init(
        id: String, name: String? = nil, target: RuleTarget, input: ChannelSelector?, unit: String? = nil, kind: RuleKind,
        persistence: Persistence = Persistence(), watchFraction: Double? = nil, overrides: [String: RuleDefinition] = [:],
        mark: SourceMark = SourceMark(file: "", line: 0), marks: [String: SourceMark] = [:]
    ) {
        self.id = id
        self.name = name ?? id
        self.target = target
        self.input = input
        self.unit = unit
        self.kind = kind
        self.persistence = persistence
        self.watchFraction = watchFraction
        self.overrides = overrides
        self.mark = mark
        self.marks = marks
    }

    /// Where the key at `path` (see ``marks``) was written, or where the rule starts when it is not known.
    public func mark(of path: String) -> SourceMark { self.marks[path] ?? self.mark }

    /// Whether the rule raises maintenance notices rather than warning levels (never evacuation).
    public var isMaintenance: Bool {
        switch self.kind {
        case .noData, .deviceHealth: true
        default: false
        }
    }

    /// How far back in event time the rule reads its channel, in ms: what the engine must keep.
    public var span: Int64 {
        switch self.kind {
        case .level, .combination, .noData, .deviceHealth: return 0
        case .accumulation(let table, let antecedent):
            var span = table.windows.max() ?? 0
            if let antecedent {
                for t in [antecedent.dry, antecedent.normal, antecedent.wet] { span = max(span, t.windows.max() ?? 0) }
                if case .rain(let window) = antecedent.source { span += window }
            }
            return span
        case .rate(let window, _, _, _), .tangentialAngle(_, let window, _, _): return window
        case .inverseVelocity(let window, let velocityWindow, _, _): return window + velocityWindow
        case .intensityDuration(_, _, let durations, _): return durations.max() ?? 0
        }
    }
}

/// A whole rule set: every rule of `thresholds/*.yaml`, with a fingerprint of the text it came from.
public struct RuleSet: Sendable, Hashable {
    public var rules: [RuleDefinition]
    /// Changes whenever any rule file's text changes; stored with the engine state.
    public var fingerprint: String

    public init(rules: [RuleDefinition], fingerprint: String) {
        self.rules = rules
        self.fingerprint = fingerprint
    }

    public static let empty = RuleSet(rules: [], fingerprint: "")
}
