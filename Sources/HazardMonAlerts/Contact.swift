// SPDX-License-Identifier: Apache-2.0

/// One person on the roster: where they serve, what they do, and how to reach them.
public struct Contact: Sendable, Hashable, Codable {
    /// The village, township or county the person serves.
    public var scope: ContactScope
    public var name: String
    /// The roles the person holds in that scope, in ``ContactRole`` order (a village head who is also the
    /// grid worker holds two).
    public var roles: [ContactRole]
    /// The mobile number as 11 digits (a `+86` prefix is removed).
    public var mobile: String
    /// Names of gateways of the policy that reach the person, most preferred first; empty when no gateway
    /// reaches them (they are then nobody's recipient).
    public var channels: [String]
    public var language: ContactLanguage
    /// The line of `contacts.csv` the contact was read from (0 when not read from a file).
    public var line: Int

    public init(
        scope: ContactScope, name: String, roles: [ContactRole], mobile: String, channels: [String],
        language: ContactLanguage = .zh, line: Int = 0
    ) {
        self.scope = scope
        self.name = name
        self.roles = roles
        self.mobile = mobile
        self.channels = channels
        self.language = language
        self.line = line
    }

    /// Whether some gateway reaches the person.
    public var isReachable: Bool { !self.channels.isEmpty }
}

/// Where a contact serves: one village (by its 12-digit code), one township (by name), or the county.
public enum ContactScope: Sendable, Hashable, Codable, CustomStringConvertible {
    case village(code: String)
    case township(name: String)
    case county

    /// The tier of the warning chain the scope is at.
    public var tier: EscalationTier {
        switch self {
        case .village: .village
        case .township: .township
        case .county: .county
        }
    }

    /// `village 500999101201`, `township 青岩镇`, `county`.
    public var description: String {
        switch self {
        case .village(let code): "village \(code)"
        case .township(let name): "township \(name)"
        case .county: "county"
        }
    }
}

/// The language messages to a contact are written in.
public enum ContactLanguage: String, Sendable, Hashable, Codable, CaseIterable {
    case zh
    case en
}

/// A Chinese mobile number: 11 digits starting 13–19, optionally written with `+86` (or `86`) in front and
/// spaces or dashes between groups.
public enum MobileNumber {
    /// The 11 digits of `text`, or nil when it is not a Chinese mobile number.
    public static func normalize(_ text: String) -> String? {
        var digits = text.filter { $0 != " " && $0 != "-" }
        if digits.hasPrefix("+86") {
            digits.removeFirst(3)
        } else if digits.count == 13, digits.hasPrefix("86") {
            digits.removeFirst(2)
        }
        guard digits.count == 11, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let second = digits[digits.index(after: digits.startIndex)]
        guard digits.first == "1", ("3"..."9").contains(second) else { return nil }
        return digits
    }
}
