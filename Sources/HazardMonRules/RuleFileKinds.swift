// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Yams

/// Reading the kind key of a rule (`level:`, `accumulation:`, …) into a ``RuleKind``.
extension RuleFileReader {
    /// The default tangential-angle bands in degrees (domain.md §1, Xu Qiang).
    static let defaultAngleTiers = Tiers([.blue: 40, .yellow: 45, .orange: 80, .red: 85])

    /// Inverse-velocity fits use at least this many velocities unless the rule says otherwise.
    static let defaultMinimumPoints = 6

    mutating func kind(_ entry: RuleFileEntry) -> RuleKind? {
        let path = entry.name
        let start = self.issues.count
        func keys(_ known: [String]) -> [String: RuleFileEntry]? {
            self.entries(entry.value, path: path, line: entry.line, known: known)
        }
        switch entry.name {
        case "level":
            guard let keys = keys(["tiers", "direction"]) else { return nil }
            let tiers = self.required(keys, "tiers", in: entry).flatMap { self.tiers($0, path + ".tiers") }
            var falling = false
            if let direction = keys["direction"] {
                switch direction.value.scalar?.string.trimmingWhitespace {
                case "rising": falling = false
                case "falling": falling = true
                default: self.fail(path + ".direction", direction.line, "\(Self.quoted(direction.value)) must be rising or falling")
                }
            }
            guard self.issues.count == start, let tiers else { return nil }
            return .level(tiers: tiers, falling: falling)

        case "accumulation":
            guard let keys = keys(["windows", "tiers", "antecedent"]) else { return nil }
            let table = self.windowTable(keys, path: path, in: entry)
            var antecedent: Antecedent?
            if let given = keys["antecedent"], let table {
                antecedent = self.antecedent(given, path: path + ".antecedent", normal: table)
            }
            guard self.issues.count == start, let table else { return nil }
            return .accumulation(table: table, antecedent: antecedent)

        case "rate":
            guard let keys = keys(["window", "per", "smoothing", "tiers"]) else { return nil }
            let window = self.required(keys, "window", in: entry).flatMap { self.duration($0, path + ".window") }
            let per = self.required(keys, "per", in: entry).flatMap { self.duration($0, path + ".per") }
            let smoothing = keys["smoothing"].map { self.integer($0, path + ".smoothing", atLeast: 1) } ?? 1
            let tiers = self.required(keys, "tiers", in: entry).flatMap { self.tiers($0, path + ".tiers") }
            guard self.issues.count == start, let window, let per, let smoothing, let tiers else { return nil }
            return .rate(window: window, per: per, smoothing: smoothing, tiers: tiers)

        case "tangential_angle":
            guard let keys = keys(["uniform_velocity", "window", "smoothing", "tiers"]) else { return nil }
            let velocity = self.required(keys, "uniform_velocity", in: entry).flatMap {
                self.number($0, path + ".uniform_velocity", above: 0)
            }
            let window = self.required(keys, "window", in: entry).flatMap { self.duration($0, path + ".window") }
            let smoothing = keys["smoothing"].map { self.integer($0, path + ".smoothing", atLeast: 1) } ?? 1
            let tiers = keys["tiers"].map { self.tiers($0, path + ".tiers") } ?? Self.defaultAngleTiers
            if let tiers, let out = tiers.values.first(where: { !(0..<90).contains($0.value) }) {
                self.fail(path + ".tiers", self.marks[path + ".tiers." + out.level.name]?.line, "an angle must be at least 0° and below 90°")
            }
            guard self.issues.count == start, let velocity, let window, let smoothing, let tiers else { return nil }
            return .tangentialAngle(uniformVelocityPerDay: velocity, window: window, smoothing: smoothing, tiers: tiers)

        case "inverse_velocity":
            guard let keys = keys(["window", "velocity_window", "min_points", "horizons"]) else { return nil }
            let window = self.required(keys, "window", in: entry).flatMap { self.duration($0, path + ".window") }
            let velocityWindow = self.required(keys, "velocity_window", in: entry).flatMap {
                self.duration($0, path + ".velocity_window")
            }
            let minimum = keys["min_points"].map { self.integer($0, path + ".min_points", atLeast: 3) } ?? Self.defaultMinimumPoints
            let horizons = self.required(keys, "horizons", in: entry).flatMap { horizons in
                self.levelMap(horizons, path + ".horizons") { reader, node, path, line in
                    reader.duration(node, path, line: line).map(Double.init)
                }
            }
            guard self.issues.count == start, let window, let velocityWindow, let minimum, let horizons else { return nil }
            return .inverseVelocity(window: window, velocityWindow: velocityWindow, minimumPoints: minimum, horizons: Tiers(horizons))

        case "intensity_duration":
            guard let keys = keys(["a", "b", "durations", "factors"]) else { return nil }
            let a = self.required(keys, "a", in: entry).flatMap { self.number($0, path + ".a", above: 0) }
            let b = self.required(keys, "b", in: entry).flatMap { self.number($0, path + ".b") }
            let durations = self.required(keys, "durations", in: entry).flatMap { self.durations($0, path + ".durations") }
            let factors = self.required(keys, "factors", in: entry).flatMap { factors in
                self.levelMap(factors, path + ".factors") { reader, node, path, line in reader.number(node, path, line: line, above: 0) }
            }
            guard self.issues.count == start, let a, let b, let durations, let factors else { return nil }
            return .intensityDuration(a: a, b: b, durations: durations, factors: Tiers(factors))

        case "combination":
            guard let keys = keys(["all", "any", "level"]) else { return nil }
            var all = true
            var list: RuleFileEntry?
            switch (keys["all"], keys["any"]) {
            case (let given?, nil): list = given
            case (nil, let given?):
                list = given
                all = false
            case (_?, let any?): self.fail(path + ".any", any.line, "give either all or any, not both")
            case (nil, nil): self.fail(path, entry.line, "needs `all:` or `any:`, a list of {rule: ID, at_least: LEVEL}")
            }
            let conditions = list.flatMap { self.conditions($0, path: path + "." + $0.name) }
            let level = self.required(keys, "level", in: entry).flatMap { self.level($0.value, path + ".level", line: $0.line) }
            guard self.issues.count == start, let conditions, let level else { return nil }
            return .combination(all: all, conditions: conditions, level: level)

        case "no_data":
            guard let keys = keys(["factor"]) else { return nil }
            let factor = self.required(keys, "factor", in: entry).flatMap { self.number($0, path + ".factor", 1...1000) }
            guard self.issues.count == start, let factor else { return nil }
            return .noData(factor: factor)

        case "device_health":
            guard let keys = keys(["battery_below", "faults"]) else { return nil }
            let battery = keys["battery_below"].map { self.number($0, path + ".battery_below", 0...100) }
            let faults = keys["faults"].map { self.boolean($0, path + ".faults") } ?? false
            if battery == nil, faults == false {
                self.fail(path, entry.line, "checks nothing; give battery_below: PERCENT and/or faults: true")
            }
            guard self.issues.count == start, let faults else { return nil }
            return .deviceHealth(batteryBelow: battery ?? nil, faults: faults)

        default:
            return nil
        }
    }

