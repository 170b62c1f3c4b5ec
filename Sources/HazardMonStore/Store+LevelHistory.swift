// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// A stored level transition with the moment the daemon recorded it.
public struct RecordedTransition: Sendable, Hashable {
    public var transition: LevelTransition
    /// When the transition was committed, ms UTC. For a transition raised by a late reading it is later
    /// than the event times of transitions recorded before it.
    public var recordedAt: Int64

    public init(transition: LevelTransition, recordedAt: Int64) {
        self.transition = transition
        self.recordedAt = recordedAt
    }
}

extension Store {
    /// The `last` most recently recorded level transitions, in the order they were recorded.
    ///
    /// Recording order is the order a site went through its levels: a late reading's `orange -> red` has
    /// an earlier event time than the `none -> orange` recorded before it, so sorting by event time would
    /// show the site going to red before it went to orange.
    public func levelHistory(last: Int) throws(StorageError) -> [RecordedTransition] {
        let decoder = JSONDecoder()
        let query = try self.database.prepare(
            """
            SELECT site_code, from_level, to_level, at, cause, late, evidence, recorded_at FROM level_transitions
            ORDER BY id DESC LIMIT ?1
            """)
        try query.bind(Int64(max(0, last)), at: 1)
        let newestFirst = try query.fetchAll { row throws(StorageError) in
            let code = row.string(at: 0)
            guard let fromLevel = WarningLevel(rawValue: row.int(at: 1)), let toLevel = WarningLevel(rawValue: row.int(at: 2)),
                let cause = LevelTransition.Cause(rawValue: row.string(at: 4))
            else { throw .corrupt("level_transitions: a row of site \(code) has an unknown level or cause") }
            let evidence: [Evidence]
            do {
                evidence = try decoder.decode([Evidence].self, from: Data(row.string(at: 6).utf8))
            } catch {
                throw .corrupt("level_transitions: evidence of site \(code) cannot be decoded: \(error)")
            }
            return RecordedTransition(
                transition: LevelTransition(
                    siteCode: code, from: fromLevel, to: toLevel, at: row.int64(at: 3), cause: cause, late: row.int(at: 5) != 0,
                    evidence: evidence),
                recordedAt: row.int64(at: 7))
        }
        return newestFirst.reversed()
    }
}
