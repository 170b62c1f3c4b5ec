// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonServer
import Testing

@Suite("Daemon configuration and tokens files")
struct ConfigurationTests {
    @Test("the example configuration parses to the defaults it documents")
    func example() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/hazardmon.example.yaml").path
        let loaded = try ServerConfiguration.load(path: path)
        var defaults = ServerConfiguration()
        defaults.tokens = "tokens.yaml"  // a file's default: beside the file
        defaults = defaults.resolvingPaths(against: (path as NSString).deletingLastPathComponent)
        defaults.file = path
        #expect(loaded == defaults)
    }

    @Test("relative paths are resolved against the configuration file's folder")
    func paths() throws {
        let configuration = try ServerConfiguration.parse(
            "database: /var/lib/hazardmon/hazardmon.sqlite\nsites: register\nlisten: 0.0.0.0:9000\nsynchronous: full\n",
            file: "/etc/hazardmon/hazardmon.yaml", baseFolder: "/etc/hazardmon")
        #expect(configuration.database == "/var/lib/hazardmon/hazardmon.sqlite")
        #expect(configuration.sites == "/etc/hazardmon/register")
        #expect(configuration.tokens == "/etc/hazardmon/tokens.yaml")
        #expect(configuration.host == "0.0.0.0" && configuration.port == 9000)
        #expect(configuration.synchronousFull)
    }

    @Test("bad keys and values are reported with file, line and key", arguments: [
        ("listen: 8080\n", "c.yaml:1: listen: '8080' is not HOST:PORT, e.g. 127.0.0.1:8080"),
        ("tick_interval_ms: 0\n", "c.yaml:1: tick_interval_ms: '0' must be a whole number in 1...10000"),
        ("queue_bound: lots\n", "c.yaml:1: queue_bound: 'lots' must be a whole number in 1...100000000"),
        ("synchronous: sometimes\n", "c.yaml:1: synchronous: 'sometimes' must be normal or full"),
        ("log_level: loud\n", "c.yaml:1: log_level: 'loud' must be one of trace, debug, info, notice, warning, error, critical"),
        ("sites: sites\ntick_ms: 50\n", "c.yaml:2: tick_ms: unknown key (known: body_limit_bytes, body_memory_bytes, database, flush_readings, future_tolerance_s, idle_timeout_s, listen, log_level, max_connections, metrics_listen, queue_bound, read_timeout_s, retention_days, roster, rule_clock_s, shutdown_timeout_s, sites, synchronous, thresholds, tick_interval_ms, tokens)"),
        ("- a\n- b\n", "c.yaml: expected a mapping of keys, see deploy/hazardmon.example.yaml"),
    ])
    func badConfiguration(text: String, problem: String) {
        #expect(throws: ConfigurationError(problems: [problem])) {
            try ServerConfiguration.parse(text, file: "c.yaml", baseFolder: ".")
        }
    }

    @Test("tokens: only the right token is granted, with its scope")
    func tokens() throws {
        let table = try TokenTable.parse(
            """
            tokens:
              - name: a
                sha256: \(TokenTable.hash(token: "alpha"))
                devices: ["D1", "D2"]
              - name: b
                sha256: \(TokenTable.hash(token: "beta"))
                sites: ["S9"]
            """, file: "t.yaml")
        let a = try #require(table.grant(forToken: "alpha"))
        #expect(a.name == "a" && a.covers(device: "D1", site: nil) && !a.covers(device: "D3", site: "S9"))
        let b = try #require(table.grant(forToken: "beta"))
        #expect(b.covers(device: "D3", site: "S9") && !b.covers(device: "D1", site: "S1"))
        #expect(table.grant(forToken: "alpha ") == nil)
        #expect(table.grant(forToken: "") == nil)
    }

    @Test("the SHA-256 of a known string")
    func hash() {
        // printf '%s' abc | sha256sum
        #expect(TokenTable.hash(token: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenTable.newToken() != TokenTable.newToken())
        #expect(TokenTable.newToken().count == 43)
    }

    @Test("bad tokens files are reported", arguments: [
        ("tokens:\n  - name: a\n    sha256: abc\n    devices: [\"*\"]\n", "t.yaml:2: sha256: must be 64 hex digits (hazardmon tokens hash < token)"),
        ("tokens:\n  - name: a\n    sha256: \(String(repeating: "0", count: 64))\n", "t.yaml:2: devices: token 'a' may write nothing; list devices (or \"*\") or sites"),
        ("tokens:\n  - sha256: \(String(repeating: "0", count: 64))\n    devices: [\"*\"]\n", "t.yaml:2: name: required"),
        ("tokens:\n  - name: a\n    secret: x\n    sha256: \(String(repeating: "0", count: 64))\n    devices: [\"*\"]\n", "t.yaml:2: secret: unknown key (known: devices, name, sha256, sites)"),
        ("users: []\n", "t.yaml: expected a 'tokens:' list"),
    ])
    func badTokens(text: String, problem: String) {
        #expect(throws: ConfigurationError(problems: [problem])) {
            try TokenTable.parse(text, file: "t.yaml")
        }
    }
}
