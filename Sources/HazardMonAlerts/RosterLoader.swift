// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRegistry

/// Reads a roster folder (`contacts.csv` and `policy.yaml`, format in `roster/README.md`) and checks it
/// against the site register.
///
/// Every problem of both files and of the checks across them is collected in one pass and thrown together,
/// each as `file:line: field: reason`; a folder with any problem yields no roster, so a bad edit never
/// half-replaces the one in use. `contacts.csv` may be UTF-8 (with or without a byte-order mark) or
/// GB18030, like the register's files.
///
/// ```swift
/// let registry = try await RegistryLoader.load(directory: "sites")
/// let roster = try RosterLoader.load(directory: "roster", registry: registry)
/// ```
public enum RosterLoader {
    public static let contactsFile = "contacts.csv"
    public static let policyFile = "policy.yaml"

    /// The columns of `contacts.csv`, with the Chinese headers a county's spreadsheet may use.
    static let schema = TableSchema(
        [
            .required("scope", "范围", "所属", "村代码"),
            .required("name", "姓名"),
            .required("role", "角色", "职责"),
            .required("mobile", "手机", "手机号", "手机号码"),
            .optional("channels", "渠道", "通知渠道"),
            .optional("language", "语言"),
        ],
        readme: "roster/README.md"
    )

    static let languages: [String: ContactLanguage] = ["zh": .zh, "en": .en, "中文": .zh, "英文": .en]

