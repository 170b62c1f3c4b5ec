// SPDX-License-Identifier: Apache-2.0
import CSQLite
import Foundation

/// A prepared SQLite statement, finalised when it goes out of scope.
///
/// `~Copyable`, so it has exactly one owner and `deinit` finalises it exactly once on every path,
/// including when a step throws: no call site has to remember to clean up.
///
/// One-shot query:
/// ```swift
/// let query = try db.prepare("SELECT name FROM villages WHERE code = ?")
/// try query.bind(code, at: 1)
/// let name = try query.step() ? query.string(at: 0) : nil
/// ```
/// Reuse in a hot loop (prepare once, bind, step, reset):
/// ```swift
/// let insert = try db.prepare("INSERT INTO readings(channel, ts, value) VALUES (?, ?, ?)")
/// for reading in batch {
///     try insert.bind(reading.channel, at: 1)
///     try insert.bind(reading.ts, at: 2)
///     try insert.bind(reading.value, at: 3)
///     try insert.step()
///     insert.reset()
/// }
/// ```
///
/// Parameter and column indexes follow SQLite: parameters count from 1, columns from 0.
/// Column readers apply SQLite's type conversions (`NULL` reads as 0, 0.0, `""` or empty `Data`); use
/// the `optional…` readers or ``isNull(at:)`` to tell `NULL` apart.
public struct Statement: ~Copyable {
    private let raw: OpaquePointer
    /// Keeps the connection object alive for as long as its statement, and lets ``step()`` refuse to run
    /// on a closed one.
    private let connection: Database

    init(raw: OpaquePointer, connection: Database) {
        self.raw = raw
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(self.raw)
    }

    /// The SQL text the statement was prepared from.
    public var sql: String {
        sqlite3_sql(self.raw).map { String(cString: $0) } ?? ""
    }

    /// The number of parameters (the largest index).
    public var parameterCount: Int32 { sqlite3_bind_parameter_count(self.raw) }

    /// The number of result columns (0 for a statement that returns no rows).
    public var columnCount: Int32 { sqlite3_column_count(self.raw) }

    /// The name of a result column.
    public func columnName(at index: Int32) -> String {
        sqlite3_column_name(self.raw, index).map { String(cString: $0) } ?? ""
    }

    // MARK: Binding

    /// Binds a value of any storage class to parameter `index` (from 1).
    public func bind(_ value: SQLiteValue, at index: Int32) throws(StorageError) {
        switch value {
        case .null: try self.bindNull(at: index)
        case .integer(let integer): try self.bind(integer, at: index)
        case .real(let real): try self.bind(real, at: index)
        case .text(let text): try self.bind(text, at: index)
        case .blob(let blob): try self.bind(blob, at: index)
        }
    }

