// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A client for systemd's notification protocol (`sd_notify(3)`), written against the socket API instead
/// of linking libsystemd.
///
/// systemd starts a `Type=notify` service with `NOTIFY_SOCKET` in its environment: the address of an
/// `AF_UNIX` `SOCK_DGRAM` socket, either a filesystem path (`/run/systemd/notify`) or, when the value
/// starts with `@`, a name in the abstract namespace (the `@` becomes a leading NUL byte in `sun_path`).
/// The daemon tells systemd about its state by sending datagrams to it.
///
/// The initializer fails when `NOTIFY_SOCKET` is unset or empty, that is when the daemon does not run
/// under systemd (a terminal, a test, a container). Keep the notifier optional and call it with optional
/// chaining, so every call is a no-op there:
///
/// ```swift
/// let notifier = SystemdNotifier()
/// try? notifier?.ready(status: "serving on :8080")
/// ```
///
/// ## Datagram format
/// One call sends exactly one datagram: each field as `KEY=VALUE` followed by `\n`, in the order given,
/// including after the last field. ``ready(status:)`` with status `serving` sends the 23 bytes
/// `READY=1\nSTATUS=serving\n`; ``watchdog()`` sends `WATCHDOG=1\n`. Keys must be non-empty and contain no
/// `=`, newline or NUL; values must contain no newline (it would start a new field) and no NUL (systemd
/// drops messages with embedded NULs). A message longer than ``maximumMessageBytes`` is refused, because
/// systemd ignores it.
///
/// ## One socket per message
/// Every call opens a fresh `socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC)`, sends with `sendto`, and closes
/// it, as libsystemd's `sd_notify` does. The daemon sends a handful of messages per minute (a watchdog
/// ping every 15 s, a status now and then), so the two extra system calls cost nothing measurable, and in
/// exchange the notifier is a plain `Sendable` value with no file descriptor to own, share under a lock,
/// close at shutdown, or leak into child processes (`SOCK_CLOEXEC` covers the window in which the fd
/// exists). It also never holds a stale descriptor across a `systemctl daemon-reexec`.
///
/// Sends use `MSG_DONTWAIT`: a notification never blocks a thread of Swift's cooperative pool. If
/// systemd's receive queue is full the call throws ``SystemdNotifierError/sendFailed(address:errno:message:)``
/// with `EAGAIN`, and the caller decides (the ``WatchdogService`` logs it and pings again on the next tick).
public struct SystemdNotifier: Sendable {
    /// The largest message systemd accepts (`NOTIFY_BUFFER_MAX`, which is `PIPE_BUF`); longer ones are
    /// dropped by systemd, so ``notify(_:)`` refuses them.
    public static let maximumMessageBytes = 4096

    /// The value of `NOTIFY_SOCKET`: an absolute path, or `@name` for an abstract socket.
    public let socketAddress: String

