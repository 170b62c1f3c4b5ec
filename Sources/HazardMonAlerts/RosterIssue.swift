// SPDX-License-Identifier: Apache-2.0

/// One problem found in the roster folder, printed as `file:line: field: reason` (the style of the
/// register's and the rule files' issues).
///
/// `field` is a column of `contacts.csv` (`mobile`) or the key path of a `policy.yaml` key
/// (`levels.red.ack_within`, `gateways.sms.url`).
public struct RosterIssue: Sendable, Hashable, CustomStringConvertible {
    /// The file's name relative to the roster folder (`contacts.csv`, `policy.yaml`), or the folder.
    public var file: String
    /// The line, counting from 1; nil for a problem with the file as a whole.
    public var line: Int?
    /// The column or key path at fault, or nil for a whole row or file.
    public var field: String?
    public var reason: String

    public init(file: String, line: Int?, field: String?, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// `file:line: field: reason`, leaving out what is not known.
    public var description: String {
        var text = self.file
        if let line = self.line { text += ":\(line)" }
        if let field = self.field { text += ": \(field)" }
        return text + ": " + self.reason
    }
}

/// The error loading a roster folder throws: every problem found, contacts first, then the policy, then
/// the checks across both. No roster was loaded.
public struct RosterError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [RosterIssue]

    public init(issues: [RosterIssue]) {
        self.issues = issues
    }

    /// One line per issue.
    public var description: String { self.issues.map(\.description).joined(separator: "\n") }
}