    /// A required key of a kind's mapping, logging it at the kind key when missing.
    mutating func required(_ keys: [String: RuleFileEntry], _ name: String, in entry: RuleFileEntry) -> RuleFileEntry? {
        if let found = keys[name] { return found }
        self.fail(entry.name + "." + name, entry.line, "required key is missing")
        return nil
    }

    /// `windows` and `tiers` (level → one value per window) of a mapping.
    mutating func windowTable(_ keys: [String: RuleFileEntry], path: String, in entry: RuleFileEntry) -> WindowTable? {
        let windowsEntry = keys["windows"]
        let tiersEntry = keys["tiers"]
        if windowsEntry == nil { self.fail(path + ".windows", entry.line, "required key is missing") }
        if tiersEntry == nil { self.fail(path + ".tiers", entry.line, "required key is missing") }
        guard let windowsEntry, let tiersEntry, let windows = self.durations(windowsEntry, path + ".windows") else { return nil }
        let tiers = self.levelMap(tiersEntry, path + ".tiers") { reader, node, path, line -> [Double]? in
            guard let items = node.sequence else {
                reader.fail(path, line, "must be a list of \(windows.count) numbers, one per window")
                return nil
            }
            guard items.count == windows.count else {
                reader.fail(path, line, "has \(items.count) value\(items.count == 1 ? "" : "s") for \(windows.count) windows")
                return nil
            }
            var values: [Double] = []
            for item in items {
                guard let value = reader.number(item, path, line: item.mark?.line ?? line) else { return nil }
                values.append(value)
            }
            return values
        }
        guard let tiers else { return nil }
        return WindowTable(windows: windows, tiers: tiers.map { (level: $0.level, values: $0.value) })
    }

