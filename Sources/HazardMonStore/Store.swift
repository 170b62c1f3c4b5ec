// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// HazardMon's SQLite store: the isolation owner of one ``Database`` connection.
///
/// ```swift
/// let store = try Store(configuration: StorageConfiguration(path: "/var/lib/hazardmon/hazardmon.sqlite"))
/// let diff = try await store.replaceRegistry(registry)
/// let nearby = try await store.sites(matching: SiteFilter(near: centre, withinMeters: 2_000))
/// await store.close()
/// ```
///
/// Opening a store opens the file (its directory must exist), configures WAL and `synchronous`, and
/// migrates the schema to the version this build knows (``migrator``). A database written by a newer
/// build is refused rather than touched.
///
/// ## Threading
/// The actor is the only owner of its connection, so the connection is used by one job at a time and
/// never concurrently; that is what lets ``Database`` be opened without SQLite's mutex. Everything that
/// leaves the actor is a `Sendable` value. SQLite calls run on the actor's executor; with
/// `synchronous=NORMAL` in WAL mode commits do not fsync, so they are short.
///
/// ## Closing
/// Call ``close()`` at shutdown, after everything that writes has stopped. Calls after that throw
/// ``StorageError/closed(path:)``.
public actor Store {
    /// How the store was opened.
    public nonisolated let configuration: StorageConfiguration
    let database: Database
    let encoder: JSONEncoder
    let decoder = JSONDecoder()

    /// Opens the database and migrates it to the current schema; with
    /// ``StorageConfiguration/readOnly`` it opens an existing file without writing and requires the
    /// current schema instead.
    ///
    /// - Parameter configuration: Path, `synchronous` level and busy timeout.
    /// - Throws: ``StorageError/open(path:code:message:)`` when the file cannot be opened, or
    ///   ``StorageError/migration(version:message:)`` when the schema cannot be brought up to date or is
    ///   newer than this build. The connection is closed again on failure.
    public init(configuration: StorageConfiguration) throws(StorageError) {
        let database = try Database(configuration: configuration)
        do throws(StorageError) {
            if configuration.readOnly {
                // Nothing may be written, so the schema must already be this build's.
                let version = try database.userVersion
                if version != Self.migrator.latestVersion {
                    throw StorageError.migration(
                        version: version,
                        message: "the database at \(configuration.path) has schema version \(version), this build reads "
                            + "\(Self.migrator.latestVersion); open it once with a command that writes (hazardmon serve or sites import)")
                }
            } else {
                try Self.migrator.migrate(database)
            }
        } catch {
            database.close()
            throw error
        }
        self.configuration = configuration
        self.database = database
        let encoder = JSONEncoder()
        // Sorted keys make a document's text a function of its value.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.encoder = encoder
    }

    /// Opens the database at `path` with the default configuration (WAL, `synchronous=NORMAL`, 5 s busy
    /// timeout) and migrates it.
    public init(path: String) throws(StorageError) {
        try self.init(configuration: StorageConfiguration(path: path))
    }

    /// Closes the connection. Calling it again does nothing.
    public func close() {
        self.database.close()
    }

    /// The schema version of the open database (`PRAGMA user_version`).
    public func schemaVersion() throws(StorageError) -> Int {
        try self.database.userVersion
    }
}
