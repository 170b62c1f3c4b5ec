// SPDX-License-Identifier: Apache-2.0

/// One problem found in a rule file or in a rule set checked against the register, printed as
/// `file:line: field: reason` (the style of the register's issues).
///
/// `field` is the key path of the offending key, starting with the rule's id (`ff-rain.accumulation.windows`,
/// `ff-rain.overrides[SH500999-0003].level.tiers`), or with `rules[n]` (counting from 0) when the rule has no
/// usable id.
public struct RuleIssue: Sendable, Hashable, CustomStringConvertible {
    /// The rule file's name (relative to the rule folder), or the folder for folder-wide problems.
    public var file: String
    /// The line of the offending key, counting from 1; nil for a problem with the file as a whole.
    public var line: Int?
    /// The key path at fault, or nil for a whole file.
    public var field: String?
    public var reason: String

    public init(file: String, line: Int?, field: String?, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// An issue at a key of a rule.
    public init(mark: SourceMark, field: String?, reason: String) {
        self.init(file: mark.file, line: mark.line > 0 ? mark.line : nil, field: field, reason: reason)
    }

    /// `file:line: field: reason`, leaving out what is not known.
    public var description: String {
        var text = self.file
        if let line = self.line { text += ":\(line)" }
        if let field = self.field { text += ": \(field)" }
        return text + ": " + self.reason
    }
}

/// The error loading a rule folder throws: every problem found, in file order. No rule was loaded.
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [RuleIssue]

    public init(issues: [RuleIssue]) {
        self.issues = issues
    }

    /// One line per issue.
    public var description: String { self.issues.map(\.description).joined(separator: "\n") }
}
