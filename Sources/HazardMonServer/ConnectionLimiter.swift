// SPDX-License-Identifier: Apache-2.0
import Logging
import Synchronization

/// Counts the feed's open connections against `max_connections` and refuses the ones beyond it.
///
/// Every feed connection asks ``admit()`` when it opens and calls ``release()`` when it closes; a
/// connection that is not admitted is closed at once by ``FeedConnectionHandler``, so the daemon never
/// holds more than the cap (plus the few being closed) and never reaches the open-files limit, where new
/// connections would hang unnoticed.
///
/// A burst of refusals (refusals less than ``burstGap`` apart) is logged twice: a `warning` at its first
/// refusal and a `notice` with its count once connections are admitted again. Every refusal counts in
/// `hazardmon_http_connections_refused_total`. While the feed is at its cap or has refused a connection in
/// the last ``burstGap``, ``saturation`` says so, and `/readyz` and the watchdog status report it.
public final class ConnectionLimiter: Sendable {
    struct State {
        var open = 0
        var refusedTotal = 0
        var burstRefused = 0
        var lastRefusal: ContinuousClock.Instant?
    }

    /// The cap.
    public let maximum: Int
    /// Refusals closer together than this belong to one burst; the feed counts as saturated this long after one.
    public let burstGap: Duration
    private let state = Mutex(State())
    private let metrics: ServerMetrics
    private let logger: Logger

    public init(maximum: Int, burstGap: Duration = .seconds(5), metrics: ServerMetrics, logger: Logger) {
        self.maximum = maximum
        self.burstGap = burstGap
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether a new connection may stay open; if so, it must call ``release()`` when it closes.
    func admit() -> Bool {
        let now = ContinuousClock.now
        let (admitted, open, firstOfBurst) = self.state.withLock { state -> (Bool, Int, Bool) in
            if state.open < self.maximum {
                state.open += 1
                return (true, state.open, false)
            }
            let first = state.burstRefused == 0
            state.refusedTotal += 1
            state.burstRefused += 1
            state.lastRefusal = now
            return (false, state.open, first)
        }
        if admitted {
            self.metrics.recordConnections(open: open)
        } else {
            self.metrics.recordConnectionRefused()
            if firstOfBurst {
                self.logger.warning(
                    "feed connection cap reached; new connections are closed until some end (max_connections)",
                    metadata: ["max_connections": "\(self.maximum)", "open": "\(open)"])
            }
        }
        return admitted
    }

    /// A connection admitted by ``admit()`` has closed.
    func release() {
        let now = ContinuousClock.now
        let (open, endedBurst) = self.state.withLock { state -> (Int, Int) in
            state.open -= 1
            // A burst ends when a connection closes a full gap after the last refusal.
            guard state.burstRefused > 0, let last = state.lastRefusal, now - last >= self.burstGap else { return (state.open, 0) }
            defer { state.burstRefused = 0 }
            return (state.open, state.burstRefused)
        }
        self.metrics.recordConnections(open: open)
        if endedBurst > 0 {
            self.logger.notice(
                "feed accepting connections again",
                metadata: ["refused": "\(endedBurst)", "open": "\(open)", "max_connections": "\(self.maximum)"])
        }
    }

    /// Open feed connections now.
    public var open: Int { self.state.withLock { $0.open } }

    /// Connections refused since start.
    public var refusedTotal: Int { self.state.withLock { $0.refusedTotal } }

    /// Why the feed cannot take new connections now, or nil when it can.
    public var saturation: String? {
        let now = ContinuousClock.now
        return self.state.withLock { state in
            if state.open >= self.maximum {
                return "the feed is at its connection cap (max_connections \(self.maximum))"
            }
            if let last = state.lastRefusal, now - last < self.burstGap {
                return "the feed refused connections in the last \(self.burstGap.components.seconds) s (max_connections \(self.maximum))"
            }
            return nil
        }
    }
}
