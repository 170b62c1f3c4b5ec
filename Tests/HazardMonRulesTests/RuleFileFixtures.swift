// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRegistry
import HazardMonRules
import Testing

/// The repository's root folder, found from this file.
let repositoryFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The bundled sample county's rule folder.
let sampleRulesFolder = repositoryFolder.appendingPathComponent("thresholds").path

/// The bundled sample county's register, loaded once (through PROJ) for all rule tests.
let sampleRegistry = Task { try await RegistryLoader.load(directory: repositoryFolder.appendingPathComponent("sites").path) }

/// A temporary folder holding `files` (name → text), removed afterwards even when the body throws.
func withRuleFolder<T>(_ files: [String: String], _ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-rules-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for (name, text) in files {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }
    return try await body(folder.path)
}

/// Every problem of a rule folder, as printed lines: the loader's, or when it loads, the check's against
/// the sample county.
func problems(_ files: [String: String], retentionDays: Int = 400) async throws -> [String] {
    let registry = try await sampleRegistry.value
    return try await withRuleFolder(files) { folder in
        do {
            let rules = try RuleFileLoader.load(directory: folder)
            return RuleCheck.check(rules, registry: registry, retentionDays: retentionDays).map(\.description)
        } catch let error as RuleError {
            return error.issues.map(\.description)
        }
    }
}

/// Lines joined into a file's text; line 1 is the first.
func yaml(_ lines: String...) -> String { lines.joined(separator: "\n") + "\n" }
