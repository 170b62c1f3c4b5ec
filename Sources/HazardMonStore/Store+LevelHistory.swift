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
            RecordedTransition(transition: try RuleTables.transition(row, decoder: decoder), recordedAt: row.int64(at: 7))
        }
        return newestFirst.reversed()
    }
}
