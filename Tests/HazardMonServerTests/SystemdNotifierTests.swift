// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonServer
import Logging
// ServiceLifecycle reaches this target through HazardMonServer's dependencies; it is imported here only to
// drive WatchdogService the way the daemon does, inside a ServiceGroup.
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The notifier against real `AF_UNIX` datagram sockets owned by the test, standing in for systemd's.
///
/// Every receive is non-blocking (`MSG_DONTWAIT`): a notification is in the receiver's queue as soon as
/// `sendto` returns, and the watchdog tests poll with a deadline, so no test can hang on a socket.
@Suite struct SystemdNotifierTests {
    // MARK: - Environment

    @Test func absentWithoutNotifySocket() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"])?.socketAddress == "/run/systemd/notify")
    }

    @Test func watchdogIntervalFromEnvironment() throws {
        let ownPID = String(getpid())
        func interval(_ extra: [String: String]) throws -> Duration? {
            let environment = extra.merging(["NOTIFY_SOCKET": "/run/systemd/notify"]) { $1 }
            return try #require(SystemdNotifier(environment: environment)).watchdogInterval
        }
        #expect(try interval(["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(try interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": ownPID]) == .seconds(30))
        #expect(try interval(["WATCHDOG_USEC": "200000", "WATCHDOG_PID": ""]) == .milliseconds(200))
        // Addressed to another process (inherited from a watched parent): not ours to feed.
        #expect(try interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": String(getpid() + 1)]) == nil)
        #expect(try interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "init"]) == nil)
        #expect(try interval([:]) == nil)
        #expect(try interval(["WATCHDOG_USEC": "0"]) == nil)
        #expect(try interval(["WATCHDOG_USEC": "-5"]) == nil)
        #expect(try interval(["WATCHDOG_USEC": "30s"]) == nil)
    }

    // MARK: - Datagrams

    @Test func sendsOneDatagramPerCallToAFilesystemSocket() throws {
        let socket = try ReceivingSocket.filesystem()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]))
        #expect(socket.address.hasPrefix("/"))

        try notifier.ready(status: "serving")
        #expect(socket.receive() == bytes("READY=1\nSTATUS=serving\n"))
        #expect(socket.receive() == nil, "one call, one datagram")

        try notifier.ready()
        #expect(socket.receive() == bytes("READY=1\n"))

        try notifier.status("queue 12 readings, 3400 accepted/min")
        #expect(socket.receive() == bytes("STATUS=queue 12 readings, 3400 accepted/min\n"))

        try notifier.watchdog()
        #expect(socket.receive() == bytes("WATCHDOG=1\n"))

        try notifier.stopping(status: "draining 3 requests")
        #expect(socket.receive() == bytes("STOPPING=1\nSTATUS=draining 3 requests\n"))

        try notifier.extendTimeout(microseconds: 45_000_000)
        #expect(socket.receive() == bytes("EXTEND_TIMEOUT_USEC=45000000\n"))

        try notifier.notify([("READY", "1"), ("STATUS", "龙潭乡 3 处隐患点"), ("MAINPID", "4242")])
        #expect(socket.receive() == bytes("READY=1\nSTATUS=龙潭乡 3 处隐患点\nMAINPID=4242\n"))

        try notifier.notify([])
        #expect(socket.receive() == nil, "an empty field list sends nothing")
    }

    @Test func sendsToAnAbstractSocket() throws {
        let socket = try ReceivingSocket.abstract()
        #expect(socket.address.hasPrefix("@"))
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]))

        try notifier.ready(status: "serving")
        #expect(socket.receive() == bytes("READY=1\nSTATUS=serving\n"))
        try notifier.watchdog()
        #expect(socket.receive() == bytes("WATCHDOG=1\n"))
        try notifier.stopping()
        #expect(socket.receive() == bytes("STOPPING=1\n"))
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let socket = try ReceivingSocket.filesystem()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]))

        let before = try monotonicMicroseconds()
        try notifier.reloading()
        let after = try monotonicMicroseconds()

        let text = String(decoding: try #require(socket.receive()), as: UTF8.self)
        let prefix = "RELOADING=1\nMONOTONIC_USEC="
        #expect(text.hasPrefix(prefix))
        #expect(text.hasSuffix("\n"))
        let stamp = try #require(UInt64(text.dropFirst(prefix.count).dropLast()))
        #expect((before...after).contains(stamp))
    }

    // MARK: - Refusals and errors

    @Test func lineBreaksAndNULsAreRefusedBeforeSending() throws {
        let socket = try ReceivingSocket.filesystem()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]))

        for value in ["serving\nREADY=1", "serving\r\nREADY=1", "serving\r", "a\u{0}b"] {
            let error = #expect(throws: SystemdNotifierError.self) {
                try notifier.status(value)
            }
            guard case .invalidValue(let key, _) = error else {
                Issue.record("expected invalidValue, got \(String(describing: error))")
                continue
            }
            #expect(key == "STATUS")
        }
        let newline = #expect(throws: SystemdNotifierError.self) {
            try notifier.ready(status: "line one\nline two")
        }
        #expect(newline?.description.contains("line break") == true)

        for key in ["", "READY=1", "READY\n", "WATCH\u{0}DOG"] {
            let error = #expect(throws: SystemdNotifierError.self) {
                try notifier.notify([("STATUS", "fine"), (key, "1")])
            }
            guard case .invalidKey = error else {
                Issue.record("expected invalidKey for \(String(reflecting: key)), got \(String(describing: error))")
                continue
            }
        }
        #expect(socket.receive() == nil, "nothing may be sent when any field is refused")
    }

    @Test func oversizedMessagesAreRefused() throws {
        let socket = try ReceivingSocket.filesystem()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]))

        // "STATUS=" + 4088 + "\n" is exactly 4096 bytes: accepted.
        try notifier.status(String(repeating: "x", count: 4088))
        #expect(socket.receive()?.count == 4096)

        let error = #expect(throws: SystemdNotifierError.self) {
            try notifier.status(String(repeating: "x", count: 4089))
        }
        #expect(error == .messageTooLarge(bytes: 4097, limit: SystemdNotifier.maximumMessageBytes))
        #expect(socket.receive() == nil)
    }

    @Test func missingSocketIsReportedWithErrnoText() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/no-such.sock"
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": path]))

        let error = try #require(#expect(throws: SystemdNotifierError.self) { try notifier.ready() })
        guard case .sendFailed(let address, let code, let message) = error else {
            Issue.record("expected sendFailed, got \(error)")
            return
        }
        #expect(address == path)
        #expect(code == ENOENT)
        #expect(error.errno == ENOENT)
        #expect(message == String(cString: strerror(ENOENT)))
        #expect(error.description.contains("No such file or directory"))
        #expect(error.description.contains(path))
    }

    @Test func unusableAddressesAreReported() throws {
        let longPath = "/tmp/" + String(repeating: "d", count: 120) + "/notify.sock"
        for address in ["run/systemd/notify", "vsock:2:1234", longPath, "@" + String(repeating: "n", count: 108)] {
            let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": address]))
            let error = #expect(throws: SystemdNotifierError.self) { try notifier.watchdog() }
            guard case .invalidSocketAddress(let reported, _) = error else {
                Issue.record("expected invalidSocketAddress for \(address), got \(String(describing: error))")
                continue
            }
            #expect(reported == address)
        }
        // The longest abstract name that fits (107 bytes after the NUL) is accepted, and reaches its socket.
        let name = "hazardmon-" + UUID().uuidString + String(repeating: "n", count: 107 - 46)
        #expect(name.utf8.count == 107)
        let socket = try ReceivingSocket.abstract(name: name)
        try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address])).watchdog()
        #expect(socket.receive() == bytes("WATCHDOG=1\n"))
    }

    // MARK: - WatchdogService

    @Test(.timeLimit(.minutes(1)))
    func watchdogServicePingsWithStatusAndStopsOnGracefulShutdown() async throws {
        let socket = try ReceivingSocket.filesystem()
        let notifier = try #require(
            SystemdNotifier(environment: [
                "NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": String(getpid()),
            ])
        )
        let calls = Counter()
        let service = WatchdogService(notifier: notifier, logger: quietLogger) {
            calls.increment()
            return "queue 12 readings, 3400 accepted/min"
        }
        #expect(service.pingPeriod == .milliseconds(100))

        let group = ServiceGroup(services: [service], logger: quietLogger)
        var pings: [[UInt8]] = []
        var waited = Duration.zero
        // runThenShutDown fails the test if the group is still running `patience` after graceful shutdown.
        _ = try await runThenShutDown(group) {
            waited = await ContinuousClock().measure {
                pings = await socket.receive(atLeast: 3, within: patience)
            }
        }

        // Three pings take 200 ms (one at once, then every 100 ms); well under a second on an idle machine.
        #expect(pings.count >= 3, "expected pings every 100 ms, got \(pings.count) in \(waited)")
        for ping in pings {
            #expect(ping == bytes("WATCHDOG=1\nSTATUS=queue 12 readings, 3400 accepted/min\n"))
        }
        #expect(calls.value >= pings.count, "the status provider is asked once per ping")

        // Stopped means stopped: three periods later nothing more has arrived.
        _ = socket.receiveAll()
        try await Task.sleep(for: .milliseconds(300))
        #expect(socket.receiveAll().isEmpty, "the service kept pinging after graceful shutdown")
    }

    @Test(.timeLimit(.minutes(1)))
    func watchdogServiceStopsWithoutWaitingForTheNextPing() async throws {
        // A 2-minute watchdog: one ping at once, the next only after 60 s.
        let socket = try ReceivingSocket.filesystem()
        let notifier = try #require(
            SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "120000000"])
        )
        let service = WatchdogService(notifier: notifier, logger: quietLogger)
        #expect(service.pingPeriod == .seconds(60))

        var pings: [[UInt8]] = []
        let stopTime = try await runThenShutDown(ServiceGroup(services: [service], logger: quietLogger)) {
            pings = await socket.receive(atLeast: 1, within: patience)
        }
        #expect(pings == [bytes("WATCHDOG=1\n")])
        // Graceful shutdown interrupts the wait for the next ping rather than waiting it out.
        #expect(stopTime < .seconds(30), "graceful shutdown took \(stopTime)")
    }

    @Test(.timeLimit(.minutes(1)))
    func watchdogServiceCleansUpStatusText() async throws {
        let socket = try ReceivingSocket.abstract()
        let environment = ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "100000"]
        let notifier = try #require(SystemdNotifier(environment: environment))

        let multiline = WatchdogService(notifier: notifier, logger: quietLogger) { "heavy rain\nin 龙潭乡" }
        var pings: [[UInt8]] = []
        _ = try await runThenShutDown(ServiceGroup(services: [multiline], logger: quietLogger)) {
            pings = await socket.receive(atLeast: 1, within: patience)
        }
        #expect(pings.first == bytes("WATCHDOG=1\nSTATUS=heavy rain in 龙潭乡\n"))
        _ = socket.receiveAll()

        // A status systemd would drop must not take the ping with it.
        let oversized = WatchdogService(notifier: notifier, logger: quietLogger) { String(repeating: "x", count: 5000) }
        _ = try await runThenShutDown(ServiceGroup(services: [oversized], logger: quietLogger)) {
            pings = await socket.receive(atLeast: 1, within: patience)
        }
        #expect(pings.first == bytes("WATCHDOG=1\n"))

        let silent = WatchdogService(notifier: notifier, logger: quietLogger) { nil }
        _ = socket.receiveAll()
        _ = try await runThenShutDown(ServiceGroup(services: [silent], logger: quietLogger)) {
            pings = await socket.receive(atLeast: 1, within: patience)
        }
        #expect(pings.first == bytes("WATCHDOG=1\n"))
    }

    @Test(.timeLimit(.minutes(1)))
    func watchdogServiceIdlesWithoutAWatchdog() async throws {
        // Not under systemd at all.
        let absent = WatchdogService(notifier: nil, logger: quietLogger)
        #expect(absent.pingPeriod == nil)
        _ = try await runThenShutDown(ServiceGroup(services: [absent], logger: quietLogger)) {
            try await Task.sleep(for: .milliseconds(50))
        }

        // Under systemd, but the unit has no WatchdogSec=: the service sends nothing.
        let socket = try ReceivingSocket.filesystem()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address]))
        let unwatched = WatchdogService(notifier: notifier, logger: quietLogger) { "never asked" }
        #expect(unwatched.pingPeriod == nil)
        _ = try await runThenShutDown(ServiceGroup(services: [unwatched], logger: quietLogger)) {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(socket.receiveAll().isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func watchdogServiceSurvivesALostSocketAndLogsOnce() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/notify.sock"
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "60000"]))
        let records = LogRecords()
        var logger = Logger(label: "test.watchdog") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .debug
        let service = WatchdogService(notifier: notifier, logger: logger)

        var pings: [[UInt8]] = []
        // Declared out here so that it outlives the group: a socket closed before shutdown would fail again.
        var socket: ReceivingSocket?
        _ = try await runThenShutDown(ServiceGroup(services: [service], logger: quietLogger)) {
            // Pings every 30 ms into a path with no socket: each one fails with ENOENT.
            let failing = ContinuousClock().now.advanced(by: patience)
            while records.count(.debug, containing: "failed again") < 3, ContinuousClock().now < failing {
                try await Task.sleep(for: .milliseconds(10))
            }
            // systemd is back.
            let revived = try ReceivingSocket.filesystem(path: path)
            socket = revived
            pings = await revived.receive(atLeast: 1, within: patience)
        }

        #expect(records.count(.warning, containing: "systemd watchdog ping failed") == 1)
        #expect(records.count(.debug, containing: "failed again") >= 3)
        let warning = try #require(records.all.first { $0.level == .warning })
        #expect(warning.metadata["error"]?.description.contains("No such file or directory") == true)
        #expect(pings.first == bytes("WATCHDOG=1\n"))
        #expect(records.count(.notice, containing: "getting through again") == 1)
        withExtendedLifetime(socket) {}
    }
}

