// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRules
import Yams

/// Reads `policy.yaml` into an ``AlertPolicy``, collecting every problem as a ``RosterIssue`` that points
/// at the line of the offending key.
///
/// Durations are written as in the rule files (`30s`, `5m`, `1h`) and parsed by the rules' own
/// `RuleFileDuration`.
struct PolicyReader {
    let file: String
    /// The roster folder template files are looked for in; nil: their files are not checked.
    let folder: String?
    var issues: [RosterIssue] = []
    /// Every gateway name declared, including those with problems, so that contacts naming one are not
    /// reported a second time; nil when the `gateways:` mapping could not be read.
    var declaredGateways: Set<String>?

    init(file: String, folder: String?) {
        self.file = file
        self.folder = folder
    }

    static let topKeys = ["levels", "escalation", "repeat_interval", "gateways", "templates"]
    static let levelKeys = ["notify", "ack_within", "remind_every"]
    static let kindKeys: [String: [String]] = [
        "webhook": ["kind", "url", "secret_file", "timeout", "concurrency", "template_codes"],
        "command": ["kind", "program", "args", "timeout"],
        "file": ["kind", "path"],
    ]
    /// What a policy without `repeat_interval` repeats at.
    static let defaultRepeatInterval = Duration.seconds(3600)
    static let defaultWebhookTimeout = Duration.seconds(10)
    static let defaultCommandTimeout = Duration.seconds(30)
    static let defaultConcurrency = 4

    // MARK: Issues

    mutating func fail(_ field: String?, _ line: Int?, _ reason: String) {
        self.issues.append(RosterIssue(file: self.file, line: line, field: field, reason: reason))
    }

    static func line(_ node: Node) -> Int? { node.mark?.line }

    static func quoted(_ node: Node) -> String {
        if let scalar = node.scalar { return "'\(scalar.string)'" }
        return node.mapping != nil ? "a mapping" : node.sequence != nil ? "a list" : "this value"
    }

