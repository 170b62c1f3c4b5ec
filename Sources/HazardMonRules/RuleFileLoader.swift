// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import Yams

/// Reads a folder of rule files (`thresholds/*.yaml`, format in `thresholds/README.md`) into a ``RuleSet``.
///
/// Every `*.yaml` / `*.yml` file in the folder is read in name order; other files (a README) are ignored.
/// All problems of all files are collected in one pass, each pointing at the line of the offending key, and
/// thrown together; a folder with any problem yields no rules, so a bad edit never half-replaces a rule set.
/// Only the form of the rules is checked here; whether they fit the site register (sites, channels, units,
/// retention) and each other (ids, combinations) is ``RuleCheck``'s work.
///
/// ```swift
/// let rules = try RuleFileLoader.load(directory: "thresholds")
/// let issues = RuleCheck.check(rules, registry: registry, retentionDays: 400)
/// ```
public enum RuleFileLoader {
    /// Loads every rule file in `directory`.
    /// - Returns: the rules in file-name and then file order, with a ``RuleSet/fingerprint`` of the files'
    ///   names and bytes. A folder without rule files gives an empty rule set.
    /// - Throws: ``RuleError`` listing every problem found; a missing folder is a problem naming it.
    public static func load(directory: String) throws(RuleError) -> RuleSet {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw RuleError(issues: [RuleIssue(file: directory, line: nil, field: nil, reason: "no such folder")])
        }
        guard isDirectory.boolValue else {
            throw RuleError(issues: [RuleIssue(file: directory, line: nil, field: nil, reason: "not a folder")])
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw RuleError(issues: [
                RuleIssue(file: directory, line: nil, field: nil, reason: "cannot list the folder: \(error.localizedDescription)")
            ])
        }
        var files: [(name: String, bytes: [UInt8])] = []
        var issues: [RuleIssue] = []
        for name in names where !name.hasPrefix(".") {
            let ext = (name.lowercased() as NSString).pathExtension
            guard ext == "yaml" || ext == "yml" else { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            guard let data = manager.contents(atPath: path) else {
                issues.append(RuleIssue(file: name, line: nil, field: nil, reason: "cannot read the file"))
                continue
            }
            files.append((name, [UInt8](data)))
        }
        var rules: [RuleDefinition] = []
        for (name, bytes) in files {
            var reader = RuleFileReader(file: name)
            rules += reader.read(bytes: bytes)
            issues += reader.issues
        }
        guard issues.isEmpty else { throw RuleError(issues: issues) }
        return RuleSet(rules: rules, fingerprint: Self.fingerprint(files))
    }

    /// Parses the text of one rule file, as ``load(directory:)`` does for each file.
    /// - Parameter file: the name issues and marks carry.
    /// - Throws: ``RuleError`` listing every problem in the text.
    public static func parse(_ text: String, file: String) throws(RuleError) -> [RuleDefinition] {
        var reader = RuleFileReader(file: file)
        let rules = reader.read(bytes: Array(text.utf8))
        guard reader.issues.isEmpty else { throw RuleError(issues: reader.issues) }
        return rules
    }

    /// FNV-1a 64 over each file's name, a 0 byte, its length (8 bytes, little endian) and its bytes, as 16
    /// lower-case hex digits: stable across runs and machines, and different when any file changes, is
    /// added, removed or renamed.
    static func fingerprint(_ files: [(name: String, bytes: [UInt8])]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for (name, bytes) in files {
            for byte in name.utf8 { mix(byte) }
            mix(0)
            var count = UInt64(bytes.count)
            for _ in 0..<8 {
                mix(UInt8(truncatingIfNeeded: count))
                count >>= 8
            }
            for byte in bytes { mix(byte) }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