// MARK: - Helpers

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private let quietLogger = Logger(label: "test.quiet") { _ in SwiftLogNoOpLogHandler() }

/// How long a watchdog test waits for something that takes milliseconds on an idle machine.
///
/// Waits poll and end as soon as the condition holds, so a passing run never waits this long. It is large
/// because this process shares two cores, and its cooperative thread pool, with the PROJ and SQLite
/// suites: three full test runs side by side starved a 100 ms timer for seconds.
private let patience: Duration = .seconds(10)

/// `CLOCK_MONOTONIC` in microseconds, read as the notifier does (see its `monotonicMicroseconds`): through a
/// pair of `Int`s, because `timespec`'s fields are hidden by `MemberImportVisibility` once any file in this
/// module imports Dispatch.
private func monotonicMicroseconds() throws -> UInt64 {
    try #require(MemoryLayout<timespec>.size == MemoryLayout<(Int, Int)>.size)
    var now: (seconds: Int, nanoseconds: Int) = (0, 0)
    let result = withUnsafeMutablePointer(to: &now) { words in
        words.withMemoryRebound(to: timespec.self, capacity: 1) { clock_gettime(CLOCK_MONOTONIC, $0) }
    }
    try #require(result == 0)
    return UInt64(now.seconds) * 1_000_000 + UInt64(now.nanoseconds) / 1_000
}

