// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRules
import HazardMonStore
import Logging
import Synchronization

/// The rule engine inside the daemon: evaluates every commit's accepted readings in the commit's own
/// transaction and writes instance states, site levels, transitions and notices there too.
///
/// The engine lives behind a `Mutex` and is only used on the ingest loop's queue (``CommitParticipant``),
/// so the lock is never contended. A new rule set or register (SIGHUP) is handed over with ``replace(_:)``
/// and takes effect at the next commit, where the engine is rebuilt from the database: the recent readings
/// of every channel a rule reads, and the stored states of the instances whose rule did not change. The
/// same rebuild follows a rolled-back commit, whose evaluation had run ahead of what was stored.
public final class RulesRuntime: CommitParticipant {
    /// What the engine runs: a checked rule set bound to the registered channels.
    public struct Configuration: Sendable {
        public var rules: RuleSet
        public var channels: [BoundChannel]
        /// Where the rules came from (the folder), for the log.
        public var source: String

        public init(rules: RuleSet, channels: [BoundChannel], source: String) {
            self.rules = rules
            self.channels = channels
            self.source = source
        }
    }

    private struct State {
        var engine: RuleEngine?
        var configuration: Configuration
        /// Build (or rebuild) the engine from the database before the next evaluation.
        var rebuild = true
        /// The configuration is new: record it in `rule_sets`.
        var announce = true
        /// What the rebuild found (sites moved by changed rules), written with the next batch.
        var restored = EngineOutput()
        /// What the current transaction wrote, announced once it commits.
        var uncommitted = EngineOutput()
    }

    private let state: Mutex<State>
    private let logger: Logger
    private let metrics: ServerMetrics?

    public init(_ configuration: Configuration, metrics: ServerMetrics? = nil, logger: Logger) {
        self.state = Mutex(State(configuration: configuration))
        self.logger = logger
        self.metrics = metrics
    }

    /// Swaps in a new rule set or channel list at the next commit.
    public func replace(_ configuration: Configuration) {
        self.state.withLock {
            $0.configuration = configuration
            $0.rebuild = true
            $0.announce = true
        }
    }

    /// The rule set in force (or about to be).
    public var configuration: Configuration { self.state.withLock { $0.configuration } }

    public func rolledBack() {
        self.state.withLock {
            $0.rebuild = true
            $0.restored = EngineOutput()
            $0.uncommitted = EngineOutput()
        }
    }

    public func committed() {
        let output = self.state.withLock { state in
            defer { state.uncommitted = EngineOutput() }
            return state.uncommitted
        }
        guard !output.isEmpty else { return }
        self.metrics?.record(transitions: output.transitions, notices: output.notices)
        for transition in output.transitions {
            self.logger.notice(
                "site level \(transition.cause.rawValue)",
                metadata: [
                    "site": "\(transition.siteCode)", "from": "\(transition.from)", "to": "\(transition.to)",
                    "at": "\(Timestamp.format(transition.at))", "late": "\(transition.late)",
                    "evidence": "\(transition.evidence.map { "\($0.rule) \($0.measure)=\($0.value.plainText)" }.joined(separator: "; "))",
                ])
        }
        for notice in output.notices {
            self.logger.info(
                "notice \(notice.kind.rawValue) \(notice.active ? "raised" : "cleared")",
                metadata: ["site": "\(notice.siteCode)", "subject": "\(notice.subject)", "detail": "\(notice.detail)"])
        }
    }

