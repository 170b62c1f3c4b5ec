// SPDX-License-Identifier: Apache-2.0
import CSQLite

/// One SQLite connection: the raw owner of a `sqlite3*`.
///
/// ```swift
/// let database = try Database(configuration: StorageConfiguration(path: path))
/// defer { database.close() }
/// try database.execute("CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
/// try database.transaction { db throws(StorageError) in
///     let insert = try db.prepare("INSERT INTO notes(text) VALUES (?)")
///     for text in ["滑坡", "崩塌"] {
///         try insert.bind(text, at: 1)
///         try insert.step()
///         insert.reset()
///     }
/// }
/// ```
///
/// Every connection is opened in WAL mode, with `synchronous` as configured, foreign keys enforced,
/// extended result codes on and a busy timeout.
///
/// ## Threading
/// A `Database` is not `Sendable`: it belongs to one isolation domain, in production the ``Store``
/// actor, and is never touched from two threads at once. That confinement is why it is opened with
/// `SQLITE_OPEN_NOMUTEX` (see ``init(configuration:)``).
///
/// ## Closing
/// Call ``close()`` explicitly (``Store/close()`` does at shutdown). `deinit` asserts that happened and
/// closes the connection anyway as a safety net in release builds.
public final class Database {
    /// The path the connection was opened with.
    public let path: String
    /// The connection, or nil once closed. Never escapes this module.
    private var handle: OpaquePointer?

    /// Opens (creating if needed) the database file and configures the connection.
    ///
    /// - Parameter configuration: The path, `synchronous` level and busy timeout.
    /// - Throws: ``StorageError/open(path:code:message:)`` when the file cannot be opened, for instance
    ///   because its directory does not exist (this initialiser never creates directories), and
    ///   ``StorageError/configuration(path:message:)`` when SQLite is too old or refuses WAL.
    public init(configuration: StorageConfiguration) throws(StorageError) {
        self.path = configuration.path
        // SQLITE_OPEN_NOMUTEX selects SQLite's multi-thread mode: no mutex around this connection. That is
        // sound because the connection is confined to one isolation domain (the Store actor, which runs
        // one job at a time) and is therefore never used by two threads at the same time, which is the
        // only thing multi-thread mode forbids. It may move between threads across `await`s; SQLite
        // connections are not tied to a thread. GRDB's SerializedDatabase makes the same argument.
        // A read-only connection never creates the file: a missing one fails with SQLITE_CANTOPEN.
        let access = configuration.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let flags = access | SQLITE_OPEN_NOMUTEX
        var raw: OpaquePointer?
        let rc = sqlite3_open_v2(configuration.path, &raw, flags, nil)
        guard rc == SQLITE_OK, let raw else {
            // sqlite3_open_v2 allocates a handle even when it fails (unless out of memory): read its
            // message now, then free it.
            let message = raw.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            let code = raw.map { sqlite3_extended_errcode($0) } ?? rc
            sqlite3_close_v2(raw)
            throw .open(path: configuration.path, code: ResultCode(rawValue: code), message: message)
        }
        self.handle = raw
        do throws(StorageError) {
            try self.configure(raw, configuration)
        } catch {
            // Initialisation is complete, so deinit will run: close first so its assertion holds.
            self.close()
            throw error
        }
    }

    /// Opens the database at `path` with the default configuration.
    public convenience init(path: String) throws(StorageError) {
        try self.init(configuration: StorageConfiguration(path: path))
    }

    deinit {
        assert(self.handle == nil, "Database at \(self.path) was not closed before deinit; call close()")
        if let handle = self.handle {
            sqlite3_close_v2(handle)
        }
    }

    /// The oldest SQLite this layer accepts: 3.37 brought STRICT tables, which the schema uses.
    public static let minimumSQLiteVersion: Int32 = 3_037_000

    private func configure(_ raw: OpaquePointer, _ configuration: StorageConfiguration) throws(StorageError) {
        let version = sqlite3_libversion_number()
        guard version >= Self.minimumSQLiteVersion else {
            throw .configuration(
                path: self.path,
                message: "SQLite \(String(cString: sqlite3_libversion())) is too old; HazardMon needs 3.37 or later")
        }
        guard configuration.busyTimeoutMilliseconds >= 0, let timeout = Int32(exactly: configuration.busyTimeoutMilliseconds)
        else {
            throw .configuration(
                path: self.path, message: "busy timeout \(configuration.busyTimeoutMilliseconds) ms is out of range")
        }
        // Failures then return SQLITE_CONSTRAINT_UNIQUE rather than SQLITE_CONSTRAINT, and so on.
        sqlite3_extended_result_codes(raw, 1)
        // Set before switching to WAL, which itself may have to wait for a lock.
        sqlite3_busy_timeout(raw, timeout)

        // A read-only connection cannot change the journal mode; it reads what the writer chose (WAL).
        if configuration.readOnly {
            try self.execute("PRAGMA foreign_keys = ON")
            return
        }
        let journal = try self.prepare("PRAGMA journal_mode = WAL")
        let mode = try journal.step() ? journal.string(at: 0).lowercased() : ""
        // An in-memory database cannot use WAL and reports "memory"; accept it so tests and tools can use one.
        guard mode == "wal" || mode == "memory" else {
            throw .configuration(path: self.path, message: "journal_mode=WAL was refused; SQLite kept '\(mode)'")
        }
        try self.execute(
            """
            PRAGMA synchronous = \(configuration.synchronous.rawValue);
            PRAGMA foreign_keys = ON;
            """)
    }

