// SPDX-License-Identifier: Apache-2.0
import CoreMetrics
import Dispatch
import Foundation
import HazardMonCore
import HazardMonStore
import Logging
import Synchronization

/// The Dispatch-timer ingestion loop: handlers enqueue validated readings and wait; every tick commits
/// everything queued in ONE SQLite transaction and then answers the waiting requests.
///
/// So a 2xx to a device means its readings are on disk (group commit, as design.md requires). When
/// `flushReadings` or more are queued, the commit starts at once instead of waiting for the tick, so a
/// storm's large batches are not held back by the timer; a quiet feed still commits every tick. The queue is
/// bounded in readings; a submission that does not fit fails at once with ``IngestError/queueFull`` (the
/// HTTP layer answers 503 with `Retry-After`), and nothing is ever dropped silently.
///
/// ## Threading
/// The timer fires on a private serial `DispatchQueue`; the ``IngestWriter`` (its own SQLite connection)
/// is used only there, behind a `Mutex` that is therefore never contended. The handler is a `@Sendable`
/// closure created in a nonisolated method: a timer handler that inherits MainActor isolation crashes
/// at run time on this toolchain (perf-notes.md). Submitters only touch the queue state, under its lock.
public final class IngestLoop: Sendable {

    private struct Submission {
        var rows: [ReadingRow]
        var health: [DeviceHealthRow]
        var continuation: CheckedContinuation<[ReadingOutcome], any Error>
    }

    private struct State {
        var pending: [Submission] = []
        var queuedReadings = 0
        var closed = false
        var committedBatches = 0
        var committedReadings = 0
    }

    private let state = Mutex(State())
    private let writer: Mutex<IngestWriter?>
    private let queue = DispatchQueue(label: "hazardmon.ingest")
    /// Created by ``start()``, cancelled by ``shutdown()``; only touched under its lock.
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)
    private let bound: Int
    private let flushThreshold: Int
    private let interval: DispatchTimeInterval
    private let participant: (any CommitParticipant)?
    /// With a participant: an idle loop still commits (an empty batch) this often, for time-driven work.
    private let clockInterval: Duration
    /// When the last commit ran; only touched on the loop's queue, under its (uncontended) lock.
    private let lastCommit = Mutex<ContinuousClock.Instant>(.now)
    private let metrics: ServerMetrics
    private let logger: Logger

    /// - Parameters:
    ///   - writer: Its own connection to the database; the loop closes it on ``shutdown()``.
    ///   - tickMilliseconds: Commit interval.
    ///   - queueBound: Readings (and status blocks) that may wait for a commit.
    ///   - flushReadings: Queued readings that start a commit before the tick.
    ///   - participant: Runs inside every commit's transaction (the rule engine).
    ///   - clockMilliseconds: With a participant, an idle loop commits an empty batch this often so that
    ///     time-driven work (silent channels, expiring levels) happens without readings.
    public init(
        writer: consuming sending IngestWriter, tickMilliseconds: Int, queueBound: Int, flushReadings: Int = .max,
        participant: (any CommitParticipant)? = nil, clockMilliseconds: Int = 10_000, metrics: ServerMetrics, logger: Logger
    ) {
        self.writer = Mutex(Optional(writer))
        self.bound = queueBound
        self.flushThreshold = flushReadings
        self.interval = .milliseconds(tickMilliseconds)
        self.participant = participant
        self.clockInterval = .milliseconds(clockMilliseconds)
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts the timer. Call once.
    public func start() {
        let handler = self.makeHandler()
        self.timer.withLock { slot in
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            timer.schedule(deadline: .now() + self.interval, repeating: self.interval, leeway: .milliseconds(5))
            timer.setEventHandler(handler: handler)
            timer.activate()
            slot = timer
        }
    }

    private nonisolated func makeHandler() -> @Sendable () -> Void {
        { [weak self] in self?.tick() }
    }

    /// Readings waiting for the next commit.
    public var queuedReadings: Int { self.state.withLock { $0.queuedReadings } }

    /// Batches and readings committed since start.
    public var committed: (batches: Int, readings: Int) {
        self.state.withLock { ($0.committedBatches, $0.committedReadings) }
    }

    /// Queues rows for the next commit and returns their outcomes, in order, once they are committed.
    /// - Throws: ``IngestError/queueFull`` or ``IngestError/shuttingDown`` at once; ``IngestError/storage(_:)``
    ///   when the commit failed (nothing of the batch was stored).
    public func submit(_ rows: [ReadingRow], health: [DeviceHealthRow] = []) async throws(IngestError) -> [ReadingOutcome] {
        let size = rows.count + health.count
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let (refusal, queued): (IngestError?, Int) = self.state.withLock { state in
                    if state.closed { return (.shuttingDown, state.queuedReadings) }
                    if state.queuedReadings + size > self.bound {
                        return (.queueFull(retryAfterSeconds: 1), state.queuedReadings)
                    }
                    state.pending.append(Submission(rows: rows, health: health, continuation: continuation))
                    state.queuedReadings += size
                    return (nil, state.queuedReadings)
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                    return
                }
                self.metrics.queueDepth.record(queued)
                if queued >= self.flushThreshold, queued - size < self.flushThreshold {
                    // This submission crossed the threshold: commit now rather than at the tick.
                    self.queue.async { self.tick() }
                }
            }
        } catch let error as IngestError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }

    /// Commits everything queued, on the loop's queue. Public for tests and shutdown; the timer calls it.
    func tick() {
        dispatchPrecondition(condition: .onQueue(self.queue))
        let batch = self.state.withLock { state -> [Submission] in
            let batch = state.pending
            state.pending = []
            state.queuedReadings = 0
            return batch
        }
        self.metrics.queueDepth.record(0)
        let started = ContinuousClock.now
        if batch.isEmpty {
            guard self.participant != nil, self.lastCommit.withLock({ started - $0 >= self.clockInterval }) else { return }
        }
        self.lastCommit.withLock { $0 = started }
        let rows = batch.flatMap(\.rows)
        let health = batch.flatMap(\.health)
        let result: Result<IngestBatchResult, any Error> = self.writer.withLock { writer in
            guard let writer else { return .failure(IngestError.shuttingDown) }
            let participant = self.participant
            let receivedAt = Self.nowMilliseconds()
            return Result {
                try writer.commit(
                    rows, health: health, receivedAt: receivedAt,
                    inTransaction: { db, outcomes in
                        try participant?.inTransaction(
                            db, CommitBatch(rows: rows, outcomes: outcomes, health: health, receivedAt: receivedAt))
                    },
                    beforeInserts: { db in try participant?.beforeInserts(db, receivedAt: receivedAt) })
            }
        }
        switch result {
        case .success: self.participant?.committed()
        case .failure: self.participant?.rolledBack()
        }
        guard !batch.isEmpty else {
            if case .failure(let error) = result {
                self.logger.error("time-driven rule commit failed; it is retried", metadata: ["error": "\(error)"])
            }
            return
        }
        let elapsed = ContinuousClock.now - started
        switch result {
        case .success(let committed):
            self.metrics.recordCommit(batchSize: rows.count + health.count, duration: elapsed, outcomes: committed.outcomes)
            self.state.withLock {
                $0.committedBatches += 1
                $0.committedReadings += rows.count
            }
            var offset = 0
            for submission in batch {
                let slice = Array(committed.outcomes[offset..<(offset + submission.rows.count)])
                offset += submission.rows.count
                submission.continuation.resume(returning: slice)
            }
        case .failure(let error):
            self.logger.error(
                "ingest commit failed; the batch was rolled back and its requests told to retry",
                metadata: ["readings": "\(rows.count)", "requests": "\(batch.count)", "error": "\(error)"])
            for submission in batch {
                submission.continuation.resume(throwing: IngestError.storage("\(error)"))
            }
        }
    }

    /// Stops taking submissions, commits what is queued, stops the timer and closes the writer.
    /// Everything that was accepted into the queue is committed (or its request told it failed).
    public func shutdown() async {
        self.state.withLock { $0.closed = true }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            self.queue.async {
                self.tick()
                self.timer.withLock { timer in
                    timer?.cancel()
                    timer = nil
                }
                self.writer.withLock { writer in
                    writer?.close()
                    writer = nil
                }
                done.resume()
            }
        }
        let committed = self.committed
        self.logger.info("ingest loop stopped", metadata: ["batches": "\(committed.batches)", "readings": "\(committed.readings)"])
    }

    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// One commit as a ``CommitParticipant`` sees it.
