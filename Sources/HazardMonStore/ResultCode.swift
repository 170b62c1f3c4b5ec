// SPDX-License-Identifier: Apache-2.0
import CSQLite

/// An SQLite result code, primary or extended.
///
/// Connections are opened with extended result codes on, so a failure carries the precise code
/// (`SQLITE_CONSTRAINT_UNIQUE`, 2067) and ``primary`` gives its family (`SQLITE_CONSTRAINT`, 19).
/// Matching a primary code in a `switch` or `~=` also matches every extended code of its family:
///
/// ```swift
/// switch error.code {
/// case .constraintUnique?: …   // exactly 2067
/// case .constraint?: …         // 19 and every SQLITE_CONSTRAINT_* code
/// default: …
/// }
/// ```
public struct ResultCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code as SQLite returned it (extended when SQLite had one).
    public let rawValue: Int32

    /// Wraps a code SQLite returned.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The primary code: the low eight bits of an extended code.
    public var primary: ResultCode { ResultCode(rawValue: self.rawValue & 0xFF) }

    /// Whether this is a primary code rather than an extended one.
    public var isPrimary: Bool { self.rawValue == self.primary.rawValue }

    /// `SQLITE_NAME (n)`, plus the extended number when there is one, e.g. `SQLITE_CONSTRAINT (19/2067)`.
    public var description: String {
        let name = Self.primaryNames[self.primary.rawValue] ?? "SQLITE_\(self.primary.rawValue)"
        return self.isPrimary ? "\(name) (\(self.rawValue))" : "\(name) (\(self.primary.rawValue)/\(self.rawValue))"
    }

    /// A primary pattern matches its whole family; an extended pattern matches only itself.
    public static func ~= (pattern: ResultCode, code: ResultCode) -> Bool {
        pattern.isPrimary ? pattern == code.primary : pattern == code
    }

    /// An optional code, as ``StorageError/code`` gives, matched the same way.
    public static func ~= (pattern: ResultCode, code: ResultCode?) -> Bool {
        code.map { pattern ~= $0 } ?? false
    }

    /// `SQLITE_OK`: success.
    public static let ok = ResultCode(rawValue: SQLITE_OK)
    /// `SQLITE_ERROR`: generic error, e.g. an SQL syntax error or a missing table.
    public static let error = ResultCode(rawValue: SQLITE_ERROR)
    /// `SQLITE_ABORT`: the operation was aborted.
    public static let abort = ResultCode(rawValue: SQLITE_ABORT)
    /// `SQLITE_BUSY`: another connection holds the lock past the busy timeout.
    public static let busy = ResultCode(rawValue: SQLITE_BUSY)
    /// `SQLITE_LOCKED`: a conflict within the same connection or shared cache.
    public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
    /// `SQLITE_READONLY`: the database cannot be written.
    public static let readOnly = ResultCode(rawValue: SQLITE_READONLY)
    /// `SQLITE_IOERR`: the operating system reported an I/O error.
    public static let ioError = ResultCode(rawValue: SQLITE_IOERR)
    /// `SQLITE_CORRUPT`: the database file is malformed.
    public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
    /// `SQLITE_FULL`: the disk is full.
    public static let full = ResultCode(rawValue: SQLITE_FULL)
    /// `SQLITE_CANTOPEN`: the file cannot be opened (missing directory, permissions).
    public static let cantOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
    /// `SQLITE_CONSTRAINT`: a constraint was violated; the extended code says which kind.
    public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
    /// `SQLITE_MISMATCH`: a datatype mismatch, e.g. a non-integer rowid.
    public static let mismatch = ResultCode(rawValue: SQLITE_MISMATCH)
    /// `SQLITE_MISUSE`: the library was used incorrectly.
    public static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
    /// `SQLITE_RANGE`: a parameter index is out of range.
    public static let range = ResultCode(rawValue: SQLITE_RANGE)
    /// `SQLITE_NOTADB`: the file is not an SQLite database.
    public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)

    // The extended codes are `(SQLITE_CONSTRAINT | (n << 8))` macros, which Swift cannot import.
    /// `SQLITE_CONSTRAINT_CHECK`: a CHECK constraint failed.
    public static let constraintCheck = Self.extended(.constraint, 1)
    /// `SQLITE_CONSTRAINT_FOREIGNKEY`: a foreign key constraint failed.
    public static let constraintForeignKey = Self.extended(.constraint, 3)
    /// `SQLITE_CONSTRAINT_NOTNULL`: a NOT NULL constraint failed.
    public static let constraintNotNull = Self.extended(.constraint, 5)
    /// `SQLITE_CONSTRAINT_PRIMARYKEY`: a PRIMARY KEY constraint failed.
    public static let constraintPrimaryKey = Self.extended(.constraint, 6)
    /// `SQLITE_CONSTRAINT_TRIGGER`: a trigger raised `RAISE(ABORT, …)`.
    public static let constraintTrigger = Self.extended(.constraint, 7)
    /// `SQLITE_CONSTRAINT_UNIQUE`: a UNIQUE constraint failed.
    public static let constraintUnique = Self.extended(.constraint, 8)
    /// `SQLITE_CONSTRAINT_DATATYPE`: a value of the wrong type for a STRICT column.
    public static let constraintDataType = Self.extended(.constraint, 12)

    private static func extended(_ primary: ResultCode, _ number: Int32) -> ResultCode {
        ResultCode(rawValue: primary.rawValue | (number << 8))
    }

    private static let primaryNames: [Int32: String] = [
        0: "SQLITE_OK", 1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
        5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT",
        10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN",
        15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY", 17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG",
        19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS",
        23: "SQLITE_AUTH", 24: "SQLITE_FORMAT", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB", 27: "SQLITE_NOTICE",
        28: "SQLITE_WARNING", 100: "SQLITE_ROW", 101: "SQLITE_DONE",
    ]
}
