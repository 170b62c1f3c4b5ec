// SPDX-License-Identifier: Apache-2.0

/// Every error the storage module throws.
///
/// SQLite failures carry the result code SQLite returned (extended, see ``ResultCode``) and the text of
/// `sqlite3_errmsg`, read on the same connection immediately after the failing call and before any
/// other call could overwrite it, plus the SQL or the path the failure belongs to.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database file could not be opened (missing directory, no permission, not a database, …).
    case open(path: String, code: ResultCode, message: String)
    /// The connection opened but could not be configured as HazardMon requires (e.g. WAL refused).
    case configuration(path: String, message: String)
    /// The connection was used after ``Database/close()``.
    case closed(path: String)
    /// SQL did not compile.
    case prepare(sql: String, code: ResultCode, message: String)
    /// A value could not be bound to a parameter (index out of range, too big, …).
    case bind(sql: String, index: Int32, code: ResultCode, message: String)
    /// A statement failed while running, for any reason other than a constraint.
    case step(sql: String, code: ResultCode, message: String)
    /// A statement violated a constraint: UNIQUE, PRIMARY KEY, NOT NULL, CHECK, FOREIGN KEY, a
    /// `RAISE(ABORT, …)` trigger, or a STRICT column type.
    case constraint(sql: String, code: ResultCode, message: String)
    /// A schema migration failed, or the database's schema is newer than this build.
    case migration(version: Int, message: String)
    /// A stored document could not be decoded: the database holds something this build cannot read.
    case corrupt(String)
    /// The store refused input it cannot store faithfully (duplicate keys, values JSON cannot encode, …).
    case rejected(String)

    /// The SQLite result code, for the cases that carry one.
    public var code: ResultCode? {
        switch self {
        case .open(_, let code, _), .prepare(_, let code, _), .bind(_, _, let code, _), .step(_, let code, _),
            .constraint(_, let code, _):
            return code
        case .configuration, .closed, .migration, .corrupt, .rejected:
            return nil
        }
    }

    /// The SQLite or storage message without the context.
    public var message: String {
        switch self {
        case .open(_, _, let message), .configuration(_, let message), .prepare(_, _, let message),
            .bind(_, _, _, let message), .step(_, _, let message), .constraint(_, _, let message),
            .migration(_, let message), .corrupt(let message), .rejected(let message):
            return message
        case .closed(let path):
            return "the database at \(path) is closed"
        }
    }

    public var description: String {
        switch self {
        case .open(let path, let code, let message):
            return "cannot open the SQLite database at \(path): \(message) [\(code)]"
        case .configuration(let path, let message):
            return "cannot configure the SQLite database at \(path): \(message)"
        case .closed(let path):
            return "the SQLite database at \(path) is already closed"
        case .prepare(let sql, let code, let message):
            return "cannot prepare SQL: \(message) [\(code)] in: \(Self.excerpt(sql))"
        case .bind(let sql, let index, let code, let message):
            return "cannot bind parameter \(index): \(message) [\(code)] in: \(Self.excerpt(sql))"
        case .step(let sql, let code, let message):
            return "SQL failed: \(message) [\(code)] in: \(Self.excerpt(sql))"
        case .constraint(let sql, let code, let message):
            return "constraint violated: \(message) [\(code)] in: \(Self.excerpt(sql))"
        case .migration(let version, let message):
            return "schema migration (version \(version)): \(message)"
        case .corrupt(let message):
            return "stored data cannot be read: \(message)"
        case .rejected(let message):
            return "refused by the store: \(message)"
        }
    }

    /// SQL shortened for a one-line message; the case itself keeps the whole text.
    private static func excerpt(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(while: \.isWhitespace) }
            .joined(separator: " ")
        return oneLine.count <= 200 ? oneLine : oneLine.prefix(200) + "…"
    }
}
