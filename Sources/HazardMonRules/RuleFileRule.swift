// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Yams

extension RuleFileReader {
    /// Whether `id` is a usable rule id: `[A-Za-z0-9_.-]+`.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// One item of `rules:`, with its per-site overrides; nil when it has any problem (all logged).
    mutating func rule(_ item: Node, index: Int) -> RuleDefinition? {
        self.marks = [:]
        self.root = "rules[\(index)]"
        let line = item.mark?.line
        let pairs = Self.pairs(item)
        if let id = pairs.first(where: { $0.name == "id" })?.value.scalar?.string.trimmingWhitespace, Self.isValidID(id) {
            self.root = id
        }
        let start = self.issues.count
        let base = self.definition(item, line: line, known: Self.ruleKeys)
        let baseIssues = Set(self.issues[start...].map { "\($0.line ?? 0)\u{0}\($0.reason)" })

        var overrides: [String: RuleDefinition] = [:]
        var overridesFailed = false
        var seen: Set<String> = []
        if let entry = pairs.first(where: { $0.name == "overrides" }) {
            if entry.value.null != nil {
                // `overrides:` with nothing under it: none
            } else if let items = entry.value.sequence {
                for (position, override) in items.enumerated() {
                    let before = self.issues.count
                    if let (site, definition) = self.override(override, position: position, base: pairs, baseIssues: baseIssues) {
                        if !seen.insert(site).inserted {
                            self.fail("overrides[\(site)].site", override.mark?.line, "site \(site) has two overrides")
                        } else if let definition {
                            overrides[site] = definition
                        }
                    }
                    if self.issues.count > before { overridesFailed = true }
                }
            } else {
                self.fail("overrides", entry.line, "must be a list of overrides, each starting with `- site:`")
                overridesFailed = true
            }
        }
        guard var base, !overridesFailed else { return nil }
        base.overrides = overrides
        return base
    }

    /// One override item: its site and the rule as it applies there (nil when only the merged rule has
    /// problems, all logged). Problems the rule itself already has are not repeated for every override.
    private mutating func override(
        _ item: Node, position: Int, base: [RuleFileEntry], baseIssues: Set<String>
    ) -> (String, RuleDefinition?)? {
        let savedMarks = self.marks
        defer { self.marks = savedMarks }
        let pairs = Self.pairs(item)
        let siteText = pairs.first { $0.name == "site" }?.value.scalar?.string.trimmingWhitespace
        let label = "overrides[\(siteText.map { $0.isEmpty ? "\(position)" : $0 } ?? "\(position)")]"
        guard let given = self.entries(item, path: label, line: item.mark?.line, known: Self.overrideKeys) else { return nil }
        guard let siteEntry = given["site"] else {
            self.fail(label + ".site", item, "required key is missing: the site this override is for")
            return nil
        }
        guard let site = self.text(siteEntry, label + ".site") else { return nil }
        let replaced = Set(pairs.map(\.name)).intersection(Self.overrideKeys).subtracting(["site"])
        let replacesKind = !replaced.isDisjoint(with: Self.kindKeys)
        let replacesSelector = replaced.contains("sensor") || replaced.contains("channel")
        var merged = base.filter { entry in
            if entry.name == "overrides" || replaced.contains(entry.name) { return false }
            if replacesKind, Self.kindKeys.contains(entry.name) { return false }
            if replacesSelector, entry.name == "sensor" || entry.name == "channel" { return false }
            return true
        }
        merged += pairs.filter { $0.name != "site" && Self.overrideKeys.contains($0.name) }
        let node = Node.mapping(Node.Mapping(merged.map { ($0.key, $0.value) }, .implicit, .block, item.mark))

        let savedRoot = self.root
        self.root = savedRoot + "." + label
        self.marks = [:]
        let start = self.issues.count
        var definition = self.definition(node, line: item.mark?.line, known: Self.ruleKeys.filter { $0 != "overrides" })
        self.root = savedRoot
        // Keep only the problems of the merged rule that the rule on its own does not have.
        let fresh = self.issues[start...].filter { !baseIssues.contains("\($0.line ?? 0)\u{0}\($0.reason)") }
        self.issues.removeSubrange(start...)
        self.issues += fresh
        if !fresh.isEmpty { definition = nil }
        return (site, definition)
    }

