// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonServer
import Testing

/// The feed port's behaviour that only shows in the real executable: exit codes and stderr.
@Suite("The feed port, with the daemon as a process")
struct NetworkProcessTests {
    @Test("SIGTERM with a stalled body exits 0 within about a second, not after read_timeout_s or the shutdown timeout")
    func sigtermWithStalledBody() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let daemon = try await DaemonProcess(folder: folder, extraConfiguration: "read_timeout_s: 30\nshutdown_timeout_s: 20")
            let stalled = try RawConnection(port: daemon.port)
            #expect(
                await stalled.send(
                    "POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestRegister.countyToken)\r\n"
                        + "Content-Length: 4194304\r\n\r\n" + String(repeating: "x", count: 100_000)))
            try await Task.sleep(for: .milliseconds(300))
            let started = ContinuousClock.now
            daemon.signal(SIGTERM)
            let status = try await daemon.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "\(daemon.log)")
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(daemon.log.contains("stopped"))
        }
    }

    @Test("a busy port: exit 78 and a line naming the address and the listen key")
    func busyPort() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let first = try await DaemonProcess(folder: folder)
            defer { first.signal(SIGKILL) }
            let second = folder.appendingPathComponent("second")
            try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
            try TestRegister.write(into: second)
            let config = second.appendingPathComponent("hazardmon.yaml")
            try Data("listen: 127.0.0.1:\(first.port)\nmetrics_listen: none\ndatabase: db.sqlite\nsites: sites\ntokens: tokens.yaml\n".utf8)
                .write(to: config)
            let process = Process()
            process.executableURL = DaemonProcess.executable
            process.arguments = ["serve", "--config", config.path]
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { process.terminate() }
            let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 78, "\(text)")
            // Refused before the database: nothing left behind, nothing imported.
            #expect(!FileManager.default.fileExists(atPath: second.appendingPathComponent("db.sqlite").path))
            #expect(
                text.contains(
                    "critical hazardmon: cannot start: configuration or tokens file problem=\"listen: 127.0.0.1:\(first.port) is already in use (another hazardmon, or another server); stop it or set listen to a free port\""),
                "\(text)")
        }
    }
}
