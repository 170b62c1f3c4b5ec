// SPDX-License-Identifier: Apache-2.0
import HazardMonCore
import HazardMonRules
import HazardMonStore

/// Replays stored readings through a rule set: what the rules would have done over a past period.
///
/// The engine starts as a daemon restarted at `from` would: each channel's readings of the span before
/// `from` are loaded without being evaluated (they fill the windows), and levels start at none. Then every
/// reading with `from <= ts < to` is applied in (time, channel) order, one minute of event time per batch,
/// with the clock advanced to the end of each minute so that silent channels and expiring levels behave as
/// they would have live. Device status reports are not replayed (their notices need the live feed).
///
/// The same function replays the live rules and a candidate, so ``diff(live:candidate:)`` compares like with
/// like; a live history that also saw late readings arrive in another order may differ from both.
public enum Backtest {
    public struct Result: Sendable, Hashable {
        public var transitions: [LevelTransition]
        public var notices: [RuleNotice]
        /// Readings replayed.
        public var readings: Int
    }

    /// Replays the readings of `from <= ts < to` through `rules`.
    public static func run(rules: RuleSet, channels: [BoundChannel], from: Int64, to: Int64, in db: Database) throws -> Result {
        var engine = RuleEngine(rules: rules, channels: channels)
        var wanted = Set<Int64>()
        for (channelID, span) in engine.history {
            wanted.insert(channelID)
            guard span > 0 else { continue }
            let warmup = try Store.readings(channelID: channelID, from: from - span, to: from, in: db)
            engine.restore(channelID: channelID, readings: warmup.map { ($0.timestamp, $0.value) })
        }
        var result = Result(transitions: [], notices: [], readings: 0)
        var batch: [ReadingRow] = []
        var minute = Int64.min
        func flush(clock: Int64) {
            let output = engine.apply(batch)
            result.transitions += output.transitions
            result.notices += output.notices
            result.readings += batch.count
            batch.removeAll(keepingCapacity: true)
            let timed = engine.advanceClock(to: clock)
            result.transitions += timed.transitions
            result.notices += timed.notices
        }
        for (channel, ts, value) in try RuleTables.readings(from: from, to: to, channels: wanted, in: db) {
            let readingMinute = ts / 60_000
            if readingMinute != minute, !batch.isEmpty { flush(clock: (minute + 1) * 60_000) }
            minute = readingMinute
            batch.append(ReadingRow(channelID: channel, timestamp: ts, value: value))
        }
        if !batch.isEmpty { flush(clock: (minute + 1) * 60_000) }
        flush(clock: to)
        return result
    }

    /// How two replays differ, transition by transition (site, levels, time, cause).
    public struct Diff: Sendable, Hashable {
        public var onlyLive: [LevelTransition]
        public var onlyCandidate: [LevelTransition]
        public var same: Int
        public var isEmpty: Bool { self.onlyLive.isEmpty && self.onlyCandidate.isEmpty }
    }

    public static func diff(live: [LevelTransition], candidate: [LevelTransition]) -> Diff {
        struct Key: Hashable {
            var site: String
            var from: WarningLevel
            var to: WarningLevel
            var at: Int64
            var cause: LevelTransition.Cause
        }
        func key(_ t: LevelTransition) -> Key { Key(site: t.siteCode, from: t.from, to: t.to, at: t.at, cause: t.cause) }
        var remaining: [Key: Int] = [:]
        for t in candidate { remaining[key(t), default: 0] += 1 }
        var onlyLive: [LevelTransition] = []
        var same = 0
        for t in live {
            if let count = remaining[key(t)], count > 0 {
                remaining[key(t)] = count - 1
                same += 1
            } else {
                onlyLive.append(t)
            }
        }
        // What the live replay did not match is left in `remaining`: the candidate's own transitions.
        var onlyCandidate: [LevelTransition] = []
        for t in candidate where remaining[key(t), default: 0] > 0 {
            remaining[key(t), default: 0] -= 1
            onlyCandidate.append(t)
        }
        return Diff(onlyLive: onlyLive, onlyCandidate: onlyCandidate, same: same)
    }
}
