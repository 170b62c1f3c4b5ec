// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// The sites and channels a rule applies to in a register.
public struct RuleBinding: Sendable, Hashable {
    /// Codes of the targeted sites that exist, in register order.
    public var sites: [String]
    /// The channels of those sites the rule's selector matches; every channel of the targeted sites for a
    /// rule without a selector (device health), none for a combination.
    public var channels: [BoundChannel]

    public init(sites: [String], channels: [BoundChannel]) {
        self.sites = sites
        self.channels = channels
    }
}

/// Checks a loaded ``RuleSet`` against the site register and itself, reporting every problem with the
/// `file:line` of the offending key.
///
/// What is checked: targets name existing sites, points, devices and channels; each selector matches at
/// least one channel on the targeted sites; the rule's unit is one the matched channels' kind accepts and
/// rain-only kinds read rain; tiers rise with the level (fall for falling measures: inverse-velocity
/// horizons, `direction: falling`), per window for accumulation tables; no window reaches further back than
/// the retention; ids are unique; combinations name existing, non-maintenance rules other than themselves,
/// without cycles; overrides name sites the rule applies to. Overrides are checked like rules, on their site.
///
/// ```swift
/// let issues = RuleCheck.check(rules, registry: registry, retentionDays: configuration.retentionDays)
/// for issue in issues { print(issue) }   // file:line: field: reason
/// ```
public enum RuleCheck {
    /// Every problem of `rules` against `registry`, in rule order.
    /// - Parameter retentionDays: how long readings are kept; no rule may read further back.
    public static func check(_ rules: RuleSet, registry: Registry, retentionDays: Int) -> [RuleIssue] {
        let index = RegistryIndex(registry)
        var context = CheckContext(
            index: index, rulesByID: Dictionary(rules.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
            retention: Int64(retentionDays) * 86_400_000, retentionDays: retentionDays
        )
        var firstByID: [String: RuleDefinition] = [:]
        for rule in rules.rules {
            if let first = firstByID[rule.id] {
                context.add(rule.mark(of: "id"), rule.id + ".id", "duplicate rule id; first defined at \(first.mark(of: "id"))")
                continue
            }
            firstByID[rule.id] = rule
            context.check(rule, field: rule.id, site: nil)
            let targeted = Set(index.sites(of: rule.target).map(\.code))
            for (site, override) in rule.overrides.sorted(by: { $0.key < $1.key }) {
                let field = "\(rule.id).overrides[\(site)]"
                if index.sites[site] == nil {
                    context.add(override.mark, field + ".site", "unknown site '\(site)'")
                } else if !targeted.contains(site) {
                    context.add(override.mark, field + ".site", "site \(site) is not one rule \(rule.id) applies to")
                } else {
                    context.check(override, field: field, site: site)
                }
            }
        }
        context.checkCycles(rules.rules.filter { firstByID[$0.id] == $0 })
        return context.issues
    }

    /// Loads the rule folder and checks it against `registry`: the rule set, or every problem of the files
    /// (then of the check) as one ``RuleError``. What the daemon, `rules check` and `rules backtest` accept.
    public static func load(directory: String, registry: Registry, retentionDays: Int) throws(RuleError) -> RuleSet {
        let rules = try RuleFileLoader.load(directory: directory)
        let issues = Self.check(rules, registry: registry, retentionDays: retentionDays)
        guard issues.isEmpty else { throw RuleError(issues: issues) }
        return rules
    }

    /// The sites and channels `rule` applies to in `registry`.
    public static func binding(of rule: RuleDefinition, registry: Registry) -> RuleBinding {
        RegistryIndex(registry).binding(of: rule, site: nil)
    }
}

/// The register, indexed for checking.
private struct RegistryIndex {
    let registry: Registry
    let sites: [String: Site]
    /// Device id → site and point codes.
    let devices: [String: (site: Site, point: MonitoringPoint, device: Device)]
    let channelCodes: Set<String>