    /// The keys of a mapping in file order; an unknown key is reported and left out.
    mutating func entries(_ node: Node, _ path: String, known: [String]?, what: String) -> [(name: String, key: Node, value: Node)]? {
        guard let mapping = node.mapping else {
            self.fail(path.isEmpty ? nil : path, Self.line(node), "must be \(what), not \(Self.quoted(node))")
            return nil
        }
        var result: [(name: String, key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, !name.isEmpty else {
                self.fail(path.isEmpty ? nil : path, Self.line(key), "keys must be plain names")
                continue
            }
            let keyPath = path.isEmpty ? name : path + "." + name
            if let known, !known.contains(name) {
                self.fail(keyPath, Self.line(key), "unknown key (known: \(known.joined(separator: ", ")))")
                continue
            }
            result.append((name, key, value))
        }
        return result
    }

    // MARK: Scalars

    mutating func text(_ node: Node, _ path: String, line: Int?) -> String? {
        guard let scalar = node.scalar, node.null == nil || scalar.style != .plain else {
            self.fail(path, line, "must be a non-empty text, not \(Self.quoted(node))")
            return nil
        }
        let value = scalar.string.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else {
            self.fail(path, line, "must be a non-empty text")
            return nil
        }
        return value
    }

    /// A duration longer than zero (`30s`, `5m`, `1h`, `1d`).
    mutating func duration(_ node: Node, _ path: String, line: Int?) -> Duration? {
        guard let text = node.scalar?.string, let milliseconds = RuleFileDuration.parse(text.trimmingCharacters(in: .whitespaces))
        else {
            self.fail(path, line, "\(Self.quoted(node)) is not a duration; write a whole number and a unit: 30s, 5m, 1h, 1d")
            return nil
        }
        guard milliseconds > 0 else {
            self.fail(path, line, "must be longer than zero")
            return nil
        }
        return .milliseconds(milliseconds)
    }

    // MARK: The file

    /// The policy in `text`, or nil when it has problems (all of them in ``issues``).
    mutating func read(_ text: String) -> AlertPolicy? {
        let document: Node?
        do {
            document = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            self.issues.append(Self.syntaxIssue(error, file: self.file))
            return nil
        } catch {
            self.fail(nil, nil, "not valid YAML: \(error)")
            return nil
        }
        guard let document else {
            self.fail(nil, nil, "the file is empty; it needs levels, escalation and gateways (see roster/README.md)")
            return nil
        }
        let before = self.issues.count
        guard let top = self.entries(document, "", known: Self.topKeys, what: "a mapping with keys \(Self.topKeys.joined(separator: ", "))")
        else { return nil }
        let byName = Dictionary(top.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for required in ["levels", "escalation", "gateways"] where byName[required] == nil {
            self.fail(required, Self.line(document), "required key is missing")
        }
        let gateways = byName["gateways"].map { self.gateways($0.value, line: Self.line($0.key)) } ?? [:]
        let templates = byName["templates"].map { self.templates($0.value, line: Self.line($0.key)) } ?? [:]
        let levels = byName["levels"].map { self.levels($0.value, line: Self.line($0.key)) } ?? [:]
        let escalation = byName["escalation"].map { self.escalation($0.value, line: Self.line($0.key)) } ?? []
        var repeatInterval = Self.defaultRepeatInterval
        if let entry = byName["repeat_interval"], let value = self.duration(entry.value, "repeat_interval", line: Self.line(entry.key)) {
            repeatInterval = value
        }
        if byName["templates"] != nil {
            for gateway in gateways.values.sorted(by: { $0.line < $1.line }) {
                guard case .webhook(let webhook) = gateway.kind else { continue }
                for name in webhook.templateCodes.keys.sorted() where templates[name] == nil {
                    self.fail(
                        "gateways.\(gateway.name).template_codes.\(name)", gateway.line,
                        "'\(name)' is not a template declared under templates (declared: \(templates.keys.sorted().joined(separator: ", ")))"
                    )
                }
            }
        }
        guard self.issues.count == before else { return nil }
        return AlertPolicy(
            levels: levels, escalation: escalation, repeatInterval: repeatInterval, gateways: gateways, templates: templates,
            escalationLine: byName["escalation"].flatMap { Self.line($0.key) } ?? 0
        )
    }

    /// A YAML syntax error as an issue with the line the parser stopped at.
    static func syntaxIssue(_ error: YamlError, file: String) -> RosterIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return RosterIssue(file: file, line: mark.line, field: nil, reason: "not valid YAML: \(problem)\(during)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; point at the second, the line a user just added.
            let key = duplicates.first ?? ""
            let first = context.mark.line
            let lines = context.text.split(separator: "\n", omittingEmptySubsequences: false)
            let indent = first >= 1 && first <= lines.count ? lines[first - 1].prefix { $0 == " " } : ""
            let again = (first..<max(first, lines.count)).first { lines[$0] == indent + key + ":" || lines[$0].hasPrefix(indent + key + ": ") }
            return RosterIssue(
                file: file, line: again.map { $0 + 1 } ?? first, field: key,
                reason: "key given twice in one mapping (first at line \(first))"
            )
        default:
            return RosterIssue(file: file, line: nil, field: nil, reason: "not valid YAML: \(error)")
        }
    }

    // MARK: Levels

    mutating func levels(_ node: Node, line: Int?) -> [WarningLevel: AlertPolicy.Level] {
        guard let items = self.entries(node, "levels", known: nil, what: "a mapping from each level (blue, yellow, orange, red) to its entry")
        else { return [:] }
        var levels: [WarningLevel: AlertPolicy.Level] = [:]
        var seen: [WarningLevel: Int] = [:]
        for (name, key, value) in items {
            let path = "levels." + name
            let keyLine = Self.line(key)
            guard let level = WarningLevel(name: name), level != .none else {
                self.fail(path, keyLine, "unknown level; the levels are blue, yellow, orange and red")
                continue
            }
            if let first = seen[level] {
                self.fail(path, keyLine, "level \(level.name) is given twice (first at line \(first))")
                continue
            }
            seen[level] = keyLine ?? 0
            if let entry = self.level(value, path, line: keyLine) { levels[level] = entry }
        }
        for level in WarningLevel.warning where seen[level] == nil {
            self.fail("levels", line, "level \(level.name) is missing; every level needs an entry (write `notify: []` to tell nobody)")
        }
        return levels
    }

    mutating func level(_ node: Node, _ path: String, line: Int?) -> AlertPolicy.Level? {
        guard let items = self.entries(node, path, known: Self.levelKeys, what: "a mapping with notify, ack_within and remind_every")
        else { return nil }
        var roles: [ContactRole]?
        var notifyLine: Int?
        var ackWithin: Duration?
        var remindEvery: Duration?
        var remindLine: Int?
        var ok = true
        for (name, key, value) in items {
            let keyPath = path + "." + name
            let keyLine = Self.line(key)
            switch name {
            case "notify":
                notifyLine = keyLine
                roles = self.roles(value, keyPath, line: keyLine)
                if roles == nil { ok = false }
            case "ack_within":
                ackWithin = self.duration(value, keyPath, line: keyLine)
                if ackWithin == nil { ok = false }
            default:
                remindLine = keyLine
                remindEvery = self.duration(value, keyPath, line: keyLine)
                if remindEvery == nil { ok = false }
            }
        }
        guard ok else { return nil }
        guard let roles else {
            self.fail(path + ".notify", line, "required key is missing")
            return nil
        }
        if let remindEvery {
            guard let ackWithin else {
                self.fail(path + ".remind_every", remindLine, "needs ack_within: reminders go out until the deadline")
                return nil
            }
            guard remindEvery < ackWithin else {
                self.fail(
                    path + ".remind_every", remindLine,
                    "\(Self.text(remindEvery)) is not shorter than ack_within \(Self.text(ackWithin)); no reminder would go out"
                )
                return nil
            }
        }
        return AlertPolicy.Level(
            roles: roles, ackWithin: ackWithin, remindEvery: remindEvery, line: line ?? 0, notifyLine: notifyLine ?? 0
        )
    }

    /// A list of roles, each once.
    mutating func roles(_ node: Node, _ path: String, line: Int?) -> [ContactRole]? {
        guard let items = node.sequence else {
            self.fail(path, line, "must be a list of roles, e.g. [monitor, township_duty]")
            return nil
        }
        var roles: [ContactRole] = []
        var ok = true
        for item in items {
            let itemLine = Self.line(item) ?? line
            guard let text = item.scalar?.string, let role = ContactRole(name: text) else {
                let known = ContactRole.allCases.map(\.key).joined(separator: ", ")
                self.fail(path, itemLine, "\(Self.quoted(item)) is not a role (roles: \(known))")
                ok = false
                continue
            }
            if roles.contains(role) {
                self.fail(path, itemLine, "role \(role.key) is listed twice")
                ok = false
                continue
            }
            roles.append(role)
        }
        return ok ? roles.sorted() : nil
    }

    /// `1h`, `5m`, `30s` for messages.
    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return RuleFileDuration.text(milliseconds)
    }