    /// The rule keys of one mapping (a rule, or a rule merged with an override), without its overrides.
    private mutating func definition(_ node: Node, line: Int?, known: [String]) -> RuleDefinition? {
        let start = self.issues.count
        guard let keys = self.entries(node, path: "", line: line, known: known, what: "a mapping starting with `id:`") else {
            return nil
        }
        var id: String?
        if let entry = keys["id"] {
            id = self.text(entry, "id")
            if let text = id, !Self.isValidID(text) {
                self.fail("id", entry.line, "'\(text)' may only use letters, digits, '_', '.' and '-'")
                id = nil
            }
        } else {
            self.fail("id", line, "required key is missing")
        }
        let name = keys["name"].flatMap { self.text($0, "name") }

        var target: RuleTarget?
        if let entry = keys["applies_to"] {
            target = self.target(entry)
        } else {
            self.fail("applies_to", line, "required key is missing: {kind: …}, {site: …}, {site: …, point: …} or {device: …, channel: …}")
        }

        let kindEntries = Self.kindKeys.compactMap { keys[$0] }.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
        var kind: RuleKind?
        if kindEntries.isEmpty {
            self.fail("", line, "the rule has no kind; give exactly one of \(Self.kindKeys.joined(separator: ", "))")
        } else if kindEntries.count > 1 {
            self.fail(kindEntries[1].name, kindEntries[1].line, "a rule has exactly one kind; this one already is \(kindEntries[0].name)")
        } else {
            kind = self.kind(kindEntries[0])
        }
        let kindName = kindEntries.first?.name

        var input: ChannelSelector?
        if case .channel(_, let channel)? = target {
            for key in ["sensor", "channel"] {
                if let entry = keys[key] {
                    self.fail(key, entry.line, "leave it out: applies_to {device, channel} already names the channel")
                }
            }
            input = .code(channel)
        } else if let selector = self.selector(sensor: keys["sensor"], channel: keys["channel"], path: "", line: line) {
            input = selector
            if input == nil, let kindName, kindName != "combination", kindName != "device_health" {
                self.fail("", line, "a \(kindName) rule needs `sensor: <kind>` or `channel: <code>`")
            }
            if input != nil, kindName == "combination" {
                let key = keys["sensor"] ?? keys["channel"]
                self.fail(key?.name ?? "", key?.line, "a combination reads other rules, not channels; leave it out")
            }
        }
        let unit = keys["unit"].flatMap { self.text($0, "unit") }
        if let entry = keys["unit"], kindName == "combination" || kindName == "no_data" || kindName == "device_health" {
            self.fail("unit", entry.line, "a \(kindName ?? "") rule has no numbers in a unit; leave it out")
        }

        var persistence = Persistence()
        if let entry = keys["for"], let value = self.duration(entry, "for", allowZero: true) { persistence.forDuration = value }
        if let entry = keys["consecutive"], let value = self.integer(entry, "consecutive", atLeast: 1) { persistence.consecutive = value }
        if let entry = keys["hysteresis"] {
            if let text = entry.value.scalar?.string, let fraction = rulePercentage(text) {
                if (0..<1).contains(fraction) {
                    persistence.hysteresis = fraction
                    persistence.hysteresisIsFraction = true
                } else {
                    self.fail("hysteresis", entry.line, "\(text) must be at least 0% and below 100%")
                }
            } else if let value = self.number(entry, "hysteresis", 0...Double.greatestFiniteMagnitude) {
                persistence.hysteresis = value
                persistence.hysteresisIsFraction = false
            }
        }
        if let entry = keys["hold"], let value = self.duration(entry, "hold", allowZero: true) { persistence.hold = value }
        if let entry = keys["expiry"], let value = self.duration(entry, "expiry") { persistence.expiry = value }

        var watch: Double?
        if let entry = keys["watch"] {
            if let kindName, ["combination", "no_data", "device_health"].contains(kindName) {
                self.fail("watch", entry.line, "a \(kindName) rule has no tiers to watch; leave it out")
            } else if let text = entry.value.scalar?.string, let fraction = rulePercentage(text) ?? ruleNumber(text) {
                if fraction > 0, fraction < 1 {
                    watch = fraction
                } else {
                    self.fail("watch", entry.line, "\(text) must be a percentage of the lowest tier between 0% and 100%, e.g. 75%")
                }
            } else {
                self.fail("watch", entry.line, "\(Self.quoted(entry.value)) must be a percentage, e.g. 75%")
            }
        }

        guard self.issues.count == start, let id, let target, let kind else { return nil }
        return RuleDefinition(
            id: id, name: name, target: target, input: input, unit: unit, kind: kind, persistence: persistence,
            watchFraction: watch, mark: self.mark(line), marks: self.marks
        )
    }

    private mutating func target(_ entry: RuleFileEntry) -> RuleTarget? {
        let known = ["kind", "site", "point", "device", "channel"]
        guard let keys = self.entries(entry.value, path: "applies_to", line: entry.line, known: known) else { return nil }
        func text(_ name: String) -> String? { keys[name].flatMap { self.text($0, "applies_to." + name) } }
        switch Set(keys.keys) {
        case ["kind"]:
            guard let name = text("kind") else { return nil }
            guard let kind = SiteKind(rawValue: name) else {
                self.fail(
                    "applies_to.kind", keys["kind"]?.line,
                    "unknown site kind '\(name)' (known: \(SiteKind.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
                return nil
            }
            return .siteKind(kind)
        case ["site"]:
            return text("site").map { .site($0) }
        case ["site", "point"]:
            guard let site = text("site"), let point = text("point") else { return nil }
            return .point(site: site, point: point)
        case ["device", "channel"]:
            guard let device = text("device"), let channel = text("channel") else { return nil }
            return .channel(device: device, channel: channel)
        default:
            if !keys.isEmpty || entry.value.mapping?.isEmpty == true {
                self.fail("applies_to", entry.line, "must be one of {kind: …}, {site: …}, {site: …, point: …} or {device: …, channel: …}")
            }
            return nil
        }
    }
}