    init(_ registry: Registry) {
        self.registry = registry
        self.sites = Dictionary(registry.sites.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        var devices: [String: (site: Site, point: MonitoringPoint, device: Device)] = [:]
        var codes: Set<String> = []
        for site in registry.sites {
            for point in site.points {
                for device in point.devices {
                    devices[device.id] = (site, point, device)
                    codes.formUnion(device.channels.map(\.code))
                }
            }
        }
        self.devices = devices
        self.channelCodes = codes
    }

    /// The existing sites a target names.
    func sites(of target: RuleTarget) -> [Site] {
        switch target {
        case .siteKind(let kind): return self.registry.sites.filter { $0.kind == kind }
        case .site(let code), .point(let code, _): return self.sites[code].map { [$0] } ?? []
        case .channel(let device, _): return self.devices[device].map { [$0.site] } ?? []
        }
    }

    /// Every channel in the target's scope (all channels of targeted sites, of the point, or the one channel),
    /// on `site` only when given.
    func scope(of target: RuleTarget, site only: String?) -> [BoundChannel] {
        var result: [BoundChannel] = []
        for site in self.sites(of: target) where only == nil || site.code == only {
            for point in site.points {
                if case .point(_, let code) = target, point.code != code { continue }
                for device in point.devices {
                    if case .channel(let id, _) = target, device.id != id { continue }
                    for channel in device.channels {
                        if case .channel(_, let code) = target, channel.code != code { continue }
                        // Ids do not matter for checking; the daemon binds the stored ones.
                        result.append(
                            BoundChannel(
                                id: Int64(result.count + 1), deviceID: device.id, siteCode: site.code, siteKind: site.kind,
                                pointCode: point.code, channel: channel))
                    }
                }
            }
        }
        return result
    }

    func binding(of rule: RuleDefinition, site: String?) -> RuleBinding {
        let sites = self.sites(of: rule.target).map(\.code).filter { site == nil || $0 == site }
        let channels: [BoundChannel]
        if case .combination = rule.kind {
            channels = []
        } else if let selector = rule.input {
            channels = self.scope(of: rule.target, site: site).filter { selector.matches($0.channel) }
        } else {
            channels = self.scope(of: rule.target, site: site)
        }
        return RuleBinding(sites: sites, channels: channels)
    }
}

/// Issues collected while checking, and what the checks look up.
private struct CheckContext {
    let index: RegistryIndex
    let rulesByID: [String: RuleDefinition]
    let retention: Int64
    let retentionDays: Int
    var issues: [RuleIssue] = []

    init(index: RegistryIndex, rulesByID: [String: RuleDefinition], retention: Int64, retentionDays: Int) {
        self.index = index
        self.rulesByID = rulesByID
        self.retention = retention
        self.retentionDays = retentionDays
    }

    mutating func add(_ mark: SourceMark, _ field: String, _ reason: String) {
        self.issues.append(RuleIssue(mark: mark, field: field, reason: reason))
    }

    /// Checks one rule, or one override (`site` set) on its site.
    mutating func check(_ rule: RuleDefinition, field prefix: String, site: String?) {
        var found: [RuleIssue] = []
        defer { self.issues += found }
        func add(_ path: String, _ reason: String) {
            found.append(RuleIssue(mark: rule.mark(of: path), field: prefix + "." + path, reason: reason))
        }

        // Targets (an override has its rule's target, already checked).
        if site == nil, !self.checkTarget(rule, add: add) { return }

        // Selector, units, rain-only kinds.
        let binding = self.index.binding(of: rule, site: site)
        let selectorPath =
            switch (rule.input, rule.target) {
            case (_, .channel): "applies_to.channel"
            case (.sensor?, _): "sensor"
            case (.code?, _): "channel"
            case (nil, _): "applies_to"
            }
        if let selector = rule.input, binding.channels.isEmpty {
            let on = site.map { "site \($0)" } ?? self.describe(rule.target)
            switch selector {
            case .code(let code) where !self.index.channelCodes.contains(code):
                add(selectorPath, "unknown channel code '\(code)': no device in the register has it")
            case .code(let code): add(selectorPath, "matches no channel: \(on) has no channel \(code)")
            case .sensor(let kind): add(selectorPath, "matches no channel: \(on) has no \(kind.rawValue) channel")
            }
        }
        if let unit = rule.unit, let wrong = binding.channels.first(where: { !$0.channel.kind.acceptedUnits.contains(unit) }) {
            let kind = wrong.channel.kind
            add(
                "unit",
                "'\(unit)' is not a unit of \(kind.rawValue) channels (\(wrong.channel.code) on \(wrong.siteCode) is in "
                    + "\(wrong.channel.unit); accepted: \(kind.acceptedUnits.sorted().joined(separator: ", ")))"
            )
        }
        switch rule.kind {
        case .accumulation, .intensityDuration:
            if let wrong = binding.channels.first(where: { $0.channel.kind != .rain }) {
                let name = if case .accumulation = rule.kind { "an accumulation" } else { "an intensity_duration" }
                add(
                    selectorPath,
                    "\(name) rule sums rain, but \(wrong.channel.code) on \(wrong.siteCode) is a \(wrong.channel.kind.rawValue) channel"
                )
            }
        default: break
        }
        if case .accumulation(_, let antecedent?) = rule.kind, case .channel(let selector) = antecedent.source,
            !binding.channels.isEmpty
        {
            let sites = Set(binding.channels.map(\.siteCode))
            let found = self.index.scope(of: rule.target, site: site).contains {
                sites.contains($0.siteCode) && selector.matches($0.channel)
            }
            if !found {
                add("accumulation.antecedent.from", "no site this rule reads rain on has a channel matching it")
            }
        }

        self.checkTiers(rule, add: add)
        self.checkSpan(rule, add: add)

        if case .combination(_, let conditions, _) = rule.kind {
            for (position, condition) in conditions.enumerated() {
                let path = "combination.\(self.conditionList(rule))[\(position)].rule"
                if condition.rule == rule.id {
                    add(path, "a combination cannot refer to itself")
                } else if let other = self.rulesByID[condition.rule] {
                    if other.isMaintenance {
                        add(path, "rule \(condition.rule) is a maintenance rule; it raises notices, not levels")
                    }
                } else {
                    add(path, "unknown rule id '\(condition.rule)'")
                }
            }
        }
    }