    /// Loads and checks the roster in `directory`.
    /// - Throws: ``RosterError`` listing every problem; a missing folder or file is a problem naming it.
    public static func load(directory: String, registry: Registry) throws(RosterError) -> Roster {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw RosterError(issues: [RosterIssue(file: directory, line: nil, field: nil, reason: "no such folder")])
        }
        guard isDirectory.boolValue else {
            throw RosterError(issues: [RosterIssue(file: directory, line: nil, field: nil, reason: "not a folder")])
        }
        var issues: [RosterIssue] = []
        func read(_ name: String) -> String? {
            let path = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path) else {
                issues.append(RosterIssue(file: name, line: nil, field: nil, reason: "no such file in \(directory)"))
                return nil
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                issues.append(RosterIssue(file: name, line: nil, field: nil, reason: "cannot read the file"))
                return nil
            }
            guard let (text, _) = TextEncoding.decode(data) else {
                issues.append(RosterIssue(file: name, line: nil, field: nil, reason: "neither UTF-8 nor GB18030 text"))
                return nil
            }
            return text
        }
        let contacts = read(Self.contactsFile)
        let policy = read(Self.policyFile)
        guard issues.isEmpty, let contacts, let policy else { throw RosterError(issues: issues) }
        return try Self.parse(contacts: contacts, policy: policy, registry: registry, folder: directory)
    }

    /// Parses and checks the text of `contacts.csv` and `policy.yaml`, as ``load(directory:registry:)``
    /// does with the files of a folder.
    /// - Parameter folder: where template files named by the policy are looked for; nil: not checked.
    /// - Throws: ``RosterError`` listing every problem: contacts first, then the policy, then reachability.
    public static func parse(contacts: String, policy: String, registry: Registry, folder: String? = nil) throws(RosterError) -> Roster {
        var policyReader = PolicyReader(file: Self.policyFile, folder: folder)
        let alertPolicy = policyReader.read(policy)
        var contactIssues: [RosterIssue] = []
        let people = Self.contacts(contacts, registry: registry, gateways: policyReader.declaredGateways, issues: &contactIssues)
        var issues = contactIssues + policyReader.issues
        guard issues.isEmpty, let alertPolicy else { throw RosterError(issues: issues) }
        let roster = Roster(contacts: people, policy: alertPolicy)
        issues += Self.reachability(roster, registry: registry)
        guard issues.isEmpty else { throw RosterError(issues: issues) }
        return roster
    }

    // MARK: Contacts

    /// The contacts of `text`; each bad cell and each duplicate is an issue, and a row with any is left out.
    static func contacts(_ text: String, registry: Registry, gateways: Set<String>?, issues: inout [RosterIssue]) -> [Contact] {
        var log = IssueLog()
        let rows = parseCSV(text, file: Self.contactsFile, schema: Self.schema, issues: &log)
        let villages = Dictionary(registry.villages.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let townships = Set(registry.villages.map(\.township))
        var contacts: [Contact] = []
        var found = log.issues.map(Self.issue)
        var byName: [ContactScope: [String: Int]] = [:]
        var byMobile: [ContactScope: [String: Int]] = [:]
        for row in rows {
            var reader = FieldReader(file: Self.contactsFile, row: row)
            let line: Int
            if case .line(let number) = row.location { line = number } else { line = 0 }
            let scope = reader.requiredText("scope").flatMap {
                Self.scope($0, registry: registry, villages: villages, townships: townships, reader: &reader)
            }
            let name = reader.requiredText("name")
            let roles = reader.requiredText("role").flatMap { Self.roles($0, reader: &reader) }
            if let scope, let roles {
                for role in roles {
                    if let tier = role.tier, tier != scope.tier {
                        reader.fail("role", "\(role.key) (\(role.chineseName)) serves a \(tier), but scope is the \(scope)")
                    }
                }
            }
            var mobile: String?
            if let raw = reader.requiredText("mobile") {
                mobile = MobileNumber.normalize(raw)
                if mobile == nil {
                    reader.fail("mobile", "'\(raw)' is not a mobile number (11 digits starting 13 to 19, optionally +86 in front)")
                }
            }
            let channels = Self.channels(reader.text("channels"), gateways: gateways, reader: &reader)
            let language = reader.text("language") == nil ? ContactLanguage.zh : reader.choice("language", Self.languages)
            if let scope, let name, let mobile {
                if let first = byName[scope]?[name] {
                    reader.fail("name", "\(name) is already listed for the \(scope) on line \(first)")
                } else if let first = byMobile[scope]?[mobile] {
                    reader.fail("mobile", "\(mobile) is already listed for the \(scope) on line \(first)")
                }
                byName[scope, default: [:]][name] = byName[scope]?[name] ?? line
                byMobile[scope, default: [:]][mobile] = byMobile[scope]?[mobile] ?? line
            }
            found += reader.issues.issues.map(Self.issue)
            if reader.issues.isEmpty, let scope, let name, let roles, let mobile, let channels, let language {
                contacts.append(
                    Contact(scope: scope, name: name, roles: roles, mobile: mobile, channels: channels, language: language, line: line)
                )
            }
        }
        // The reader's issues for rows it rejected come before those of the rows read; restore file order.
        issues += found.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
        return contacts
    }

    static func issue(_ issue: RegistryIssue) -> RosterIssue {
        let line: Int? = if case .line(let number) = issue.location { number } else { nil }
        return RosterIssue(file: issue.file, line: line, field: issue.field, reason: issue.reason)
    }

    /// A scope cell: a 12-digit village code of the register, a township of the register, or the county
    /// (`county`, 县, its name or its 6-digit region code).
    static func scope(
        _ text: String, registry: Registry, villages: [String: Village], townships: Set<String>, reader: inout FieldReader
    ) -> ContactScope? {
        if text.lowercased() == "county" || text == "县" || text == registry.county.name || text == registry.county.regionCode {
            return .county
        }
        if townships.contains(text) { return .township(name: text) }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard text.count == 12 else {
                reader.fail("scope", "'\(text)' is not a 12-digit village code")
                return nil
            }
            guard villages[text] != nil else {
                reader.fail("scope", "village \(text) is not in the register (villages.csv)")
                return nil
            }
            return .village(code: text)
        }
        reader.fail(
            "scope",
            "'\(text)' is not a village code, a township of the register (\(townships.sorted().joined(separator: ", "))) or county"
        )
        return nil
    }

    /// A role cell: one role, or several separated by `;` (a village head who is also the grid worker).
    static func roles(_ text: String, reader: inout FieldReader) -> [ContactRole]? {
        var roles: [ContactRole] = []
        var ok = true
        for part in Self.split(text) {
            guard let role = ContactRole(name: part) else {
                let known = ContactRole.allCases.map(\.key).joined(separator: ", ")
                reader.fail("role", "'\(part)' is not a role (roles: \(known))")
                ok = false
                continue
            }
            if roles.contains(role) {
                reader.fail("role", "\(role.key) is listed twice")
                ok = false
                continue
            }
            roles.append(role)
        }
        return ok && !roles.isEmpty ? roles.sorted() : nil
    }

    /// A channels cell: gateway names separated by `;`, most preferred first; empty: no gateway.
    static func channels(_ text: String?, gateways: Set<String>?, reader: inout FieldReader) -> [String]? {
        guard let text else { return [] }
        var channels: [String] = []
        var ok = true
        for name in Self.split(text) {
            if let gateways, !gateways.contains(name) {
                let known = gateways.sorted().joined(separator: ", ")
                reader.fail("channels", "'\(name)' is not a gateway of \(Self.policyFile) (gateways: \(known))")
                ok = false
                continue
            }
            if channels.contains(name) {
                reader.fail("channels", "\(name) is listed twice")
                ok = false
                continue
            }
            channels.append(name)
        }
        return ok ? channels : nil
    }

    /// Parts of a cell separated by `;` (ASCII or full-width), trimmed, empty parts left out.
    static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "；" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    // MARK: Across the two files

    /// Every village, township and county that some level would reach nobody in, at the line of that
    /// level's `notify:`; and the county duty officer, at the line of `escalation:`, when nobody can be
    /// told that a village is unreachable.
    static func reachability(_ roster: Roster, registry: Registry) -> [RosterIssue] {
        var issues: [RosterIssue] = []
        let villages = Dictionary(registry.villages.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        for level in WarningLevel.warning {
            guard let entry = roster.policy.levels[level] else { continue }
            for scope in roster.unreachableScopes(level: level, registry: registry) {
                let roles = entry.roles.filter { $0.tier == scope.tier || $0.tier == nil }.map(\.key).joined(separator: " or ")
                var place = "\(scope)"
                if case .village(let code) = scope, let village = villages[code] { place += " \(village.name) (\(village.township))" }
                var above = ""
                if let next = roster.scopeAbove(scope, registry: registry) {
                    let count = roster.tierContacts(scope: next).count
                    above = " (\(next) above it: " + (count == 0 ? "nobody reachable either)" : "\(count) reachable)")
                }
                issues.append(
                    RosterIssue(
                        file: Self.policyFile, line: entry.notifyLine > 0 ? entry.notifyLine : nil, field: "levels.\(level.name).notify",
                        reason: "\(place) has nobody reachable at \(level.name): no \(roles) there with a channel in \(Self.contactsFile)\(above)"
                    )
                )
            }
        }
        if !roster.countyDutyReachable {
            issues.append(
                RosterIssue(
                    file: Self.policyFile, line: roster.policy.escalationLine > 0 ? roster.policy.escalationLine : nil, field: "escalation",
                    reason: "no county_duty contact with a channel in \(Self.contactsFile); the county duty officer is told "
                        + "when a village has nobody reachable"
                )
            )
        }
        return issues
    }
}
