// SPDX-License-Identifier: Apache-2.0

/// One schema step: the SQL that takes a database from `version - 1` to `version`.
public struct Migration: Sendable, Hashable {
    /// The `PRAGMA user_version` the database has once this step has run; 1 for the first step.
    public var version: Int
    /// A short name for messages, e.g. `"registry"`.
    public var name: String
    /// One or more statements, run in one transaction.
    public var sql: String

    /// A step taking the schema to `version`.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Brings a database's schema up to date, tracking the version in `PRAGMA user_version`.
///
/// ```swift
/// let migrator = Migrator([
///     Migration(version: 1, name: "registry", sql: "CREATE TABLE …"),
///     Migration(version: 2, name: "readings", sql: "CREATE TABLE …"),
/// ])
/// try migrator.migrate(database)
/// ```
///
/// Each step runs in its own `BEGIN IMMEDIATE` transaction together with the `user_version` update, so
/// a database is always at exactly one version: a step that fails leaves it at the previous one. Steps
/// are never edited once released; a change to the schema is a new step.
public struct Migrator: Sendable {
    /// The steps, in increasing version order.
    public let migrations: [Migration]

    /// A migrator for `migrations`, which must be numbered 1, 2, 3, … (checked by ``migrate(_:)``).
    public init(_ migrations: [Migration]) {
        self.migrations = migrations
    }

    /// The version a fully migrated database has (0 without steps).
    public var latestVersion: Int { self.migrations.last?.version ?? 0 }

    /// Applies every step the database has not had yet.
    ///
    /// - Parameter database: An open connection, outside any transaction.
    /// - Returns: The steps applied, empty when the database was already current.
    /// - Throws: ``StorageError/migration(version:message:)`` when the steps are not numbered 1, 2, 3, …,
    ///   when the database is newer than ``latestVersion`` (it is then left untouched: this build does not
    ///   know its schema), or when a step fails (naming the step and SQLite's error).
    @discardableResult
    public func migrate(_ database: Database) throws(StorageError) -> [Migration] {
        try self.validate()
        let latest = self.latestVersion
        try Self.refuseNewer(try database.userVersion, latest: latest)
        var applied: [Migration] = []
        for migration in self.migrations {
            let ran = try database.transaction { db throws(StorageError) -> Bool in
                // Re-read under the write lock: another process may have migrated in the meantime.
                let current = try db.userVersion
                try Self.refuseNewer(current, latest: latest)
                guard current < migration.version else { return false }
                do throws(StorageError) {
                    try db.execute(migration.sql)
                    try db.setUserVersion(migration.version)
                } catch {
                    throw .migration(version: migration.version, message: "step '\(migration.name)' failed: \(error)")
                }
                return true
            }
            if ran { applied.append(migration) }
        }
        return applied
    }

    private static func refuseNewer(_ current: Int, latest: Int) throws(StorageError) {
        guard current <= latest else {
            throw .migration(
                version: current,
                message: "the database has schema version \(current), newer than the \(latest) this build knows; "
                    + "refusing to use it (run a newer hazardmon, or restore a backup made by this version)")
        }
    }

    /// Steps must be numbered 1, 2, 3, … so that `user_version` alone says which have run.
    private func validate() throws(StorageError) {
        for (offset, migration) in self.migrations.enumerated() where migration.version != offset + 1 {
            throw .migration(
                version: migration.version,
                message: "step '\(migration.name)' is numbered \(migration.version) but is step \(offset + 1); "
                    + "versions must run 1, 2, 3, … without gaps")
        }
    }
}