    /// `WATCHDOG_USEC`, when it is set, positive, and addressed to this process (see ``watchdogInterval``).
    private let watchdogMicroseconds: Int64?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from the environment.
    ///
    /// - Parameter environment: The process environment; tests pass their own.
    /// - Returns: nil when `NOTIFY_SOCKET` is unset or empty (not started by systemd as a notify service),
    ///   and on platforms other than Linux. An address that is set but unusable (relative path, too long,
    ///   or a `vsock:` address, which systemd 254+ uses for virtual machines and this client does not
    ///   support) does not fail here: the first ``notify(_:)`` throws an error that names it, so the
    ///   mistake is logged rather than silently ignored.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        #if os(Linux)
        guard let address = environment["NOTIFY_SOCKET"], !address.isEmpty else {
            return nil
        }
        self.socketAddress = address
        self.watchdogMicroseconds = Self.watchdogMicroseconds(
            usec: environment["WATCHDOG_USEC"],
            pid: environment["WATCHDOG_PID"],
            ownPID: Int64(getpid())
        )
        #else
        return nil
        #endif
    }

    /// How often systemd expects `WATCHDOG=1`: `WATCHDOG_USEC` (set from the unit's `WatchdogSec=`).
    ///
    /// nil when the unit has no watchdog, when the value is not a positive integer, or when `WATCHDOG_PID`
    /// is set and names another process (the variables were inherited from a parent that systemd watches,
    /// not addressed to us). systemd recommends pinging at half this interval; ``WatchdogService`` does.
    public var watchdogInterval: Duration? {
        self.watchdogMicroseconds.map { Duration.microseconds($0) }
    }

    /// Parses `WATCHDOG_USEC` as `sd_watchdog_enabled(3)` does: a positive decimal count of microseconds,
    /// honoured only when `WATCHDOG_PID` is unset or equals our pid.
    static func watchdogMicroseconds(usec: String?, pid: String?, ownPID: Int64) -> Int64? {
        guard let usec, let microseconds = Int64(usec), microseconds > 0 else {
            return nil
        }
        if let pid, !pid.isEmpty {
            guard let target = Int64(pid), target == ownPID else {
                return nil
            }
        }
        return microseconds
    }

    // MARK: - Sending

    /// Sends the fields as one datagram, `KEY=VALUE\n` per field, in order. An empty list sends nothing.
    ///
    /// - Parameter fields: Pairs such as `("READY", "1")`, `("STATUS", "serving")`.
    /// - Throws: ``SystemdNotifierError/invalidKey(_:reason:)`` or
    ///   ``SystemdNotifierError/invalidValue(key:reason:)`` before anything is sent;
    ///   ``SystemdNotifierError/messageTooLarge(bytes:limit:)``;
    ///   ``SystemdNotifierError/invalidSocketAddress(_:reason:)`` for an unusable `NOTIFY_SOCKET`; or
    ///   ``SystemdNotifierError/socketFailed(errno:message:)`` /
    ///   ``SystemdNotifierError/sendFailed(address:errno:message:)`` with the `strerror` text.
    public func notify(_ fields: [(String, String)]) throws(SystemdNotifierError) {
        guard !fields.isEmpty else { return }
        let message = try Self.encode(fields)
        try self.send(message)
    }

    /// `READY=1`, plus `STATUS=` when given: start-up is complete. systemd moves the unit from
    /// "activating" to "active" and `systemctl start` returns. After a reload, tells systemd the reload
    /// is complete.
    public func ready(status: String? = nil) throws(SystemdNotifierError) {
        try self.notify([("READY", "1")] + Self.statusField(status))
    }

    /// `STOPPING=1`, plus `STATUS=` when given: graceful shutdown has begun.
    public func stopping(status: String? = nil) throws(SystemdNotifierError) {
        try self.notify([("STOPPING", "1")] + Self.statusField(status))
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (the current `CLOCK_MONOTONIC` time in microseconds, which
    /// systemd 253 and later want alongside it): a configuration reload has begun. Send ``ready(status:)``
    /// when it is done; until then `systemctl status` shows the unit as "reloading".
    public func reloading() throws(SystemdNotifierError) {
        let timestamp = Self.monotonicMicroseconds().map { [("MONOTONIC_USEC", String($0))] } ?? []
        try self.notify([("RELOADING", "1")] + timestamp)
    }

    /// `WATCHDOG=1`: the daemon is alive. Must arrive within every `WatchdogSec=` interval.
    public func watchdog() throws(SystemdNotifierError) {
        try self.notify([("WATCHDOG", "1")])
    }

    /// `STATUS=` with free text that `systemctl status` shows on its "Status:" line.
    public func status(_ text: String) throws(SystemdNotifierError) {
        try self.notify([("STATUS", text)])
    }

    /// `EXTEND_TIMEOUT_USEC=`: asks systemd for more time in the current start, stop or reload phase
    /// (for example while a long migration or a shutdown drain runs). The timeout is extended to this
    /// many microseconds from now; send it again before it runs out.
    public func extendTimeout(microseconds: UInt64) throws(SystemdNotifierError) {
        try self.notify([("EXTEND_TIMEOUT_USEC", String(microseconds))])
    }

    private static func statusField(_ status: String?) -> [(String, String)] {
        status.map { [("STATUS", $0)] } ?? []
    }

    /// Validates every field and joins them into the datagram's bytes.
    static func encode(_ fields: [(String, String)]) throws(SystemdNotifierError) -> [UInt8] {
        var message: [UInt8] = []
        for (key, value) in fields {
            if key.isEmpty {
                throw .invalidKey(key, reason: "is empty")
            }
            if key.contains("=") {
                throw .invalidKey(key, reason: "contains '='")
            }
            if key.contains(where: \.isNewline) || key.utf8.contains(0) {
                throw .invalidKey(key, reason: "contains a line break or a NUL byte")
            }
            // `Character.isNewline` also covers "\r\n", which is a single Character in Swift.
            if value.contains(where: \.isNewline) {
                throw .invalidValue(key: key, reason: "contains a line break, which would start a new field")
            }
            if value.utf8.contains(0) {
                throw .invalidValue(key: key, reason: "contains a NUL byte, which systemd rejects")
            }
            message.append(contentsOf: key.utf8)
            message.append(UInt8(ascii: "="))
            message.append(contentsOf: value.utf8)
            message.append(UInt8(ascii: "\n"))
        }
        if message.count > Self.maximumMessageBytes {
            throw .messageTooLarge(bytes: message.count, limit: Self.maximumMessageBytes)
        }
        return message
    }

    // MARK: - Socket helpers (all unsafe pointer work is below)

    /// Opens a datagram socket, sends `message` to ``socketAddress`` in one `sendto`, closes the socket.
    private func send(_ message: [UInt8]) throws(SystemdNotifierError) {
        #if os(Linux)
        var address = try Self.socketAddress(for: self.socketAddress)

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            let code = errno
            throw .socketFailed(errno: code, message: Self.errorText(code))
        }
        defer { close(fd) }

        let flags = Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
        while true {
            // `message` and `address.storage` are borrowed only for the duration of the call; `sendto`
            // copies the bytes into the kernel before returning and keeps no pointer.
            let sent = message.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address.storage) { storage in
                    storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                        sendto(fd, bytes.baseAddress, bytes.count, flags, socketAddress, address.length)
                    }
                }
            }
            if sent >= 0 {
                // A datagram is sent whole or not at all: `sent` is `message.count` here.
                return
            }
            let code = errno
            if code == EINTR {
                continue
            }
            throw .sendFailed(address: self.socketAddress, errno: code, message: Self.errorText(code))
        }
        #else
        throw .invalidSocketAddress(self.socketAddress, reason: "systemd notification is only supported on Linux")
        #endif
    }

    #if os(Linux)
    /// A filled-in `sockaddr_un` and the length to pass to `sendto` with it.
    private struct UnixAddress {
        var storage: sockaddr_un
        var length: socklen_t
    }

    /// Builds the `sockaddr_un` for a `NOTIFY_SOCKET` value.
    ///
    /// - A path (`/run/systemd/notify`) is copied into `sun_path` with its terminating NUL.
    /// - An abstract name (`@name`) becomes a NUL byte followed by the name; the length then counts
    ///   exactly those bytes and no terminator, since every byte of an abstract name is significant.
    private static func socketAddress(for address: String) throws(SystemdNotifierError) -> UnixAddress {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2

        var bytes = Array(address.utf8)
        let pathLength: Int
        switch bytes.first {
        case UInt8(ascii: "@"):
            bytes[0] = 0
            guard bytes.count <= capacity else {
                throw .invalidSocketAddress(address, reason: "an abstract name has at most \(capacity - 1) bytes")
            }
            pathLength = bytes.count
        case UInt8(ascii: "/"):
            guard !bytes.contains(0) else {
                throw .invalidSocketAddress(address, reason: "the path contains a NUL byte")
            }
            guard bytes.count < capacity else {
                throw .invalidSocketAddress(address, reason: "a socket path has at most \(capacity - 1) bytes")
            }
            bytes.append(0)
            pathLength = bytes.count
        default:
            throw .invalidSocketAddress(
                address,
                reason: "expected an absolute path or '@' followed by an abstract socket name"
            )
        }

        // `sun_path` is a fixed-size C array imported as a tuple; its raw bytes are written in place.
        // `bytes.count <= capacity` was checked above, so the copy stays inside the tuple.
        withUnsafeMutableBytes(of: &storage.sun_path) { path in
            path.copyBytes(from: bytes)
        }
        return UnixAddress(storage: storage, length: socklen_t(pathOffset + pathLength))
    }
    #endif

    /// `strerror` text for an errno value, copied into a Swift `String` at once. Since glibc 2.32
    /// `strerror` is thread-safe: it returns a constant string for every known errno and formats unknown
    /// ones into a per-thread buffer.
    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// The current `CLOCK_MONOTONIC` time in microseconds, the clock systemd compares `MONOTONIC_USEC`
    /// with; nil if it cannot be read.
    ///
    /// `struct timespec` is filled through a pair of `Int`s of the same layout (`time_t tv_sec` and
    /// `long tv_nsec`, both one machine word on 64-bit Linux) instead of being named field by field:
    /// clang attributes `timespec` to Dispatch's C module as soon as any file of the module imports
    /// Dispatch (through Foundation, NIO or Hummingbird), and `MemberImportVisibility` then hides its
    /// initializer and fields from files that do not import that C module.
    private static func monotonicMicroseconds() -> UInt64? {
        #if os(Linux)
        guard MemoryLayout<timespec>.size == MemoryLayout<(Int, Int)>.size else { return nil }
        var now: (seconds: Int, nanoseconds: Int) = (0, 0)
        // The pointer is rebound for the duration of the call only; the sizes are equal (checked above).
        let result = withUnsafeMutablePointer(to: &now) { words in
            words.withMemoryRebound(to: timespec.self, capacity: 1) { clock_gettime(CLOCK_MONOTONIC, $0) }
        }
        guard result == 0, now.seconds >= 0, now.nanoseconds >= 0 else { return nil }
        return UInt64(now.seconds) * 1_000_000 + UInt64(now.nanoseconds) / 1_000
        #else
        return nil
        #endif
    }
}