    func conditionList(_ rule: RuleDefinition) -> String {
        if case .combination(let all, _, _) = rule.kind { return all ? "all" : "any" }
        return "all"
    }

    func describe(_ target: RuleTarget) -> String {
        switch target {
        case .siteKind(let kind): "no \(kind.rawValue) site"
        case .site(let code): "site \(code)"
        case .point(let site, let point): "point \(point) of site \(site)"
        case .channel(let device, let channel): "device \(device) channel \(channel)"
        }
    }

    /// Whether the target names things that exist; logs what does not.
    func checkTarget(_ rule: RuleDefinition, add: (String, String) -> Void) -> Bool {
        switch rule.target {
        case .siteKind(let kind):
            if !self.index.registry.sites.contains(where: { $0.kind == kind }) {
                add("applies_to.kind", "the register has no \(kind.rawValue) site")
                return false
            }
        case .site(let code):
            if self.index.sites[code] == nil {
                add("applies_to.site", "unknown site '\(code)'")
                return false
            }
        case .point(let code, let point):
            guard let site = self.index.sites[code] else {
                add("applies_to.site", "unknown site '\(code)'")
                return false
            }
            if !site.points.contains(where: { $0.code == point }) {
                add("applies_to.point", "site \(code) has no point '\(point)' (it has \(site.points.map(\.code).joined(separator: ", ")))")
                return false
            }
        case .channel(let id, let channel):
            guard let device = self.index.devices[id] else {
                add("applies_to.device", "unknown device '\(id)'")
                return false
            }
            if !device.device.channels.contains(where: { $0.code == channel }) {
                add(
                    "applies_to.channel",
                    "device \(id) has no channel '\(channel)' (it has \(device.device.channels.map(\.code).joined(separator: ", ")))"
                )
                return false
            }
        }
        return true
    }

