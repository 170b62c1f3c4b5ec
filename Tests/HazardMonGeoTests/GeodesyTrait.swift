// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import Testing

@testable import HazardMonGeo

/// The ``Geodesy`` of the running test, provided by the `.geodesy` trait.
enum TestGeodesy {
    @TaskLocal static var current: Geodesy?

    /// The test's `Geodesy`; fails the test when it lacks the `.geodesy` trait.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> Geodesy {
        try #require(Self.current, "add the .geodesy trait to this test", sourceLocation: sourceLocation)
    }
}

/// Gives each test (each case of a parameterised test) its own ``Geodesy``, closed when the test ends.
struct GeodesyTrait: TestTrait, TestScoping {
    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withGeodesy { geodesy in
            try await TestGeodesy.$current.withValue(geodesy) {
                try await function()
            }
        }
    }
}

extension Trait where Self == GeodesyTrait {
    /// A fresh ``Geodesy`` for the test, reachable through ``TestGeodesy/require(sourceLocation:)``.
    static var geodesy: Self { Self() }
}

extension Trait where Self == ConditionTrait {
    /// Skips the suite, with a clear reason, when PROJ's `proj.db` cannot be opened on this machine.
    static var projDataAvailable: Self {
        .enabled("PROJ data (proj.db) not found: install proj-data (Debian) or set PROJ_DATA") {
            do {
                let geodesy = try Geodesy()
                await geodesy.close()
                return true
            } catch {
                return false
            }
        }
    }
}

/// Expects two coordinates to agree within `tolerance` in both x and y.
func expectClose(
    _ actual: Coordinate2D,
    _ expected: Coordinate2D,
    tolerance: Double,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        abs(actual.x - expected.x) <= tolerance && abs(actual.y - expected.y) <= tolerance,
        "got \(actual), expected \(expected) within \(tolerance)\(comment.map { " (\($0))" } ?? "")",
        sourceLocation: sourceLocation
    )
}
