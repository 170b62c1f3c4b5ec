// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Yams

/// One key of a YAML mapping as written: its name, the key node (whose line issues point at) and the value.
struct RuleFileEntry {
    var name: String
    var key: Node
    var value: Node

    var line: Int? { self.key.mark?.line }
}

/// Reads one rule file: the YAML document, its `rules:` list and each rule, collecting every problem.
///
/// While a rule is read, ``marks`` collects the line of each key by its path relative to the rule, and
/// ``root`` (the rule's id) prefixes the field of every issue.
struct RuleFileReader {
    let file: String
    var issues: [RuleIssue] = []
    /// Key lines of the rule being read, by path (`accumulation.windows`).
    var marks: [String: SourceMark] = [:]
    /// The field prefix of the rule being read: its id, `rules[n]`, or `id.overrides[SITE]`.
    var root = ""

    init(file: String) {
        self.file = file
    }

    static let kindKeys = [
        "level", "accumulation", "rate", "tangential_angle", "inverse_velocity", "intensity_duration", "combination",
        "no_data", "device_health",
    ]
    static let persistenceKeys = ["for", "consecutive", "hysteresis", "hold", "expiry"]
    static let ruleKeys = ["id", "name", "applies_to", "sensor", "channel", "unit"] + kindKeys + persistenceKeys + ["watch", "overrides"]
    /// What an override item may say: `site`, and any rule key but these three.
    static let overrideKeys = ["site"] + ruleKeys.filter { !["id", "applies_to", "overrides"].contains($0) }

    // MARK: Issues and marks

    func mark(_ line: Int?) -> SourceMark { SourceMark(file: self.file, line: line ?? 0) }

    func field(_ path: String) -> String? {
        if self.root.isEmpty { return path.isEmpty ? nil : path }
        return path.isEmpty ? self.root : self.root + "." + path
    }

    mutating func fail(_ path: String, _ line: Int?, _ reason: String) {
        self.issues.append(RuleIssue(file: self.file, line: line, field: self.field(path), reason: reason))
    }