private struct TimedOut: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the service group did not stop within \(self.limit) of graceful shutdown" }
}

/// Runs `group`, runs `body` while it runs, then triggers graceful shutdown and waits at most
/// `limit` for the group to return.
///
/// - Returns: The time from triggering graceful shutdown to the group's `run()` returning.
/// - Throws: ``TimedOut`` when the group outlives `limit` (it is then cancelled), an error thrown by
///   `body` (after shutting the group down), or an error thrown by the group.
private func runThenShutDown(
    _ group: ServiceGroup,
    limit: Duration = patience,
    body: () async throws -> Void
) async throws -> Duration {
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            throw error
        }
        let clock = ContinuousClock()
        let start = clock.now
        await group.triggerGracefulShutdown()
        tasks.addTask {
            try await Task.sleep(for: limit)
            throw TimedOut(limit: limit)
        }
        // Whichever finishes first: the group (success, or its error) or the timeout.
        try await tasks.next()
        let elapsed = start.duration(to: clock.now)
        tasks.cancelAll()
        return elapsed
    }
}

/// A directory under the system temp directory, removed with everything in it on deinit.
private final class TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-notify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        self.path = url.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}

private struct SocketError: Error, CustomStringConvertible {
    let call: String
    let code: Int32
    var description: String { "\(self.call): \(String(cString: strerror(self.code)))" }
}

