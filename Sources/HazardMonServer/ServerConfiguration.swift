// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import Yams

/// The daemon's settings, read from YAML (`deploy/hazardmon.example.yaml` documents every key).
///
/// Relative paths are resolved against the folder of the configuration file, so a file in
/// `/etc/hazardmon/` can say `sites: sites`; without a file they are relative to the working folder,
/// which makes `hazardmon serve` in a checkout serve the sample county with its database under `var/`.
/// A file's defaults are the example's values (`tokens: tokens.yaml` beside the file); without a file the
/// tokens are the checkout's demo tokens.
public struct ServerConfiguration: Sendable, Equatable {
    /// The file this configuration was read from, named in errors about its paths; `nil` for the defaults.
    public var file: String?
    /// Address and port to listen on. Default `127.0.0.1:8080`; use `0.0.0.0:8080` behind a firewall.
    public var host = "127.0.0.1"
    public var port = 8080
    /// `host` and `port` as one address, as `listen:` writes them.
    public var listen: ListenAddress { ListenAddress(host: self.host, port: self.port) }
    /// SQLite database file. Default `var/hazardmon.sqlite`.
    public var database = "var/hazardmon.sqlite"
    /// `normal` (survives a killed process) or `full` (also survives power loss). Default `normal`.
    public var synchronousFull = false
    /// The site register folder (`sites/README.md`). Default `sites`.
    public var sites = "sites"
    /// Threshold rule files. Default `thresholds`.
    public var thresholds = "thresholds"
    /// Contact roster folder. Default `roster`.
    public var roster = "roster"
    /// Device tokens file (`hazardmon tokens new` writes entries for it). Default `deploy/sample-tokens.yaml`.
    public var tokens = "deploy/sample-tokens.yaml"
    /// How often queued readings are committed, in milliseconds. Default 50.
    public var tickIntervalMilliseconds = 50
    /// Readings that may wait for the next commit; beyond it requests get 503 with Retry-After. Default 200,000.
    public var queueBound = 200_000
    /// Queued readings that start a commit at once instead of at the next tick. Default 1,000.
    public var flushReadings = 1000
    /// Largest request body in bytes; larger gets 413. Default 4 MiB.
    public var bodyLimitBytes = 4 * 1024 * 1024
    /// Request bodies being received or decoded at once may hold at most this many bytes (by declared
    /// length; a chunked body counts as `body_limit_bytes`); a request beyond it gets 503 with Retry-After
    /// before its body is read. Bounds the memory that many slow or stalled uploads can hold. Default 256 MiB.
    public var bodyMemoryBytes = 256 * 1024 * 1024
    /// Readings older than this many days are rejected as outside retention. Default 400.
    public var retentionDays = 400
    /// Readings stamped more than this many seconds in the future are rejected. Default 300.
    public var futureToleranceSeconds = 300
    /// How long a graceful stop may take before work is cancelled, in seconds. Default 30; keep it below
    /// the unit's `TimeoutStopSec`.
    public var shutdownTimeoutSeconds = 30
    /// How often an idle daemon runs the rules' time-driven checks (silent channels, expiring levels).
    public var ruleClockSeconds = 10
    /// Address and port of the second listener, which serves only `GET /metrics`, `/healthz` and `/readyz`
    /// (the feed port answers 404 for `/metrics`); nil (`metrics_listen: none`) serves no metrics at all.
    /// Default `127.0.0.1:9464`, so per-site levels, device ids and battery voltages stay off the network.
    public var metricsListen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9464)
    /// Seconds a feed connection may sit without a request in progress before it is closed; a request's
    /// header must also arrive within it (from the connection's start or the previous answer). Default 30.
    public var idleTimeoutSeconds = 30
    /// Seconds a request's body may go without a byte arriving before the connection is closed. Default 15.
    public var readTimeoutSeconds = 15
    /// Feed connections open at once; one more is closed as soon as it is accepted, with a log line and
    /// `hazardmon_http_connections_refused_total`. The open-files limit must leave room (checked at start).
    /// Default 1000.
    public var maxConnections = 1000
    /// swift-log level. Default `info`.
    public var logLevel: Logger.Level = .info

    public init() {}

    /// The keys a file may use, each with its YAML name.
    static let keys: Set<String> = [
        "listen", "database", "synchronous", "sites", "thresholds", "roster", "tokens", "tick_interval_ms",
        "queue_bound", "flush_readings", "body_limit_bytes", "retention_days", "future_tolerance_s", "shutdown_timeout_s", "log_level",
        "rule_clock_s", "metrics_listen", "idle_timeout_s", "read_timeout_s", "max_connections", "body_memory_bytes",
    ]

    /// Reads a configuration file; every problem is reported as `file:line: key: reason`.
    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(problems: ["\(path): cannot read the file"])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(problems: ["\(path): not UTF-8 text"])
        }
        let base = (path as NSString).deletingLastPathComponent
        var configuration = try Self.parse(text, file: path, baseFolder: base.isEmpty ? "." : base)
        configuration.file = path
        return configuration
    }

    /// Parses configuration text. `baseFolder` resolves relative paths.
    public static func parse(_ text: String, file: String, baseFolder: String) throws(ConfigurationError) -> ServerConfiguration {
        var problems: [String] = []
        var configuration = ServerConfiguration()
        configuration.tokens = "tokens.yaml"
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(problems: ["\(file): not valid YAML: \(error)"])
        }
        guard let root else { return configuration.resolvingPaths(against: baseFolder) }  // an empty file: defaults
        guard let mapping = root.mapping else {
            throw ConfigurationError(problems: ["\(file): expected a mapping of keys, see deploy/hazardmon.example.yaml"])
        }
        func place(_ node: Node) -> String { node.mark.map { "\(file):\($0.line)" } ?? file }
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            func fail(_ reason: String) { problems.append("\(place(value)): \(name): \(reason)") }
            func integer(_ range: ClosedRange<Int>) -> Int? {
                guard let number = value.int, range.contains(number) else {
                    fail("'\(value.string ?? "")' must be a whole number in \(range.lowerBound)...\(range.upperBound)")
                    return nil
                }
                return number
            }
            func text() -> String? {
                guard let string = value.string, !string.isEmpty else {
                    fail("must be a non-empty string")
                    return nil
                }
                return string
            }
            switch name {
            case "listen":
                guard let listen = text() else { continue }
                guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
                    (0...65535).contains(port), colon != listen.startIndex
                else {
                    fail("'\(listen)' is not HOST:PORT, e.g. 127.0.0.1:8080")
                    continue
                }
                configuration.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                configuration.port = port
            case "metrics_listen":
                guard let listen = text() else { continue }
                if listen == "none" {
                    configuration.metricsListen = nil
                    continue
                }
                guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
                    (0...65535).contains(port), colon != listen.startIndex
                else {
                    fail("'\(listen)' is not HOST:PORT (e.g. 127.0.0.1:9464) or none")
                    continue
                }
                configuration.metricsListen = ListenAddress(
                    host: String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
            case "idle_timeout_s": configuration.idleTimeoutSeconds = integer(1...3600) ?? configuration.idleTimeoutSeconds
            case "read_timeout_s": configuration.readTimeoutSeconds = integer(1...3600) ?? configuration.readTimeoutSeconds
            case "max_connections": configuration.maxConnections = integer(1...1_000_000) ?? configuration.maxConnections
            case "database": configuration.database = text() ?? configuration.database
            case "synchronous":
                switch value.string {
                case "normal": configuration.synchronousFull = false
                case "full": configuration.synchronousFull = true
                default: fail("'\(value.string ?? "")' must be normal or full")
                }
            case "sites": configuration.sites = text() ?? configuration.sites
            case "thresholds": configuration.thresholds = text() ?? configuration.thresholds
            case "roster": configuration.roster = text() ?? configuration.roster
            case "tokens": configuration.tokens = text() ?? configuration.tokens
            case "tick_interval_ms": configuration.tickIntervalMilliseconds = integer(1...10_000) ?? configuration.tickIntervalMilliseconds
            case "queue_bound": configuration.queueBound = integer(1...100_000_000) ?? configuration.queueBound
            case "flush_readings": configuration.flushReadings = integer(1...100_000_000) ?? configuration.flushReadings
            case "body_limit_bytes": configuration.bodyLimitBytes = integer(1024...1_073_741_824) ?? configuration.bodyLimitBytes
            case "body_memory_bytes": configuration.bodyMemoryBytes = integer(1024...68_719_476_736) ?? configuration.bodyMemoryBytes
            case "retention_days": configuration.retentionDays = integer(1...36_500) ?? configuration.retentionDays
            case "future_tolerance_s": configuration.futureToleranceSeconds = integer(0...86_400) ?? configuration.futureToleranceSeconds
            case "rule_clock_s": configuration.ruleClockSeconds = integer(1...3600) ?? configuration.ruleClockSeconds
            case "shutdown_timeout_s": configuration.shutdownTimeoutSeconds = integer(1...3600) ?? configuration.shutdownTimeoutSeconds
            case "log_level":
                if let level = value.string.flatMap(Logger.Level.init(rawValue:)) {
                    configuration.logLevel = level
                } else {
                    fail("'\(value.string ?? "")' must be one of trace, debug, info, notice, warning, error, critical")
                }
            default:
                problems.append("\(place(key)): \(name): unknown key (known: \(Self.keys.sorted().joined(separator: ", ")))")
            }
        }
        if problems.isEmpty, configuration.bodyMemoryBytes < configuration.bodyLimitBytes {
            let place = mapping.first { $0.key.string == "body_memory_bytes" }.map { place($0.value) } ?? file
            problems.append(
                "\(place): body_memory_bytes: \(configuration.bodyMemoryBytes) is below body_limit_bytes (\(configuration.bodyLimitBytes)); no full-size batch could be taken")
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return configuration.resolvingPaths(against: baseFolder)
    }

    /// Checks that the folders and files the daemon reads exist, before anything is created; each problem
    /// names the path, the key that set it and what to do.
    public func checkPaths() throws(ConfigurationError) {
        var problems: [String] = []
        let origin = self.file.map { " (the '%@' key of \($0))" } ?? " (the default '%@'; see --config)"
        func isFolder(_ path: String) -> Bool {
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
        }
        for (key, path) in [("sites", self.sites), ("thresholds", self.thresholds)] where !isFolder(path) {
            problems.append("\(path): no such folder" + origin.replacingOccurrences(of: "%@", with: key))
        }
        if !FileManager.default.fileExists(atPath: self.tokens) {
            problems.append(
                "\(self.tokens): no tokens file" + origin.replacingOccurrences(of: "%@", with: "tokens")
                    + "; make it and its first token with: " + TokenTable.newTokenCommand(file: self.tokens))
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
    }

    /// The configuration with relative paths made relative to `folder`.
    public func resolvingPaths(against folder: String) -> ServerConfiguration {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") || folder == "." ? path : (folder as NSString).appendingPathComponent(path)
        }
        var resolved = self
        resolved.database = resolve(self.database)
        resolved.sites = resolve(self.sites)
        resolved.thresholds = resolve(self.thresholds)
        resolved.roster = resolve(self.roster)
        resolved.tokens = resolve(self.tokens)
        return resolved
    }
}

/// A host and port to listen on.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }

    /// Whether the host is a loopback address (127.0.0.0/8, ::1 or localhost): reachable from this machine only.
    public var isLoopback: Bool {
        self.host == "localhost" || self.host == "::1" || self.host.hasPrefix("127.")
    }
}

/// A configuration file that cannot be used; every problem, one per line.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String { self.problems.joined(separator: "\n") }
}
