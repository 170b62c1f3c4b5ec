// SPDX-License-Identifier: Apache-2.0

/// Runs `body` with a fresh ``Geodesy`` and closes it afterwards, also when `body` throws.
///
/// For commands and tests that need PROJ for one piece of work; the daemon keeps one for its lifetime.
public func withGeodesy<T>(_ body: (Geodesy) async throws -> T) async throws -> T {
    let geodesy = try Geodesy()
    do {
        let result = try await body(geodesy)
        await geodesy.close()
        return result
    } catch {
        await geodesy.close()
        throw error
    }
}