/// An `AF_UNIX` `SOCK_DGRAM` socket bound like systemd's notify socket, at a path or an abstract name.
///
/// Deliberately independent of the notifier's own address code: it builds `sockaddr_un` itself, so a
/// mistake there (say a NUL counted into an abstract name) makes the notifier's sends miss this socket.
private final class ReceivingSocket {
    /// What `NOTIFY_SOCKET` would hold for this socket.
    let address: String
    private let fd: Int32
    private let directory: TemporaryDirectory?

    /// A socket at `notify.sock` in a fresh temporary directory, or at `path` when given.
    static func filesystem(path: String? = nil) throws -> ReceivingSocket {
        if let path {
            return try ReceivingSocket(address: path, nameBytes: Array(path.utf8) + [0], directory: nil)
        }
        let directory = try TemporaryDirectory()
        let path = directory.path + "/notify.sock"
        return try ReceivingSocket(address: path, nameBytes: Array(path.utf8) + [0], directory: directory)
    }

    /// A socket in the abstract namespace: `sun_path` is a NUL and the name, with no terminator.
    static func abstract(name: String = "hazardmon-test-\(UUID().uuidString)") throws -> ReceivingSocket {
        try ReceivingSocket(address: "@" + name, nameBytes: [0] + Array(name.utf8), directory: nil)
    }