/// Why a systemd notification could not be sent.
///
/// The system-call cases carry the `errno` value and its `strerror` text, captured right after the
/// failing call.
public enum SystemdNotifierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field name is empty or contains `=`, a line break or NUL.
    case invalidKey(String, reason: String)
    /// A field value contains a line break (which would start a new field) or a NUL byte.
    case invalidValue(key: String, reason: String)
    /// The encoded message is larger than systemd accepts.
    case messageTooLarge(bytes: Int, limit: Int)
    /// `NOTIFY_SOCKET` holds something that is neither an absolute path nor `@name`, or is too long.
    case invalidSocketAddress(String, reason: String)
    /// `socket(AF_UNIX, SOCK_DGRAM)` failed.
    case socketFailed(errno: Int32, message: String)
    /// `sendto` failed: no socket at the path (`ENOENT`), nobody listening (`ECONNREFUSED`), systemd's
    /// queue full (`EAGAIN`), …
    case sendFailed(address: String, errno: Int32, message: String)

    /// The `errno` value, for the cases that come from a system call.
    public var errno: Int32? {
        switch self {
        case .socketFailed(let code, _), .sendFailed(_, let code, _):
            return code
        case .invalidKey, .invalidValue, .messageTooLarge, .invalidSocketAddress:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .invalidKey(let key, let reason):
            return "invalid systemd notification field name \(String(reflecting: key)): it \(reason)"
        case .invalidValue(let key, let reason):
            return "invalid value for systemd notification field \(key): it \(reason)"
        case .messageTooLarge(let bytes, let limit):
            return "systemd notification of \(bytes) bytes is larger than the \(limit) bytes systemd accepts"
        case .invalidSocketAddress(let address, let reason):
            return "unusable NOTIFY_SOCKET \(String(reflecting: address)): \(reason)"
        case .socketFailed(let code, let message):
            return "cannot create a socket for systemd notifications: \(message) (errno \(code))"
        case .sendFailed(let address, let code, let message):
            return "cannot send a notification to systemd at \(address): \(message) (errno \(code))"
        }
    }
}
