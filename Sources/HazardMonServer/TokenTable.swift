// SPDX-License-Identifier: Apache-2.0
import Crypto
import Foundation
import Yams

/// Bearer tokens that devices and gateways write with, stored as SHA-256 hashes.
///
/// The file (`deploy/sample-tokens.yaml` shows the form) lists each token's name, the hex SHA-256 of the
/// token and what it may write: `devices` (ids, or `"*"` for every device) and/or `sites` (every device
/// mounted on those sites). `hazardmon tokens new` makes a token and prints its entry; the token itself
/// is shown once and never stored.
public struct TokenTable: Sendable {
    /// What a token may write.
    public struct Grant: Sendable, Hashable {
        public var name: String
        public var allDevices: Bool
        public var devices: Set<String>
        public var sites: Set<String>

        /// Whether the grant covers a device, given the device's site.
        public func covers(device: String, site: String?) -> Bool {
            self.allDevices || self.devices.contains(device) || site.map(self.sites.contains) == true
        }
    }

    struct Entry: Sendable {
        var digest: [UInt8]
        var grant: Grant
    }

    /// The hex SHA-256 of `hazardmon-sample-county-demo-token`, the token published in
    /// `deploy/sample-tokens.yaml` and the README: anyone can write with it.
    public static let demoTokenHash = "d29a46b8b94782c1b23b11d17b0d4ce404a82c5fb4efe2634a061af6ec47c461"

    /// The names of entries whose hash is the published demo token's.
    public var demoTokenNames: [String] {
        let demo = Self.bytes(hex: Self.demoTokenHash) ?? []
        return self.entries.filter { $0.digest == demo }.map(\.grant.name)
    }

    /// Refuses the published demo token when the feed listens on anything but loopback, where anyone who
    /// reads the repository could write readings (and raise or clear warnings) with it.
    ///
    /// - Throws: ``ConfigurationError`` naming the tokens file, the entry and the `listen` key.
    public func checkDemoToken(file: String, listen: ListenAddress) throws(ConfigurationError) {
        let names = self.demoTokenNames
        guard !names.isEmpty, !listen.isLoopback else { return }
        throw ConfigurationError(problems: [
            "\(file): token '\(names.joined(separator: "', '"))' is the published demo token (deploy/sample-tokens.yaml); "
                + "it is refused while listen is \(listen), which is not loopback. Make real tokens with: "
                + Self.newTokenCommand(file: file)
        ])
    }

    /// The command that makes a token and adds it to `file` (creating it): the advice of every message
    /// about a missing or unusable tokens file.
    static func newTokenCommand(file: String) -> String {
        "hazardmon tokens new --name NAME --all-devices --file \(file)"
    }

    var entries: [Entry]

    init(entries: [Entry]) {
        self.entries = entries
    }

    public var count: Int { self.entries.count }

    /// The grant of a presented token, or nil. Every entry is compared in constant time, so the time taken
    /// says nothing about which entry or how many bytes matched.
    public func grant(forToken token: String) -> Grant? {
        let digest = Array(SHA256.hash(data: Data(token.utf8)))
        var found: Grant?
        for entry in self.entries where Self.constantTimeEqual(entry.digest, digest) {
            found = entry.grant
        }
        return found
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The hex SHA-256 of a token, as the file stores it.
    public static func hash(token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random token: 32 bytes from the system's CSPRNG, URL-safe base64 without padding.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a tokens file; problems are `file:line: field: reason`.
    public static func load(path: String) throws(ConfigurationError) -> TokenTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(problems: [
                "\(path): no tokens file; create it with: " + Self.newTokenCommand(file: path)
            ])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(problems: ["\(path): cannot read the tokens file (permissions?)"])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(problems: ["\(path): not UTF-8 text"])
        }
        return try Self.parse(text, file: path)
    }

    /// Reads a tokens file for a feed listening on `listen`: as ``load(path:)``, and the published demo token
    /// is refused unless `listen` is loopback (``checkDemoToken(file:listen:)``). SIGHUP reloads go through it.
    public static func load(path: String, listen: ListenAddress) throws(ConfigurationError) -> TokenTable {
        let table = try Self.load(path: path)
        try table.checkDemoToken(file: path, listen: listen)
        return table
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> TokenTable {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(problems: ["\(file): not valid YAML: \(error)"])
        }
        guard let list = root?.mapping?["tokens"]?.sequence else {
            throw ConfigurationError(problems: ["\(file): expected a 'tokens:' list"])
        }
        var problems: [String] = []
        var entries: [Entry] = []
        var names: Set<String> = []
        var firsts: [[UInt8]: String] = [:]  // digest → "'name' at line n" of its first entry
        for item in list {
            let place = item.mark.map { "\(file):\($0.line)" } ?? file
            guard let mapping = item.mapping else {
                problems.append("\(place): each token is a mapping with name, sha256, devices and/or sites")
                continue
            }
            for (key, _) in mapping where !["name", "sha256", "devices", "sites"].contains(key.string ?? "") {
                problems.append("\(place): \(key.string ?? "?"): unknown key (known: devices, name, sha256, sites)")
            }
            guard let name = mapping["name"]?.string, !name.isEmpty else {
                problems.append("\(place): name: required")
                continue
            }
            if !names.insert(name).inserted { problems.append("\(place): name: '\(name)' is listed twice") }
            let hex = mapping["sha256"]?.string?.lowercased() ?? ""
            guard let digest = Self.bytes(hex: hex), digest.count == 32 else {
                problems.append("\(place): sha256: must be 64 hex digits (hazardmon tokens hash < token)")
                continue
            }
            // Two entries with one hash would make the later grant win silently (a scoped token getting "*").
            if let first = firsts[digest] {
                problems.append("\(place): sha256: token '\(name)' has the same hash as token \(first); list each token once")
            } else {
                firsts[digest] = "'\(name)'" + (item.mark.map { " at line \($0.line)" } ?? "")
            }
            let devices = (mapping["devices"]?.sequence ?? []).compactMap(\.string)
            let sites = (mapping["sites"]?.sequence ?? []).compactMap(\.string)
            if devices.isEmpty && sites.isEmpty {
                problems.append("\(place): devices: token '\(name)' may write nothing; list devices (or \"*\") or sites")
            }
            entries.append(
                Entry(
                    digest: digest,
                    grant: Grant(
                        name: name, allDevices: devices.contains("*"), devices: Set(devices.filter { $0 != "*" }),
                        sites: Set(sites)
                    )
                )
            )
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return TokenTable(entries: entries)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
