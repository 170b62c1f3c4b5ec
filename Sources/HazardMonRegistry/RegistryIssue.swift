// SPDX-License-Identifier: Apache-2.0

/// One problem found in a register file, printed as `file:line: field: reason`.
public struct RegistryIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where in the file the problem is.
    public enum Location: Sendable, Hashable {
        /// The file as a whole (missing, unreadable, wrong shape).
        case file
        /// A physical line of a CSV or YAML file, counting from 1 (the header is line 1).
        case line(Int)
        /// A feature of a GeoJSON collection, counting from 1.
        case feature(Int)
    }

    /// The file name as the user would recognise it (relative to the imported folder).
    public var file: String
    public var location: Location
    /// The column or property at fault, or nil for a whole row or file.
    public var field: String?
    public var reason: String

    public init(file: String, location: Location, field: String? = nil, reason: String) {
        self.file = file
        self.location = location
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var text = self.file
        switch self.location {
        case .file: break
        case .line(let line): text += ":\(line)"
        case .feature(let index): text += ":feature \(index)"
        }
        if let field = self.field { text += ": \(field)" }
        return text + ": " + self.reason
    }
}

/// The error a register import throws: every problem found, in file order. Nothing was imported.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [RegistryIssue]

    public init(issues: [RegistryIssue]) {
        self.issues = issues
    }

    public var description: String {
        let count = self.issues.count
        return self.issues.map(\.description).joined(separator: "\n")
            + "\n\(count) problem\(count == 1 ? "" : "s") found; nothing was imported."
    }
}

/// Collects issues while a register is read, so that one pass reports every problem.
package struct IssueLog {
    package private(set) var issues: [RegistryIssue] = []

    package init() {}

    package var isEmpty: Bool { self.issues.isEmpty }

    mutating func add(_ issue: RegistryIssue) {
        self.issues.append(issue)
    }

    package mutating func add(_ file: String, _ location: RegistryIssue.Location, _ field: String?, _ reason: String) {
        self.issues.append(RegistryIssue(file: file, location: location, field: field, reason: reason))
    }

    mutating func append(contentsOf other: IssueLog) {
        self.issues.append(contentsOf: other.issues)
    }

    func throwIfAny() throws(RegistryError) {
        if !self.issues.isEmpty { throw RegistryError(issues: self.issues) }
    }
}