    /// Whether the connection is open.
    public var isOpen: Bool { self.handle != nil }

    /// Closes the connection. Calling it again does nothing.
    ///
    /// Uses `sqlite3_close_v2`: should a ``Statement`` still be alive, the connection becomes a zombie that
    /// SQLite frees when that statement is finalised, instead of failing and leaking. Such a statement
    /// refuses to run (``StorageError/closed(path:)``). On the last connection, SQLite checkpoints the WAL.
    public func close() {
        guard let handle = self.handle else { return }
        self.handle = nil
        let rc = sqlite3_close_v2(handle)
        assert(rc == SQLITE_OK, "sqlite3_close_v2 returned \(ResultCode(rawValue: rc)) for \(self.path)")
    }

    /// The open connection, or ``StorageError/closed(path:)``.
    private func openHandle() throws(StorageError) -> OpaquePointer {
        guard let handle = self.handle else { throw .closed(path: self.path) }
        return handle
    }

    // MARK: Statements

    /// Compiles one SQL statement.
    ///
    /// The statement is finalised when it goes out of scope. Keep it for as long as it is reused, for
    /// example across a whole insert loop, resetting it between rows.
    ///
    /// - Parameter sql: Exactly one statement, with `?` or `?NNN` parameters. A trailing `;`, whitespace
    ///   and comments are allowed.
    /// - Returns: The prepared statement.
    /// - Throws: ``StorageError/prepare(sql:code:message:)`` when the SQL does not compile, is empty, or
    ///   holds more than one statement (use ``execute(_:)`` for scripts).
    public func prepare(_ sql: String) throws(StorageError) -> Statement {
        let db = try self.openHandle()
        let outcome: Result<OpaquePointer, StorageError> = sql.withCString { text in
            var raw: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, text, -1, 0, &raw, &tail)
            guard rc == SQLITE_OK else {
                return .failure(.prepare(sql: sql, code: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db))))
            }
            guard let raw else {
                return .failure(.prepare(sql: sql, code: .misuse, message: "no SQL statement (empty or only comments)"))
            }
            if let tail, let extra = Self.nextStatement(db, tail) {
                sqlite3_finalize(raw)
                return .failure(
                    .prepare(
                        sql: sql, code: .misuse,
                        message: "prepare takes one statement; use execute(_:) for several (next: \(extra))"))
            }
            return .success(raw)
        }
        return Statement(raw: try outcome.get(), connection: self)
    }

    /// The text of the statement that starts at `tail`, or nil when only whitespace, `;` and comments
    /// follow. Text that does not even compile also counts as another statement.
    private static func nextStatement(_ db: OpaquePointer, _ tail: UnsafePointer<CChar>) -> String? {
        var cursor = tail
        // Skip `;`, space, tab, newline, vertical tab, form feed and carriage return.
        while [0x3B, 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(cursor.pointee) {
            cursor += 1
        }
        guard cursor.pointee != 0 else { return nil }
        // Only comments left compile to no statement at all.
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, cursor, -1, &raw, nil)
        defer { sqlite3_finalize(raw) }
        return rc == SQLITE_OK && raw == nil ? nil : String(String(cString: cursor).prefix(80))
    }

    /// Runs a script of one or more statements separated by `;`, discarding any rows they return.
    ///
    /// - Parameter sql: The statements. Parameters cannot be bound here; use ``prepare(_:)``.
    /// - Throws: The error of the first statement that fails, naming that statement. Statements before it
    ///   have run; wrap the call in ``transaction(_:_:)`` to make the script all-or-nothing.
    public func execute(_ sql: String) throws(StorageError) {
        let db = try self.openHandle()
        let outcome: Result<Void, StorageError> = sql.withCString { text in
            var cursor: UnsafePointer<CChar>? = text
            while let current = cursor, current.pointee != 0 {
                var raw: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(db, current, -1, &raw, &tail)
                guard rc == SQLITE_OK else {
                    return .failure(
                        .prepare(sql: String(cString: current), code: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db))))
                }
                cursor = tail
                guard let raw else { continue }  // whitespace or a comment
                defer { sqlite3_finalize(raw) }
                var step = sqlite3_step(raw)
                while step == SQLITE_ROW { step = sqlite3_step(raw) }
                guard step == SQLITE_DONE else {
                    return .failure(StorageError.fromStep(db, raw, code: step))
                }
            }
            return .success(())
        }
        try outcome.get()
    }

    // MARK: Transactions

    /// How a transaction takes its locks.
    public enum TransactionKind: String, Sendable, Hashable {
        /// `BEGIN DEFERRED`: no lock until the first read or write. For consistent multi-statement reads.
        case deferred = "DEFERRED"
        /// `BEGIN IMMEDIATE`: takes the write lock at once, so a writer never fails half-way with
        /// `SQLITE_BUSY` when it upgrades from reading to writing. The default.
        case immediate = "IMMEDIATE"
        /// `BEGIN EXCLUSIVE`: in WAL mode, the same as immediate.
        case exclusive = "EXCLUSIVE"
    }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool {
        self.handle.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }

    /// Runs `body` in one transaction: `BEGIN IMMEDIATE` (by default), then `COMMIT`, or `ROLLBACK` when
    /// `body` or the commit throws.
    ///
    /// Transactions do not nest: calling this inside `body` throws.
    ///
    /// - Parameters:
    ///   - kind: How to take locks; ``TransactionKind/immediate`` unless reading only.
    ///   - body: The work, given this connection.
    /// - Returns: What `body` returned.
    /// - Throws: What `body` threw (after rolling back), or the failure of BEGIN or COMMIT.
    @discardableResult
    public func transaction<T>(
        _ kind: TransactionKind = .immediate, _ body: (Database) throws(StorageError) -> T
    ) throws(StorageError) -> T {
        try self.execute("BEGIN \(kind.rawValue) TRANSACTION")
        let value: T
        do throws(StorageError) {
            value = try body(self)
            try self.execute("COMMIT TRANSACTION")
        } catch {
            self.rollbackAfterFailure()
            throw error
        }
        return value
    }

    /// Rolls back the open transaction after a failure, if SQLite has not already done so. Also used by
    /// ``IngestWriter``, whose transaction body throws untyped errors.
    func rollbackAfterFailure() {
        // Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, …) make SQLite roll back by itself;
        // a second ROLLBACK would then only fail.
        guard self.isInTransaction else { return }
        // If ROLLBACK itself fails, the error that led here is still the one to report, and SQLite rolls
        // back a transaction left open when the connection closes.
        _ = try? self.execute("ROLLBACK TRANSACTION")
    }

    // MARK: Connection state

    /// `PRAGMA user_version`: the schema version ``Migrator`` keeps. 0 for a new database.
    public var userVersion: Int {
        get throws(StorageError) {
            let statement = try self.prepare("PRAGMA user_version")
            return try statement.step() ? statement.int(at: 0) : 0
        }
    }

    /// Sets `PRAGMA user_version`. Transactional: rolled back with the transaction it is set in.
    ///
    /// - Throws: ``StorageError/rejected(_:)`` when `version` does not fit SQLite's 32 bits.
    public func setUserVersion(_ version: Int) throws(StorageError) {
        guard let value = Int32(exactly: version) else {
            throw .rejected("user_version \(version) does not fit in 32 bits")
        }
        try self.execute("PRAGMA user_version = \(value)")
    }

    /// The rowid of the last row inserted on this connection (0 when none, or once closed).
    public var lastInsertRowID: Int64 {
        self.handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// How many rows the last INSERT, UPDATE or DELETE on this connection changed (0 once closed).
    public var changes: Int {
        self.handle.map { Int(sqlite3_changes64($0)) } ?? 0
    }
}

// Explicit non-conformance: a Database must stay in the isolation domain that opened it (see Threading).
@available(*, unavailable)
extension Database: Sendable {}

extension StorageError {
    /// The error for a failed `sqlite3_step`, read on the statement's connection right away.
    static func fromStep(_ db: OpaquePointer, _ statement: OpaquePointer, code rc: Int32) -> StorageError {
        let message = String(cString: sqlite3_errmsg(db))
        let code = ResultCode(rawValue: rc)
        let sql = sqlite3_sql(statement).map { String(cString: $0) } ?? ""
        return code.primary == .constraint
            ? .constraint(sql: sql, code: code, message: message)
            : .step(sql: sql, code: code, message: message)
    }
}
