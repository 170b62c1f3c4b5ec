// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonServer
import HazardMonStore
import Synchronization
import Testing

/// The `hazardmon` executable run as a real process, as systemd would run it.
final class DaemonProcess: Sendable {
    let process: Process
    let port: Int
    let stderrLog: URL

    /// The executable built beside this test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hazardmon")
    }

    /// Starts `hazardmon serve --config` in `folder` and waits until it logs the port it serves on.
    init(folder: URL, extraConfiguration: String = "") async throws {
        let config = folder.appendingPathComponent("hazardmon.yaml")
        try Data("""
            listen: 127.0.0.1:0
            database: hazardmon.sqlite
            sites: sites
            tokens: tokens.yaml
            log_level: info
            \(extraConfiguration.contains("tick_interval_ms") ? "" : "tick_interval_ms: 20")
            \(extraConfiguration.contains("metrics_listen") ? "" : "metrics_listen: 127.0.0.1:0")
            \(extraConfiguration)
            """.utf8).write(to: config)
        let log = folder.appendingPathComponent("daemon-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--config", config.path]
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.stderrLog = log
        let deadline = ContinuousClock.now + .seconds(30)
        var port: Int?
        while port == nil, ContinuousClock.now < deadline, process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last ?? "")
            }
        }
        guard let port else {
            process.terminate()
            throw TestFailure("the daemon did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        self.port = port
    }

    var log: String { (try? String(contentsOf: self.stderrLog, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Waits for the process to end; returns its exit status, or nil on time-out.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.process.isRunning ? nil : self.process.terminationStatus
    }
}

/// Writers that POST batches of unique readings until stopped, remembering what was acknowledged.
final class LoadGenerator: Sendable {
    struct Tally: Sendable {
        var acknowledged: Set<Int64> = []  // ms time stamps of channel L3_YL_1 readings answered "accepted"
        var sentBatches = 0
        var answeredBatches = 0
        var failedBatches = 0  // connection errors and 503s: not acknowledged
    }

    let tally = Mutex(Tally())
    let base = Timestamp.parse(stamp(-86_400))!

    /// Runs `writers` concurrent clients, each posting `batch` readings per request, until `stop` is true.
    func run(port: Int, writers: Int, batch: Int, stop: @escaping @Sendable () -> Bool) async {
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let client = TestClient(port: port)
                    var sequence: Int64 = 0
                    while !stop() {
                        let stamps = (0..<Int64(batch)).map { self.base + Int64(writer) * 10_000_000 + sequence + $0 }
                        sequence += Int64(batch)
                        self.tally.withLock { $0.sentBatches += 1 }
                        let readings = stamps.map { ("10000001", "L3_YL_1", Timestamp.format($0), 1.0 as Any) }
                        guard let reply = try? await client.post(readings), reply.status == 200 else {
                            self.tally.withLock { $0.failedBatches += 1 }
                            if stop() { return }
                            try? await Task.sleep(for: .milliseconds(20))
                            continue
                        }
                        let accepted = zip(stamps, reply.statuses).filter { $0.1 == "accepted" }.map(\.0)
                        self.tally.withLock {
                            $0.answeredBatches += 1
                            $0.acknowledged.formUnion(accepted)
                        }
                    }
                }
            }
        }
    }
}

/// The readings of channel L3_YL_1 of device 10000001 stored in the folder's database.
func storedRainStamps(in folder: URL) async throws -> Set<Int64> {
    try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) { store in
        let channel = try #require(try await store.channels().first { $0.deviceID == "10000001" && $0.channel.code == "L3_YL_1" })
        return Set(try await store.readings(channelID: channel.id).map(\.timestamp))
    }
}