    mutating func fail(_ path: String, _ node: Node, _ reason: String) {
        self.fail(path, node.mark?.line, reason)
    }

    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : path + "." + name }

    static func quoted(_ node: Node) -> String {
        if let scalar = node.scalar { return "'\(scalar.string)'" }
        return node.mapping != nil ? "a mapping" : node.sequence != nil ? "a list" : "this value"
    }

    // MARK: The file

    /// The rules of a file given as bytes (UTF-8, an optional byte-order mark).
    mutating func read(bytes: [UInt8]) -> [RuleDefinition] {
        var bytes = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            self.issues.append(RuleIssue(file: self.file, line: nil, field: nil, reason: "not UTF-8 text"))
            return []
        }
        let document: Node?
        do {
            document = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            self.issues.append(Self.syntaxIssue(error, file: self.file))
            return []
        } catch {
            self.issues.append(RuleIssue(file: self.file, line: nil, field: nil, reason: "not valid YAML: \(error)"))
            return []
        }
        guard let document else { return [] }  // an empty file (or only comments): no rules
        guard let top = self.entries(document, path: "", line: document.mark?.line, known: ["rules"], what: "a mapping with a `rules:` list")
        else { return [] }
        guard let list = top["rules"] else {
            self.fail("rules", document, "required key is missing")
            return []
        }
        if list.value.null != nil { return [] }  // `rules:` with nothing under it
        guard let items = list.value.sequence else {
            self.fail("rules", list.line, "must be a list of rules, each starting with `- id:`")
            return []
        }
        var rules: [RuleDefinition] = []
        for (index, item) in items.enumerated() {
            if let rule = self.rule(item, index: index) { rules.append(rule) }
        }
        return rules
    }

    /// A YAML syntax error as an issue with the line the parser stopped at.
    static func syntaxIssue(_ error: YamlError, file: String) -> RuleIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return RuleIssue(file: file, line: mark.line, field: nil, reason: "not valid YAML: \(problem)\(during)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            return RuleIssue(
                file: file, line: Self.repeatedKeyLine(key, first: context.mark, in: context.text) ?? context.mark.line,
                field: key, reason: "key given twice in one mapping (first at line \(context.mark.line))"
            )
        case .reader(let problem, _, _, _):
            return RuleIssue(file: file, line: nil, field: nil, reason: "cannot read the text: \(problem)")
        default:
            return RuleIssue(file: file, line: nil, field: nil, reason: "not valid YAML: \(error)")
        }
    }

    /// The line where a block-mapping key first written at `first` is written again: the next line with
    /// `key:` at the same column. Yams reports only the first occurrence of a repeated key.
    static func repeatedKeyLine(_ key: String, first: Mark, in text: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let column = first.column - 1
        guard first.line >= 1, column >= 0 else { return nil }
        for number in first.line..<lines.count {
            let line = Array(lines[number].unicodeScalars)
            guard line.count > column else { continue }
            let before = String(String.UnicodeScalarView(line[..<column]))
            let rest = String(String.UnicodeScalarView(line[column...]))
            if before.allSatisfy({ $0 == " " || $0 == "-" }), rest.hasPrefix(key + ":") { return number + 1 }
        }
        return nil
    }

    // MARK: Mappings

    /// The keys of a mapping node by name, logging a node that is not a mapping and every unknown key, and
    /// noting the line of every known key in ``marks`` under `path.key`.
    mutating func entries(_ node: Node, path: String, line: Int?, known: [String], what: String? = nil) -> [String: RuleFileEntry]? {
        guard let mapping = node.mapping else {
            self.fail(path, line ?? node.mark?.line, "must be \(what ?? "a mapping with keys \(known.joined(separator: ", "))")")
            return nil
        }
        var result: [String: RuleFileEntry] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                self.fail(path, key, "keys must be plain names")
                continue
            }
            let keyPath = Self.join(path, name)
            guard known.contains(name) else {
                self.fail(keyPath, key, "unknown key (known: \(known.joined(separator: ", ")))")
                continue
            }
            result[name] = RuleFileEntry(name: name, key: key, value: value)
            self.marks[keyPath] = self.mark(key.mark?.line)
        }
        return result
    }

    /// The ordered keys of a mapping, for merging an override over its rule. Non-string keys are skipped
    /// (the rule's own reading reports them).
    static func pairs(_ node: Node) -> [RuleFileEntry] {
        guard let mapping = node.mapping else { return [] }
        return mapping.compactMap { key, value in key.scalar.map { RuleFileEntry(name: $0.string, key: key, value: value) } }
    }

    // MARK: Scalars

    mutating func text(_ entry: RuleFileEntry, _ path: String) -> String? {
        guard let scalar = entry.value.scalar, entry.value.null == nil || scalar.style != .plain,
            !scalar.string.trimmingWhitespace.isEmpty
        else {
            self.fail(path, entry.line, "must be a non-empty text, not \(Self.quoted(entry.value))")
            return nil
        }
        return scalar.string.trimmingWhitespace
    }

    mutating func number(_ node: Node, _ path: String, line: Int?, _ range: ClosedRange<Double>? = nil, above: Double? = nil) -> Double? {
        guard let text = node.scalar?.string, let value = ruleNumber(text) else {
            self.fail(path, line ?? node.mark?.line, "\(Self.quoted(node)) must be a number")
            return nil
        }
        if let range, !range.contains(value) {
            self.fail(path, line ?? node.mark?.line, "\(text) must be in \(range.lowerBound.plainText)...\(range.upperBound.plainText)")
            return nil
        }
        if let above, value <= above {
            self.fail(path, line ?? node.mark?.line, "\(text) must be greater than \(above.plainText)")
            return nil
        }
        return value
    }

    mutating func number(_ entry: RuleFileEntry, _ path: String, _ range: ClosedRange<Double>? = nil, above: Double? = nil) -> Double? {
        self.number(entry.value, path, line: entry.line, range, above: above)
    }

    mutating func integer(_ entry: RuleFileEntry, _ path: String, atLeast minimum: Int) -> Int? {
        guard let text = entry.value.scalar?.string, let value = Int(text.trimmingWhitespace) else {
            self.fail(path, entry.line, "\(Self.quoted(entry.value)) must be a whole number")
            return nil
        }
        guard value >= minimum else {
            self.fail(path, entry.line, "\(value) must be at least \(minimum)")
            return nil
        }
        return value
    }

    mutating func boolean(_ entry: RuleFileEntry, _ path: String) -> Bool? {
        guard let value = entry.value.scalar?.string.lowercased(), ["true", "false"].contains(value) else {
            self.fail(path, entry.line, "\(Self.quoted(entry.value)) must be true or false")
            return nil
        }
        return value == "true"
    }

    /// A duration (`10m`, `1h`, `1d`); zero only when `allowZero`.
    mutating func duration(_ node: Node, _ path: String, line: Int?, allowZero: Bool = false) -> Int64? {
        guard let text = node.scalar?.string, let value = RuleFileDuration.parse(text.trimmingWhitespace) else {
            self.fail(
                path, line ?? node.mark?.line,
                "\(Self.quoted(node)) is not a duration; write a whole number and a unit: 30s, 10m, 1h, 1d"
            )
            return nil
        }
        guard allowZero || value > 0 else {
            self.fail(path, line ?? node.mark?.line, "must be longer than 0")
            return nil
        }
        return value
    }

    mutating func duration(_ entry: RuleFileEntry, _ path: String, allowZero: Bool = false) -> Int64? {
        self.duration(entry.value, path, line: entry.line, allowZero: allowZero)
    }

    /// A warning level name (`yellow`, `警示`, `准备转移`); `none` is not a level a rule can name.
    mutating func level(_ node: Node, _ path: String, line: Int?) -> WarningLevel? {
        guard let name = node.scalar?.string.trimmingWhitespace, let level = WarningLevel(name: name), level != .none else {
            self.fail(
                path, line ?? node.mark?.line,
                "unknown level name \(Self.quoted(node)); use blue/yellow/orange/red, 注意/警示/警戒/警报 or 内部预警/准备转移/立即转移"
            )
            return nil
        }
        return level
    }

    /// A mapping from level names to values, each level once; the values are read by `value`.
    /// Marks are noted under `path.<colour>`.
    mutating func levelMap<Value>(
        _ entry: RuleFileEntry, _ path: String, value: (inout RuleFileReader, Node, String, Int?) -> Value?
    ) -> [(level: WarningLevel, value: Value)]? {
        guard let mapping = entry.value.mapping, !mapping.isEmpty else {
            self.fail(path, entry.line, "must map level names to values, e.g. {yellow: …, orange: …}")
            return nil
        }
        var result: [(level: WarningLevel, value: Value)] = []
        var seen: [WarningLevel: String] = [:]
        var failed = false
        for (key, node) in mapping {
            guard let level = self.level(key, path, line: key.mark?.line) else {
                failed = true
                continue
            }
            let name = key.scalar?.string ?? level.name
            if let first = seen[level] {
                self.fail(path, key, "level \(level.name) is given twice ('\(first)' and '\(name)')")
                failed = true
                continue
            }
            seen[level] = name
            self.marks[Self.join(path, level.name)] = self.mark(key.mark?.line)
            guard let parsed = value(&self, node, Self.join(path, level.name), key.mark?.line) else {
                failed = true
                continue
            }
            result.append((level, parsed))
        }
        return failed ? nil : result
    }

    /// Tiers of plain numbers.
    mutating func tiers(_ entry: RuleFileEntry, _ path: String) -> Tiers? {
        self.levelMap(entry, path) { reader, node, path, line in reader.number(node, path, line: line) }.map(Tiers.init)
    }

    /// A list of durations, at least one, strictly increasing.
    mutating func durations(_ entry: RuleFileEntry, _ path: String) -> [Int64]? {
        guard let items = entry.value.sequence, !items.isEmpty else {
            self.fail(path, entry.line, "must be a list of durations, e.g. [1h, 3h, 6h, 24h]")
            return nil
        }
        var result: [Int64] = []
        for item in items {
            guard let value = self.duration(item, path, line: item.mark?.line ?? entry.line) else { return nil }
            if let last = result.last, value <= last {
                self.fail(path, item.mark?.line ?? entry.line, "durations must be given shortest first, each longer than the one before")
                return nil
            }
            result.append(value)
        }
        return result
    }

    /// `sensor: <kind>` or `channel: <code>` from the given entries.
    mutating func selector(sensor: RuleFileEntry?, channel: RuleFileEntry?, path: String, line: Int?) -> ChannelSelector?? {
        switch (sensor, channel) {
        case (nil, nil): return .some(nil)
        case (let sensor?, nil):
            let sensorPath = Self.join(path, "sensor")
            guard let name = self.text(sensor, sensorPath) else { return nil }
            guard let kind = SensorKind(rawValue: name) else {
                let known = SensorKind.allCases.map(\.rawValue).joined(separator: ", ")
                self.fail(sensorPath, sensor.line, "unknown sensor kind '\(name)' (known: \(known))")
                return nil
            }
            return .sensor(kind)
        case (nil, let channel?):
            return self.text(channel, Self.join(path, "channel")).map { .code($0) }
        case (_, let channel?):
            self.fail(Self.join(path, "channel"), channel.line, "give either sensor or channel, not both")
            return nil
        }
    }
}
