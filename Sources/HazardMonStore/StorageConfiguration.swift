// SPDX-License-Identifier: Apache-2.0

/// How to open the SQLite database.
///
/// Every connection runs in WAL mode with foreign keys enforced; only durability and the lock wait
/// are configurable (`perf-notes.md`, SQLite section).
public struct StorageConfiguration: Sendable, Hashable {
    /// The `PRAGMA synchronous` level.
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        /// In WAL mode, commits are not fsynced, only checkpoints: a power cut may lose the last
        /// transactions but never corrupts the database. The default.
        case normal = "NORMAL"
        /// Every commit is fsynced before it returns: nothing committed is lost, at the cost of one fsync
        /// per transaction.
        case full = "FULL"
    }

    /// The database file. Its directory must exist; creating it is the caller's job.
    public var path: String
    /// Durability of commits; ``Synchronous/normal`` unless set.
    public var synchronous: Synchronous
    /// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
    public var busyTimeoutMilliseconds: Int
    /// Open with `SQLITE_OPEN_READONLY`: the file must exist (it is never created), nothing is written and
    /// the schema is not migrated (a schema other than this build's is refused). For read commands.
    public var readOnly = false

    /// - Parameters:
    ///   - path: The database file; its directory must exist.
    ///   - synchronous: `PRAGMA synchronous`, default ``Synchronous/normal``.
    ///   - busyTimeoutMilliseconds: Lock wait, default 5000 ms.
    public init(path: String, synchronous: Synchronous = .normal, busyTimeoutMilliseconds: Int = 5000) {
        self.path = path
        self.synchronous = synchronous
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }
}