    /// Builds (or rebuilds) the engine from the database before the batch's readings are written, so that the
    /// windows hold exactly what earlier commits stored and the batch is evaluated once, as new readings.
    public func beforeInserts(_ db: Database, receivedAt: Int64) throws {
        try self.state.withLock { state throws in
            guard state.rebuild || state.engine == nil else { return }
            let (engine, restored) = try Self.restoredEngine(state.configuration, from: db, now: receivedAt)
            state.engine = engine
            state.restored = restored
            if state.announce {
                try RuleTables.recordRuleSet(
                    fingerprint: state.configuration.rules.fingerprint, rules: state.configuration.rules.rules.count,
                    instances: engine.instances.count, source: state.configuration.source, loadedAt: receivedAt, in: db)
                self.logger.notice(
                    "rule set in force",
                    metadata: [
                        "fingerprint": "\(state.configuration.rules.fingerprint)", "rules": "\(state.configuration.rules.rules.count)",
                        "instances": "\(engine.instances.count)", "channels": "\(engine.channelCount)",
                    ])
            }
            state.rebuild = false
            state.announce = false
        }
    }

    public func inTransaction(_ db: Database, _ batch: CommitBatch) throws {
        var readings: [ReadingRow] = []
        readings.reserveCapacity(batch.rows.count)
        for (row, outcome) in zip(batch.rows, batch.outcomes) where outcome == .accepted { readings.append(row) }
        let health = batch.health.map {
            EngineHealth(deviceID: $0.deviceID, timestamp: $0.timestamp, batteryPercent: $0.batteryPercent, sensorState: $0.sensorState)
        }
        let (output, checkpoint) = try self.state.withLock { state throws -> (EngineOutput, EngineCheckpoint) in
            // beforeInserts built it; without it the batch must not commit unevaluated (its devices retry).
            guard var engine = state.engine else { throw RulesUnavailable() }
            state.engine = nil  // evaluate in place, without a copy of the engine's storage
            defer { state.engine = engine }
            var output = state.restored
            state.restored = EngineOutput()
            output.append(engine.apply(readings, health: health))
            output.append(engine.advanceClock(to: batch.receivedAt))
            return (output, engine.takeCheckpoint())
        }
        try RuleTables.write(
            states: checkpoint.instances.map { (key: $0.key, json: $0.state.jsonText) }, sites: checkpoint.sites,
            transitions: output.transitions, notices: output.notices, recordedAt: batch.receivedAt, in: db)
        self.state.withLock { $0.uncommitted.append(output) }
    }


    /// An engine for `configuration` in the state the database holds: recent readings of every channel a
    /// rule reads, and the saved states of unchanged rule instances.
    public static func restoredEngine(
        _ configuration: Configuration, from db: Database, now: Int64
    ) throws -> (RuleEngine, EngineOutput) {
        var engine = RuleEngine(rules: configuration.rules, channels: configuration.channels)
        for (channelID, span) in engine.history {
            engine.restore(channelID: channelID, readings: try RuleTables.recentReadings(channelID: channelID, span: span, in: db))
        }
        let decoder = JSONDecoder()
        var states: [String: InstanceState] = [:]
        for (key, json) in try RuleTables.states(in: db) {
            // A state that cannot be read (written by another version) starts again from none.
            states[key] = try? decoder.decode(InstanceState.self, from: Data(json.utf8))
        }
        let output = engine.restore(states: states, sites: try RuleTables.siteLevels(in: db), now: now)
        return (engine, output)
    }
}

/// The engine was not built before the batch: the commit is refused so that no reading goes unevaluated.
struct RulesUnavailable: Error, CustomStringConvertible {
    var description: String { "the rule engine is not ready; the batch was not committed" }
}

extension BoundChannel {
    /// The engine's view of the registered channels: the directory's records with their site's kind.
    /// Retired channels and channels of sites no longer registered are left out.
    public static func from(records: [ChannelRecord], registry: Registry?) -> [BoundChannel] {
        var kinds: [String: SiteKind] = [:]
        for site in registry?.sites ?? [] { kinds[site.code] = site.kind }
        return records.compactMap { record in
            guard !record.retired, let kind = kinds[record.siteCode] else { return nil }
            return BoundChannel(
                id: record.id, deviceID: record.deviceID, siteCode: record.siteCode, siteKind: kind, pointCode: record.pointCode,
                channel: record.channel)
        }
    }
}