    /// `antecedent:` of an accumulation: where the moisture class is read, its bounds and the dry and wet tables.
    private mutating func antecedent(_ entry: RuleFileEntry, path: String, normal: WindowTable) -> Antecedent? {
        let start = self.issues.count
        guard let keys = self.entries(entry.value, path: path, line: entry.line, known: ["from", "dry_below", "wet_from", "dry", "wet"])
        else { return nil }
        var source: Antecedent.Source?
        if let from = self.required(keys, "from", in: RuleFileEntry(name: path, key: entry.key, value: entry.value)) {
            let fromPath = path + ".from"
            if let fromKeys = self.entries(from.value, path: fromPath, line: from.line, known: ["sensor", "channel", "rain"]) {
                if fromKeys.count != 1 {
                    self.fail(fromPath, from.line, "must be one of {sensor: KIND}, {channel: CODE} or {rain: DURATION}")
                } else if let rain = fromKeys["rain"] {
                    source = self.duration(rain, fromPath + ".rain").map { .rain(window: $0) }
                } else if let selector = self.selector(sensor: fromKeys["sensor"], channel: fromKeys["channel"], path: fromPath, line: from.line),
                    let selector
                {
                    source = .channel(selector)
                }
            }
        }
        let wrapper = RuleFileEntry(name: path, key: entry.key, value: entry.value)
        let dryBelow = self.required(keys, "dry_below", in: wrapper).flatMap { self.number($0, path + ".dry_below") }
        let wetFrom = self.required(keys, "wet_from", in: wrapper).flatMap { self.number($0, path + ".wet_from") }
        if let dryBelow, let wetFrom, dryBelow > wetFrom {
            self.fail(path + ".wet_from", keys["wet_from"]?.line, "must not be below dry_below (\(dryBelow.plainText))")
        }
        func table(_ name: String) -> WindowTable? {
            guard let given = self.required(keys, name, in: wrapper),
                let tableKeys = self.entries(given.value, path: path + "." + name, line: given.line, known: ["windows", "tiers"])
            else { return nil }
            let tablePath = path + "." + name
            return self.windowTable(tableKeys, path: tablePath, in: RuleFileEntry(name: tablePath, key: given.key, value: given.value))
        }
        let dry = table("dry")
        let wet = table("wet")
        guard self.issues.count == start, let source, let dryBelow, let wetFrom, let dry, let wet else { return nil }
        return Antecedent(source: source, dryBelow: dryBelow, wetFrom: wetFrom, dry: dry, normal: normal, wet: wet)
    }

    /// The conditions of a combination: `[{rule: ID, at_least: LEVEL}, …]`, at least one.
    private mutating func conditions(_ entry: RuleFileEntry, path: String) -> [Condition]? {
        guard let items = entry.value.sequence, !items.isEmpty else {
            self.fail(path, entry.line, "must be a list of {rule: ID, at_least: LEVEL}")
            return nil
        }
        var conditions: [Condition] = []
        var failed = false
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let keys = self.entries(item, path: itemPath, line: item.mark?.line, known: ["rule", "at_least"]) else {
                failed = true
                continue
            }
            let wrapper = RuleFileEntry(name: itemPath, key: item, value: item)
            let rule = self.required(keys, "rule", in: wrapper).flatMap { self.text($0, itemPath + ".rule") }
            let level = self.required(keys, "at_least", in: wrapper).flatMap {
                self.level($0.value, itemPath + ".at_least", line: $0.line)
            }
            guard let rule, let level else {
                failed = true
                continue
            }
            conditions.append(Condition(rule: rule, atLeast: level))
        }
        return failed ? nil : conditions
    }
}
