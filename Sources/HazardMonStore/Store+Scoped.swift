// SPDX-License-Identifier: Apache-2.0

/// Opens a ``Store``, runs `body`, and closes the store afterwards, also when `body` throws.
///
/// For commands and tests that use the database for one piece of work; the daemon keeps one open.
public func withStore<T>(_ configuration: StorageConfiguration, _ body: (Store) async throws -> T) async throws -> T {
    try await withStore(try Store(configuration: configuration), body)
}

/// Runs `body` with an opened `store` and closes it afterwards, also when `body` throws.
public func withStore<T>(_ store: Store, _ body: (Store) async throws -> T) async throws -> T {
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
