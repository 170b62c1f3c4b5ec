// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonStore
import Testing

// Fixtures as scoping traits (style.md §10): `@Test(.temporaryDirectory)` and `@Test(.temporaryStore)`,
// each backed by a `with…` helper that cleans up even when the test throws.

/// Runs `body` with a fresh, empty directory and removes it afterwards, also on throw.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appending(path: "hazardmon-store-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// Opens a store at `path`, runs `body`, and closes the store afterwards, also on throw.
@discardableResult
func withStore<T>(
    at path: String, synchronous: StorageConfiguration.Synchronous = .normal, _ body: (Store) async throws -> T
) async throws -> T {
    try await withStore(StorageConfiguration(path: path, synchronous: synchronous), body)
}

/// Opens a raw connection at `path`, runs `body`, and closes it afterwards, also on throw.
func withDatabase<T>(
    at path: String, synchronous: StorageConfiguration.Synchronous = .normal, busyTimeoutMilliseconds: Int = 5000,
    _ body: (Database) throws -> T
) throws -> T {
    let database = try Database(
        configuration: StorageConfiguration(path: path, synchronous: synchronous, busyTimeoutMilliseconds: busyTimeoutMilliseconds))
    defer { database.close() }
    return try body(database)
}

/// Opens an ingest writer at `path`, runs `body`, and closes the writer afterwards, also on throw.
@discardableResult
func withIngestWriter<T>(at path: String, _ body: (IngestWriter) throws -> T) throws -> T {
    let writer = try IngestWriter(configuration: StorageConfiguration(path: path))
    defer { writer.close() }
    return try body(writer)
}

/// The directory a `.temporaryDirectory` or `.temporaryStore` test runs in.
struct TemporaryDirectory: Sendable {
    @TaskLocal static var current: TemporaryDirectory?

    let url: URL

    /// A path for a database file inside the directory.
    func path(_ name: String = "hazardmon.sqlite") -> String {
        self.url.appending(path: name).path(percentEncoded: false)
    }
}

/// The store a `.temporaryStore` test runs against: a real SQLite file in a temporary directory.
struct TemporaryStore: Sendable {
    @TaskLocal static var current: TemporaryStore?

    let store: Store
    /// The database file, for reopening it or reading it with a second connection.
    let path: String
}

/// `@Test(.temporaryDirectory)`: the test gets ``TemporaryDirectory/current``.
struct TemporaryDirectoryTrait: TestTrait, SuiteTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Applied to a suite, the trait reaches each test through `isRecursive`; the suite needs none.
        guard !test.isSuite else { return try await function() }
        try await withTemporaryDirectory { url in
            try await TemporaryDirectory.$current.withValue(TemporaryDirectory(url: url)) {
                try await function()
            }
        }
    }
}

/// `@Test(.temporaryStore)`: the test gets ``TemporaryStore/current``, a migrated store on a fresh file,
/// closed and deleted afterwards.
struct TemporaryStoreTrait: TestTrait, SuiteTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard !test.isSuite else { return try await function() }
        try await withTemporaryDirectory { url in
            let directory = TemporaryDirectory(url: url)
            let path = directory.path()
            try await withStore(at: path) { store in
                try await TemporaryDirectory.$current.withValue(directory) {
                    try await TemporaryStore.$current.withValue(TemporaryStore(store: store, path: path)) {
                        try await function()
                    }
                }
            }
        }
    }
}

extension Trait where Self == TemporaryDirectoryTrait {
    /// Runs the test in a fresh temporary directory, removed afterwards.
    static var temporaryDirectory: Self { Self() }
}

extension Trait where Self == TemporaryStoreTrait {
    /// Runs the test against a fresh store on a real SQLite file, closed and removed afterwards.
    static var temporaryStore: Self { Self() }
}

/// The current test's temporary directory; fails the test when the trait is missing.
func temporaryDirectory(sourceLocation: SourceLocation = #_sourceLocation) throws -> TemporaryDirectory {
    try #require(TemporaryDirectory.current, "add the .temporaryDirectory trait", sourceLocation: sourceLocation)
}

/// The current test's temporary store; fails the test when the trait is missing.
func temporaryStore(sourceLocation: SourceLocation = #_sourceLocation) throws -> TemporaryStore {
    try #require(TemporaryStore.current, "add the .temporaryStore trait", sourceLocation: sourceLocation)
}

/// The single value of a one-row, one-column query, read on a separate connection.
func scalar(_ sql: String, in database: Database) throws -> SQLiteValue {
    let statement = try database.prepare(sql)
    #expect(try statement.step() == true, "no row for \(sql)")
    return statement.value(at: 0)
}
