// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonGeo
import HazardMonRegistry
import Testing

/// A copy of the `mini` register in a temporary folder, removed afterwards even when the body throws.
///
/// `edits` are applied per file as text replacements, and each file is written back in the encoding it
/// came in (UTF-8 with BOM, GB18030, …), so a test changes one cell the way a county clerk would.
func withMiniRegister<T>(
    edits: [(file: String, find: String, replace: String)] = [],
    _ body: (String) async throws -> T
) async throws -> T {
    let source = try #require(Bundle.module.url(forResource: "mini", withExtension: nil, subdirectory: "Fixtures"))
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-register-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: source, to: folder)
    defer { try? FileManager.default.removeItem(at: folder) }
    for edit in edits {
        let url = folder.appendingPathComponent(edit.file)
        let data = (try? Data(contentsOf: url)) ?? Data()
        let (text, encoding) = TextEncoding.decode(data) ?? ("", .utf8)
        if !edit.find.isEmpty {
            #expect(text.contains(edit.find), "fixture \(edit.file) has no '\(edit.find)' to replace")
        }
        let changed = edit.find.isEmpty ? text + edit.replace : text.replacingOccurrences(of: edit.find, with: edit.replace)
        try #require(encoding.encode(changed)).write(to: url)
    }
    return try await body(folder.path)
}

/// Loads a register folder and returns the issues it reports, as printed lines (empty when it loads).
func issues(loading folder: String) async throws -> [String] {
    try await withGeodesy { geodesy in
        do {
            _ = try await RegistryLoader(geodesy: geodesy).load(directory: folder)
            return []
        } catch let error as RegistryError {
            return error.issues.map(\.description)
        }
    }
}