    // MARK: Escalation

    mutating func escalation(_ node: Node, line: Int?) -> [EscalationTier] {
        guard let items = node.sequence, items.count > 0 else {
            self.fail("escalation", line, "must be a list of tiers, bottom first, e.g. [village, township, county]")
            return []
        }
        var tiers: [EscalationTier] = []
        for item in items {
            let itemLine = Self.line(item) ?? line
            guard let text = item.scalar?.string, let tier = EscalationTier(rawValue: text.lowercased()) else {
                self.fail("escalation", itemLine, "\(Self.quoted(item)) is not a tier (tiers: village, township, county)")
                continue
            }
            if let last = tiers.last, tier <= last {
                self.fail("escalation", itemLine, "\(tier) comes after \(last); list the tiers bottom first, each once")
                continue
            }
            tiers.append(tier)
        }
        return tiers
    }

    // MARK: Templates

    mutating func templates(_ node: Node, line: Int?) -> [String: String] {
        guard let items = self.entries(node, "templates", known: nil, what: "a mapping from template name to file") else { return [:] }
        var templates: [String: String] = [:]
        for (name, key, value) in items {
            guard let file = self.text(value, "templates." + name, line: Self.line(key)) else { continue }
            templates[name] = file
            if let folder = self.folder {
                let path = file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file)
                var isFolder: ObjCBool = false
                if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) || isFolder.boolValue {
                    self.fail("templates." + name, Self.line(key), "no template file at \(path)")
                }
            }
        }
        return templates
    }

    // MARK: Gateways

    /// Whether `name` can be written in the channels cell of `contacts.csv` (no `;`, no spaces).
    static func isGatewayName(_ name: String) -> Bool {
        name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    mutating func gateways(_ node: Node, line: Int?) -> [String: Gateway] {
        guard let items = self.entries(node, "gateways", known: nil, what: "a mapping from gateway name to its settings") else { return [:] }
        var gateways: [String: Gateway] = [:]
        self.declaredGateways = Set(items.map(\.name))
        for (name, key, value) in items {
            let path = "gateways." + name
            let keyLine = Self.line(key)
            guard Self.isGatewayName(name) else {
                self.fail(path, keyLine, "a gateway name is letters, digits, _ and - only (contacts.csv lists names separated by ;)")
                continue
            }
            if let gateway = self.gateway(value, name: name, line: keyLine) { gateways[name] = gateway }
        }
        return gateways
    }

    mutating func gateway(_ node: Node, name: String, line: Int?) -> Gateway? {
        let path = "gateways." + name
        guard let items = self.entries(node, path, known: nil, what: "a mapping with a kind (webhook, command or file)") else { return nil }
        let byName = Dictionary(items.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard let kindEntry = byName["kind"] else {
            self.fail(path + ".kind", line, "required key is missing (webhook, command or file)")
            return nil
        }
        guard let kind = self.text(kindEntry.value, path + ".kind", line: Self.line(kindEntry.key)) else { return nil }
        guard let known = Self.kindKeys[kind] else {
            self.fail(path + ".kind", Self.line(kindEntry.key), "'\(kind)' is not a gateway kind (kinds: webhook, command, file)")
            return nil
        }
        let before = self.issues.count
        for (key, keyNode, _) in items where !known.contains(key) {
            self.fail(path + "." + key, Self.line(keyNode), "not a key of a \(kind) gateway (keys: \(known.joined(separator: ", ")))")
        }
        func required(_ key: String) -> (name: String, key: Node, value: Node)? {
            guard let entry = byName[key] else {
                self.fail(path + "." + key, line, "required key of a \(kind) gateway is missing")
                return nil
            }
            return entry
        }
        func text(_ entry: (name: String, key: Node, value: Node)?) -> String? {
            entry.flatMap { self.text($0.value, path + "." + $0.name, line: Self.line($0.key)) }
        }
        func timeout(default value: Duration) -> Duration? {
            guard let entry = byName["timeout"] else { return value }
            return self.duration(entry.value, path + ".timeout", line: Self.line(entry.key))
        }
        let result: Gateway.Kind?
        switch kind {
        case "webhook":
            let url = text(required("url"))
            if let url, let entry = byName["url"], !Self.isHTTPURL(url) {
                self.fail(path + ".url", Self.line(entry.key), "'\(url)' is not an http:// or https:// URL with a host")
            }
            let secretFile = text(byName["secret_file"])
            let wait = timeout(default: Self.defaultWebhookTimeout)
            var concurrency: Int? = Self.defaultConcurrency
            if let entry = byName["concurrency"] {
                let raw = entry.value.scalar?.string ?? ""
                if let value = Int(raw), (1...64).contains(value) {
                    concurrency = value
                } else {
                    self.fail(path + ".concurrency", Self.line(entry.key), "\(Self.quoted(entry.value)) is not a whole number in 1...64")
                    concurrency = nil
                }
            }
            var codes: [String: String] = [:]
            if let entry = byName["template_codes"],
                let pairs = self.entries(entry.value, path + ".template_codes", known: nil, what: "a mapping from template name to the provider's code")
            {
                for (template, key, value) in pairs {
                    if let code = self.text(value, path + ".template_codes." + template, line: Self.line(key)) { codes[template] = code }
                }
            }
            if let url, let wait, let concurrency {
                result = .webhook(.init(url: url, secretFile: secretFile, timeout: wait, concurrency: concurrency, templateCodes: codes))
            } else {
                result = nil
            }
        case "command":
            let program = text(required("program"))
            var arguments: [String]? = []
            if let entry = byName["args"] {
                if let items = entry.value.sequence, items.allSatisfy({ $0.scalar != nil }) {
                    arguments = items.compactMap { $0.scalar?.string }
                } else {
                    self.fail(path + ".args", Self.line(entry.key), "must be a list of texts, e.g. [--to, \"{mobile}\"]")
                    arguments = nil
                }
            }
            let wait = timeout(default: Self.defaultCommandTimeout)
            if let program, let arguments, let wait {
                result = .command(.init(program: program, arguments: arguments, timeout: wait))
            } else {
                result = nil
            }
        default:
            result = text(required("path")).map { .file(path: $0) }
        }
        guard let result, self.issues.count == before else { return nil }
        return Gateway(name: name, kind: result, line: line ?? 0)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        for scheme in ["https://", "http://"] where text.lowercased().hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return !host.isEmpty && !host.contains(" ")
        }
        return false
    }
}