public struct CommitBatch {
    /// The readings offered, in submission order.
    public var rows: [ReadingRow]
    /// One outcome per reading: only `.accepted` ones are new.
    public var outcomes: [ReadingOutcome]
    /// Device status reports of the batch.
    public var health: [DeviceHealthRow]
    /// When the batch was committed (wall clock), ms UTC.
    public var receivedAt: Int64
}

/// Work that belongs in the ingest commit's transaction (the rule engine; later the alert outbox).
///
/// Both methods run on the ingest loop's queue, one at a time.
public protocol CommitParticipant: Sendable {
    /// Runs inside the transaction before the readings are written: the database as earlier commits left it.
    func beforeInserts(_ db: Database, receivedAt: Int64) throws
    /// Runs inside the transaction after the readings are written; throwing rolls the whole batch back
    /// and fails its requests.
    func inTransaction(_ db: Database, _ batch: CommitBatch) throws
    /// The transaction committed: what it decided may now be announced (logs, metrics).
    func committed()
    /// The transaction did not commit (this participant or the commit itself failed): in-memory state that
    /// ran ahead of the database must be rebuilt from it.
    func rolledBack()
}

/// Why a submission was not committed.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The queue is full; try again after the given seconds (HTTP 503 with `Retry-After`).
    case queueFull(retryAfterSeconds: Int)
    /// The daemon is stopping; try again later (HTTP 503).
    case shuttingDown
    /// The commit failed and was rolled back (HTTP 503: nothing was stored, retrying is safe).
    case storage(String)

    public var description: String {
        switch self {
        case .queueFull(let seconds): return "the ingest queue is full; retry after \(seconds) s"
        case .shuttingDown: return "the daemon is shutting down; retry later"
        case .storage(let message): return "the readings could not be committed (\(message)); nothing was stored, retry"
        }
    }
}