    private init(address: String, nameBytes: [UInt8], directory: TemporaryDirectory?) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", code: errno) }

        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        precondition(nameBytes.count <= MemoryLayout.size(ofValue: storage.sun_path))
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: nameBytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + nameBytes.count)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw SocketError(call: "bind(\(address))", code: code)
        }
        self.fd = fd
        self.address = address
        self.directory = directory
    }

    deinit {
        close(self.fd)
        if self.address.hasPrefix("/") {
            unlink(self.address)
        }
    }

    /// The next queued datagram, or nil at once when there is none.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count >= 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    /// Every datagram queued now.
    func receiveAll() -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        while let datagram = self.receive() { datagrams.append(datagram) }
        return datagrams
    }

    /// Polls every 10 ms until `count` datagrams have arrived or `limit` has passed; returns what arrived.
    func receive(atLeast count: Int, within limit: Duration) async -> [[UInt8]] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        var datagrams: [[UInt8]] = []
        while true {
            datagrams += self.receiveAll()
            if datagrams.count >= count || clock.now >= deadline { return datagrams }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { self.count.withLock { $0 += 1 } }
    var value: Int { self.count.withLock { $0 } }
}

private struct LogRecord: Sendable {
    let level: Logger.Level
    let message: String
    let metadata: Logger.Metadata
}

private final class LogRecords: Sendable {
    private let records = Mutex<[LogRecord]>([])
    func append(_ record: LogRecord) { self.records.withLock { $0.append(record) } }
    var all: [LogRecord] { self.records.withLock { $0 } }
    func count(_ level: Logger.Level, containing text: String) -> Int {
        self.all.filter { $0.level == level && $0.message.contains(text) }.count
    }
}

/// Keeps every record in a shared ``LogRecords``.
private struct CapturingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        self.records.append(LogRecord(level: event.level, message: event.message.description, metadata: merged))
    }
}