    /// Tiers must rise with the level (fall for falling measures).
    func checkTiers(_ rule: RuleDefinition, add: (String, String) -> Void) {
        func check(_ tiers: Tiers, _ path: String, falling: Bool, format: (Double) -> String = { $0.plainText }, column: String = "") {
            for (lower, higher) in zip(tiers.values, tiers.values.dropFirst()) {
                let ordered = falling ? higher.value < lower.value : higher.value > lower.value
                if !ordered {
                    add(
                        path + "." + higher.level.name,
                        "tiers not monotonic: \(higher.level.name)\(column) \(format(higher.value)) must be "
                            + "\(falling ? "below" : "above") \(lower.level.name)'s \(format(lower.value))"
                            + (falling ? " (a falling measure warns more the lower it is)" : "")
                    )
                    return
                }
            }
        }
        func check(_ table: WindowTable, _ path: String) {
            for (position, window) in table.windows.enumerated() {
                check(table.tiers(ofWindow: position), path, falling: false, column: " (\(RuleFileDuration.text(window)))")
            }
        }
        switch rule.kind {
        case .level(let tiers, let falling): check(tiers, "level.tiers", falling: falling)
        case .accumulation(let table, let antecedent):
            check(table, "accumulation.tiers")
            if let antecedent {
                check(antecedent.dry, "accumulation.antecedent.dry.tiers")
                check(antecedent.wet, "accumulation.antecedent.wet.tiers")
            }
        case .rate(_, _, _, let tiers): check(tiers, "rate.tiers", falling: false)
        case .tangentialAngle(_, _, _, let tiers): check(tiers, "tangential_angle.tiers", falling: false)
        case .inverseVelocity(_, _, _, let horizons):
            check(horizons, "inverse_velocity.horizons", falling: true, format: { RuleFileDuration.text(Int64($0)) })
        case .intensityDuration(_, _, _, let factors): check(factors, "intensity_duration.factors", falling: false)
        case .combination, .noData, .deviceHealth: break
        }
    }

    /// No window may reach further back than the retention.
    func checkSpan(_ rule: RuleDefinition, add: (String, String) -> Void) {
        let limit = self.retention
        func over(_ span: Int64, _ path: String) {
            add(
                path,
                "reads \(RuleFileDuration.text(span)) of readings, more than the retention of \(self.retentionDays) "
                    + (self.retentionDays == 1 ? "day" : "days")
            )
        }
        switch rule.kind {
        case .accumulation(let table, let antecedent):
            if let longest = table.windows.max(), longest > limit { over(longest, "accumulation.windows") }
            guard let antecedent else { return }
            for (table, name) in [(antecedent.dry, "dry"), (antecedent.wet, "wet")] {
                if let longest = table.windows.max(), longest > limit { over(longest, "accumulation.antecedent.\(name).windows") }
            }
            if case .rain = antecedent.source, rule.span > limit { over(rule.span, "accumulation.antecedent.from.rain") }
        case .rate(let window, _, _, _): if window > limit { over(window, "rate.window") }
        case .tangentialAngle(_, let window, _, _): if window > limit { over(window, "tangential_angle.window") }
        case .inverseVelocity: if rule.span > limit { over(rule.span, "inverse_velocity.window") }
        case .intensityDuration(_, _, let durations, _):
            if let longest = durations.max(), longest > limit { over(longest, "intensity_duration.durations") }
        case .level, .combination, .noData, .deviceHealth: break
        }
    }

    /// Combinations must not refer to each other in a cycle; each cycle is reported once, at the first
    /// rule of it in file order.
    mutating func checkCycles(_ rules: [RuleDefinition]) {
        var edges: [String: [String]] = [:]
        for rule in rules {
            var targets: [String] = []
            for definition in [rule] + rule.overrides.values {
                if case .combination(_, let conditions, _) = definition.kind {
                    targets += conditions.map(\.rule).filter { $0 != rule.id && self.rulesByID[$0] != nil }
                }
            }
            edges[rule.id] = targets
        }
        var reported: Set<String> = []
        for rule in rules where edges[rule.id]?.isEmpty == false && !reported.contains(rule.id) {
            // Depth-first search for a path from the rule back to itself.
            var stack: [(id: String, path: [String])] = [(rule.id, [rule.id])]
            var seen: Set<String> = []
            var cycle: [String]?
            while let (id, path) = stack.popLast(), cycle == nil {
                for next in edges[id] ?? [] {
                    if next == rule.id {
                        cycle = path + [next]
                        break
                    }
                    if seen.insert(next).inserted { stack.append((next, path + [next])) }
                }
            }
            guard let cycle else { continue }
            reported.formUnion(cycle)
            let list = self.conditionList(rule)
            let position = {
                if case .combination(_, let conditions, _) = rule.kind { return conditions.firstIndex { $0.rule == cycle[1] } ?? 0 }
                return 0
            }()
            let path = "combination.\(list)[\(position)].rule"
            self.add(rule.mark(of: path), rule.id + "." + path, "combination cycle: \(cycle.joined(separator: " → "))")
        }
    }
}
