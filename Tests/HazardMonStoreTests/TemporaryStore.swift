// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonStore
import Testing

// Fixtures as scoping traits (style.md §10): `@Test(.temporaryDirectory)`,
// backed by a `with…` helper that cleans up even when the test throws.

/// Runs `body` with a fresh, empty directory and removes it afterwards, also on throw.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appending(path: "hazardmon-store-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
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

/// The directory a `.temporaryDirectory` or `.temporaryStore` test runs in.
struct TemporaryDirectory: Sendable {
    @TaskLocal static var current: TemporaryDirectory?

    let url: URL

    /// A path for a database file inside the directory.
    func path(_ name: String = "hazardmon.sqlite") -> String {
        self.url.appending(path: name).path(percentEncoded: false)
    }
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

extension Trait where Self == TemporaryDirectoryTrait {
    /// Runs the test in a fresh temporary directory, removed afterwards.
    static var temporaryDirectory: Self { Self() }
}

/// The current test's temporary directory; fails the test when the trait is missing.
func temporaryDirectory(sourceLocation: SourceLocation = #_sourceLocation) throws -> TemporaryDirectory {
    try #require(TemporaryDirectory.current, "add the .temporaryDirectory trait", sourceLocation: sourceLocation)
}

/// The single value of a one-row, one-column query, read on a separate connection.
func scalar(_ sql: String, in database: Database) throws -> SQLiteValue {
    let statement = try database.prepare(sql)
    #expect(try statement.step() == true, "no row for \(sql)")
    return statement.value(at: 0)
}