@Suite("The daemon as a process: kill -9, SIGTERM under load, SIGHUP", .serialized)
struct DaemonProcessTests {
    @Test("after kill -9 mid-stream, every reading that got a 2xx is in the database")
    func crash() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let daemon = try await DaemonProcess(folder: folder)
            let load = LoadGenerator()
            let stopped = Mutex(false)
            async let writing: Void = load.run(port: daemon.port, writers: 4, batch: 50) { stopped.withLock { $0 } }
            // Kill once the load has had a fair run (on a busy shared machine that can take longer than 1.5 s),
            // bounded by 20 s.
            let deadline = ContinuousClock.now + .seconds(20)
            try await Task.sleep(for: .milliseconds(1500))
            while load.tally.withLock({ $0.acknowledged.count }) <= 500, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            daemon.signal(SIGKILL)
            _ = try await daemon.waitForExit()
            stopped.withLock { $0 = true }
            await writing
            let tally = load.tally.withLock { $0 }
            let stored = try await storedRainStamps(in: folder)
            #expect(tally.acknowledged.count > 500, "the load ran: \(tally.answeredBatches) batches answered")
            #expect(tally.acknowledged.isSubset(of: stored), "\(tally.acknowledged.subtracting(stored).count) acknowledged readings lost")
            // In flight at the kill: sent but never answered; they may or may not be stored, never half.
            let inFlight = stored.count - tally.acknowledged.count
            #expect(inFlight >= 0)
            print("kill -9: \(tally.acknowledged.count) acknowledged readings, all stored; \(inFlight) stored without an answer (in flight); \(tally.failedBatches) batches not acknowledged")
        }
    }

    @Test("SIGTERM under load loses nothing queued and exits 0")
    func gracefulStop() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let daemon = try await DaemonProcess(folder: folder, extraConfiguration: "tick_interval_ms: 200")
            let load = LoadGenerator()
            let stopped = Mutex(false)
            async let writing: Void = load.run(port: daemon.port, writers: 4, batch: 100) { stopped.withLock { $0 } }
            try await Task.sleep(for: .milliseconds(1200))
            daemon.signal(SIGTERM)
            let status = try await daemon.waitForExit()
            stopped.withLock { $0 = true }
            await writing
            #expect(status == 0, "exit status; log:\n\(daemon.log)")
            let tally = load.tally.withLock { $0 }
            let stored = try await storedRainStamps(in: folder)
            #expect(tally.acknowledged.count > 0)
            #expect(stored == tally.acknowledged, "graceful stop: \(stored.count) stored, \(tally.acknowledged.count) acknowledged")
            #expect(daemon.log.contains("ingest loop stopped"))
        }
    }

    @Test("SIGHUP reloads a good tokens file and register; a bad one is refused and the old stays")
    func reload() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let daemon = try await DaemonProcess(folder: folder)
            let client = TestClient(port: daemon.port)
            let newToken = "token-added-by-reload"
            #expect(try await client.post([("10000001", "L3_YL_1", stamp(-60), 1.0)], token: newToken).status == 401)

            // A good reload: one more token, one more device.
            try Data((TestRegister.tokensFile() + """

                  - name: added
                    sha256: \(TokenTable.hash(token: newToken))
                    devices: ["*"]
                """).utf8).write(to: folder.appendingPathComponent("tokens.yaml"))
            let devices = folder.appendingPathComponent("sites/devices.csv")
            try Data((TestRegister.files["devices.csv"]! + "G001,P5,新雨量,10000009,L3_YL_1,rain,mm,300,0,300\n").utf8).write(to: devices)
            daemon.signal(SIGHUP)
            #expect(try await Self.eventually { try await client.post([("10000009", "L3_YL_1", stamp(-60), 1.0)], token: newToken).status == 200 })

            // A bad reload: a tokens file that does not parse, and a register with a bad row.
            try Data("tokens: [oops\n".utf8).write(to: folder.appendingPathComponent("tokens.yaml"))
            try Data((TestRegister.files["devices.csv"]! + "G001,P6,坏,10000010,L3_YL_1,rain,mm,300,300,0\n").utf8).write(to: devices)
            daemon.signal(SIGHUP)
            #expect(try await Self.eventually { daemon.log.contains("register reload failed") })
            #expect(daemon.log.contains("tokens file rejected; the previous tokens stay"))
            let still = try await client.post([("10000009", "L3_YL_1", stamp(-30), 2.0)], token: newToken)
            #expect(still.statuses == ["accepted"], "the previous tokens and register stay in force")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit() == 0)
        }
    }

    @Test("SIGHUP with changed rules takes them into force; bad rules are refused and the old ones keep working")
    func reloadRules() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let daemon = try await DaemonProcess(folder: folder)
            let client = TestClient(port: daemon.port)
            let database = StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)
            func levels() async throws -> [String: WarningLevel] {
                try await withStore(database) { store in
                    Dictionary(uniqueKeysWithValues: try await store.siteLevels().map { ($0.siteCode, $0.level) })
                }
            }
            // The test rules: F001 water level blue at 1.5 m.
            #expect(try await client.post([("10000003", "L3_DB_1", stamp(-600), 1.6)]).statuses == ["accepted"])
            #expect(try await levels()["F001"] == .blue, "\(daemon.log)")

            // Good rules: F001 blue only from 1.7 m. The site moves down with the reload (cause reconfigured).
            let rules = folder.appendingPathComponent("thresholds/rules.yaml")
            try Data(TestRegister.rules.replacingOccurrences(of: "blue: 1.5", with: "blue: 1.7").utf8).write(to: rules)
            daemon.signal(SIGHUP)
            // "rules loaded" is logged at start too: wait for the reload's own (the second), not just the SIGHUP line.
            #expect(try await Self.eventually { daemon.log.components(separatedBy: "rules loaded").count >= 3 })
            #expect(try await client.post([("10000003", "L3_DB_1", stamp(-540), 1.65)]).statuses == ["accepted"])
            #expect(try await levels()["F001"] == WarningLevel.none)
            let transitions = try await withStore(database) { try await $0.levelTransitions(site: "F001") }
            #expect(transitions.map(\.cause) == [.raised, .reconfigured])

            // Bad rules: refused with file:line; the 1.7 m rule stays and still raises.
            try Data("rules:\n  - id: f-water\n    applies_to: {kind: volcano}\n".utf8).write(to: rules)
            daemon.signal(SIGHUP)
            #expect(try await Self.eventually { daemon.log.contains("rules reload failed; the previous rules stay in force") })
            #expect(daemon.log.contains("rules.yaml:3"))
            #expect(try await client.post([("10000003", "L3_DB_1", stamp(-480), 1.75)]).statuses == ["accepted"])
            #expect(try await levels()["F001"] == .blue)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit() == 0)
        }
    }

    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
