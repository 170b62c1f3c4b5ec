// SPDX-License-Identifier: Apache-2.0
import Logging
import ServiceLifecycle

/// Keeps systemd's watchdog fed: sends `WATCHDOG=1` every half ``SystemdNotifier/watchdogInterval``,
/// from start until graceful shutdown, optionally with a `STATUS=` line in the same datagram.
///
/// With `WatchdogSec=30s` in the unit, systemd sets `WATCHDOG_USEC=30000000` and kills and restarts the
/// daemon (`Restart=on-failure`) if 30 s pass without a ping. Pinging at half the interval, as
/// `sd_watchdog_enabled(3)` recommends, leaves a full period of slack for a late tick.
///
/// The service can always be part of the `ServiceGroup`: when the notifier is nil (not under systemd)
/// or the unit has no watchdog, ``run()`` just waits for graceful shutdown. Put it **first** in the
/// group's service array: services shut down in reverse order, so it keeps pinging while the others
/// drain and stops last.
///
/// ```swift
/// let notifier = SystemdNotifier()
/// let watchdog = WatchdogService(notifier: notifier, logger: logger) {
///     await ingestion.statusLine()   // e.g. "queue 12 readings, 3400 accepted/min"
/// }
/// let group = ServiceGroup(services: [watchdog, store, ruleEngine, httpApp], ...)
/// ```
///
/// ## The status provider is part of the liveness check
/// The provider is awaited before each ping and its answer goes out in the same datagram as
/// `WATCHDOG=1`. If it never returns (say the ingestion actor it asks is wedged), pings stop and systemd
/// restarts the daemon, which is what a watchdog is for. Keep it quick: it should read counters, not
/// do I/O. Line breaks and NUL bytes in its text are replaced by spaces; if the text is still refused
/// (too long), the ping goes out alone.
///
/// ## Failures
/// A failed send never ends the service and never crashes the daemon, since systemd may be
/// restarting or gone. The first failure of a run of failures is logged at `warning`, the following
/// ones at `debug`, and the first success after them at `notice`, so a lost socket does not flood the
/// journal.
public struct WatchdogService: Service {
    /// Supplies the `STATUS=` text sent with each ping, or nil to send none that tick.
    public typealias StatusProvider = @Sendable () async -> String?

    private let notifier: SystemdNotifier?
    private let logger: Logger
    private let statusProvider: StatusProvider?

    /// - Parameters:
    ///   - notifier: The daemon's notifier; nil when not running under systemd.
    ///   - logger: Receives send failures (see "Failures" above).
    ///   - statusProvider: Called once per ping for a `STATUS=` line, e.g.
    ///     `"queue 12 readings, 3400 accepted/min"`.
    public init(notifier: SystemdNotifier?, logger: Logger, statusProvider: StatusProvider? = nil) {
        self.notifier = notifier
        self.logger = logger
        self.statusProvider = statusProvider
    }

    /// The time between two pings: half the watchdog interval, or nil when there is nothing to ping.
    public var pingPeriod: Duration? {
        self.notifier?.watchdogInterval.map { $0 / 2 }
    }

    /// Pings until graceful shutdown; without a watchdog, waits for graceful shutdown.
    ///
    /// - Throws: `CancellationError` when the task is cancelled (the group escalated past graceful
    ///   shutdown). Never throws because of a failed send.
    public func run() async throws {
        guard let notifier = self.notifier, let period = self.pingPeriod else {
            self.logger.debug("systemd watchdog not configured; watchdog service idle until shutdown")
            try await gracefulShutdown()
            return
        }

        self.logger.info(
            "feeding the systemd watchdog",
            metadata: ["systemd.notify_socket": "\(notifier.socketAddress)", "systemd.ping_period": "\(period)"]
        )
        var failing = false
        for try await _ in PingSchedule(period: period).cancelOnGracefulShutdown() {
            let status = await self.statusProvider?()
            do {
                try Self.ping(notifier, status: status)
                if failing {
                    failing = false
                    self.logger.notice("systemd watchdog pings are getting through again")
                }
            } catch {
                if failing {
                    self.logger.debug("systemd watchdog ping failed again: \(error)")
                } else {
                    failing = true
                    self.logger.warning(
                        "systemd watchdog ping failed; further failures are logged at debug level until one succeeds",
                        metadata: ["error": "\(error)"]
                    )
                }
            }
        }
    }

    /// Sends `WATCHDOG=1` with the status when there is one; if only the status is unacceptable, sends
    /// the ping alone so that a bad status line can never starve the watchdog.
    private static func ping(_ notifier: SystemdNotifier, status: String?) throws(SystemdNotifierError) {
        guard let status else {
            try notifier.watchdog()
            return
        }
        do {
            try notifier.notify([("WATCHDOG", "1"), ("STATUS", Self.singleLine(status))])
        } catch {
            switch error {
            case .invalidKey, .invalidValue, .messageTooLarge:
                try notifier.watchdog()
            case .invalidSocketAddress, .socketFailed, .sendFailed:
                throw error
            }
        }
    }

    /// The status with every line break and NUL replaced by a space.
    static func singleLine(_ text: String) -> String {
        guard text.contains(where: { $0.isNewline || $0 == "\0" }) else { return text }
        return String(text.map { $0.isNewline || $0 == "\0" ? " " : $0 })
    }
}

/// An endless sequence of ticks: the first at once, then one every `period`, on deadlines
/// (`start + n * period`) so that the time spent handling a tick does not accumulate as drift.
///
/// It measures time with `SuspendingClock`, which is `CLOCK_MONOTONIC` on Linux, the clock systemd
/// times the watchdog with. If a tick is late (a stalled machine), the next deadline is taken from now
/// rather than firing a burst of catch-up ticks.
private struct PingSchedule: AsyncSequence, Sendable {
    typealias Element = Void

    let period: Duration

    func makeAsyncIterator() -> Iterator {
        Iterator(period: self.period)
    }

    struct Iterator: AsyncIteratorProtocol {
        let period: Duration
        var deadline: SuspendingClock.Instant?

        init(period: Duration) {
            self.period = period
        }

        mutating func next() async throws -> Void? {
            let clock = SuspendingClock()
            guard let deadline = self.deadline else {
                self.deadline = clock.now.advanced(by: self.period)
                return ()
            }
            try await Task.sleep(until: deadline, clock: clock)
            let now = clock.now
            let following = deadline.advanced(by: self.period)
            self.deadline = following > now ? following : now.advanced(by: self.period)
            return ()
        }
    }
}