    /// Binds `values` to parameters 1, 2, 3, … in order.
    public func bind(_ values: [SQLiteValue]) throws(StorageError) {
        for (offset, value) in values.enumerated() {
            try self.bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds `NULL` to parameter `index`.
    public func bindNull(at index: Int32) throws(StorageError) {
        try self.check(sqlite3_bind_null(self.raw, index), binding: index)
    }

    /// Binds an integer, or `NULL` when nil.
    public func bind(_ value: Int64?, at index: Int32) throws(StorageError) {
        guard let value else { return try self.bindNull(at: index) }
        try self.check(sqlite3_bind_int64(self.raw, index, value), binding: index)
    }

    /// Binds an integer, or `NULL` when nil.
    public func bind(_ value: Int?, at index: Int32) throws(StorageError) {
        try self.bind(value.map { Int64($0) }, at: index)
    }

    /// Binds a real, or `NULL` when nil. SQLite stores a NaN as `NULL`.
    public func bind(_ value: Double?, at index: Int32) throws(StorageError) {
        guard let value else { return try self.bindNull(at: index) }
        try self.check(sqlite3_bind_double(self.raw, index, value), binding: index)
    }

    /// Binds UTF-8 text (copied by SQLite), or `NULL` when nil. Embedded NULs are kept.
    public func bind(_ value: String?, at index: Int32) throws(StorageError) {
        guard let value else { return try self.bindNull(at: index) }
        let raw = self.raw
        // withCString always gives a non-null pointer, even for "" (a null pointer would bind NULL).
        // The explicit length keeps embedded NULs; SQLITE_TRANSIENT makes SQLite copy the bytes now.
        let rc = value.withCString { text in
            sqlite3_bind_text64(raw, index, text, sqlite3_uint64(value.utf8.count), hm_sqlite_transient(), UInt8(SQLITE_UTF8))
        }
        try self.check(rc, binding: index)
    }

    /// Binds a blob (copied by SQLite), or `NULL` when nil. Empty data binds an empty blob, not `NULL`.
    public func bind(_ value: Data?, at index: Int32) throws(StorageError) {
        guard let value else { return try self.bindNull(at: index) }
        let raw = self.raw
        let rc: Int32
        if value.isEmpty {
            // An empty Data may have no base address, and a null pointer would bind NULL.
            rc = sqlite3_bind_zeroblob(raw, index, 0)
        } else {
            rc = value.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(raw, index, bytes.baseAddress, sqlite3_uint64(bytes.count), hm_sqlite_transient())
            }
        }
        try self.check(rc, binding: index)
    }

    /// Binds a Boolean as the integer 0 or 1, or `NULL` when nil.
    public func bind(_ value: Bool?, at index: Int32) throws(StorageError) {
        try self.bind(value.map { Int64($0 ? 1 : 0) }, at: index)
    }

    private func check(_ rc: Int32, binding index: Int32) throws(StorageError) {
        guard rc != SQLITE_OK else { return }
        let message = sqlite3_db_handle(self.raw).map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        throw .bind(sql: self.sql, index: index, code: ResultCode(rawValue: rc), message: message)
    }

    /// Sets every parameter back to `NULL`.
    public func clearBindings() {
        sqlite3_clear_bindings(self.raw)
    }

    // MARK: Running

    /// Runs the statement to its next row.
    ///
    /// - Returns: true when a row is ready to read, false when the statement has finished.
    /// - Throws: ``StorageError/constraint(sql:code:message:)`` for a constraint violation,
    ///   ``StorageError/step(sql:code:message:)`` for any other failure, ``StorageError/closed(path:)``
    ///   when the connection has been closed.
    @discardableResult
    public func step() throws(StorageError) -> Bool {
        guard self.connection.isOpen else { throw .closed(path: self.connection.path) }
        let rc = sqlite3_step(self.raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            // A statement always has a connection; the fallback only keeps this total.
            guard let db = sqlite3_db_handle(self.raw) else {
                throw .step(sql: self.sql, code: ResultCode(rawValue: rc), message: String(cString: sqlite3_errstr(rc)))
            }
            throw StorageError.fromStep(db, self.raw, code: rc)
        }
    }

    /// Steps through every row, reading each with `row`.
    ///
    /// - Parameter row: Reads the current row; called once a row.
    /// - Returns: What `row` returned for each row, in order.
    public func fetchAll<T>(_ row: (borrowing Statement) throws(StorageError) -> T) throws(StorageError) -> [T] {
        var rows: [T] = []
        while try self.step() {
            rows.append(try row(self))
        }
        return rows
    }

    /// Rewinds the statement so it can run again; bindings are kept (see ``clearBindings()``).
    ///
    /// The result of `sqlite3_reset` is not checked: it repeats the error of the last ``step()``, which
    /// that call already threw.
    public func reset() {
        sqlite3_reset(self.raw)
    }

    // MARK: Reading columns

    /// Whether a column of the current row is `NULL`.
    public func isNull(at index: Int32) -> Bool {
        sqlite3_column_type(self.raw, index) == SQLITE_NULL
    }

    /// An integer column (`NULL` reads as 0).
    public func int64(at index: Int32) -> Int64 {
        sqlite3_column_int64(self.raw, index)
    }

    /// An integer column (`NULL` reads as 0).
    public func int(at index: Int32) -> Int {
        Int(truncatingIfNeeded: sqlite3_column_int64(self.raw, index))
    }

    /// A real column (`NULL` reads as 0.0).
    public func double(at index: Int32) -> Double {
        sqlite3_column_double(self.raw, index)
    }

    /// A text column (`NULL` reads as ""), decoded as UTF-8; invalid bytes become U+FFFD.
    public func string(at index: Int32) -> String {
        // Text first, then its length in bytes, as the SQLite docs require.
        guard let text = sqlite3_column_text(self.raw, index) else { return "" }
        let count = Int(sqlite3_column_bytes(self.raw, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// A blob column (`NULL` and an empty blob read as empty data). Text columns give their UTF-8 bytes.
    public func data(at index: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(self.raw, index) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(self.raw, index)))
    }

    /// An integer column, or nil for `NULL`.
    public func optionalInt64(at index: Int32) -> Int64? {
        self.isNull(at: index) ? nil : self.int64(at: index)
    }

    /// An integer column, or nil for `NULL`.
    public func optionalInt(at index: Int32) -> Int? {
        self.isNull(at: index) ? nil : self.int(at: index)
    }

    /// A real column, or nil for `NULL`.
    public func optionalDouble(at index: Int32) -> Double? {
        self.isNull(at: index) ? nil : self.double(at: index)
    }

    /// A text column, or nil for `NULL`.
    public func optionalString(at index: Int32) -> String? {
        self.isNull(at: index) ? nil : self.string(at: index)
    }

    /// A blob column, or nil for `NULL`.
    public func optionalData(at index: Int32) -> Data? {
        self.isNull(at: index) ? nil : self.data(at: index)
    }

    /// A column in its own storage class.
    public func value(at index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(self.raw, index) {
        case SQLITE_INTEGER: return .integer(self.int64(at: index))
        case SQLITE_FLOAT: return .real(self.double(at: index))
        case SQLITE_TEXT: return .text(self.string(at: index))
        case SQLITE_BLOB: return .blob(self.data(at: index))
        default: return .null
        }
    }
}

// A statement belongs to its connection's isolation domain, like the Database itself.
@available(*, unavailable)
extension Statement: Sendable {}
