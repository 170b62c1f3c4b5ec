// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// The rule engine's tables: instance states, site levels, and the append-only logs of level transitions
/// and notices. The functions take a ``Database`` so that the ingest writer's hook can call them inside
/// the commit's transaction (design.md: transitions are written with the readings that caused them);
/// ``Store`` wraps the reads for the CLI and tests.
public enum RuleTables {
    /// v3 of the schema.
    ///
    /// - `rule_state`: one row per rule instance (`rule@site/channel`), its state as JSON; replaced on change.
    /// - `site_levels`: each site's current level, since when, and the evidence as JSON.
    /// - `level_transitions` and `rule_notices` refuse UPDATE and DELETE: the review log.
    /// - `rule_sets`: every rule set the daemon loaded, with its fingerprint (the configuration-reloaded event).
    static let schema = """
        CREATE TABLE rule_state (
            instance_key TEXT PRIMARY KEY,
            state TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE site_levels (
            site_code TEXT PRIMARY KEY,
            level INTEGER NOT NULL,
            since INTEGER NOT NULL,
            evidence TEXT NOT NULL
        ) STRICT;

        CREATE TABLE level_transitions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            site_code TEXT NOT NULL,
            from_level INTEGER NOT NULL,
            to_level INTEGER NOT NULL,
            at INTEGER NOT NULL,
            cause TEXT NOT NULL,
            late INTEGER NOT NULL,
            evidence TEXT NOT NULL,
            recorded_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX level_transitions_site_at ON level_transitions(site_code, at);
        CREATE INDEX level_transitions_at ON level_transitions(at);
        CREATE TRIGGER level_transitions_no_update BEFORE UPDATE ON level_transitions
        BEGIN SELECT RAISE(ABORT, 'level_transitions is append-only'); END;
        CREATE TRIGGER level_transitions_no_delete BEFORE DELETE ON level_transitions
        BEGIN SELECT RAISE(ABORT, 'level_transitions is append-only'); END;

        CREATE TABLE rule_notices (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            rule TEXT NOT NULL,
            site_code TEXT NOT NULL,
            subject TEXT NOT NULL,
            active INTEGER NOT NULL,
            at INTEGER NOT NULL,
            detail TEXT NOT NULL,
            recorded_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX rule_notices_at ON rule_notices(at);
        CREATE TRIGGER rule_notices_no_update BEFORE UPDATE ON rule_notices
        BEGIN SELECT RAISE(ABORT, 'rule_notices is append-only'); END;
        CREATE TRIGGER rule_notices_no_delete BEFORE DELETE ON rule_notices
        BEGIN SELECT RAISE(ABORT, 'rule_notices is append-only'); END;

        CREATE TABLE rule_sets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            loaded_at INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            rules INTEGER NOT NULL,
            instances INTEGER NOT NULL,
            source TEXT NOT NULL
        ) STRICT;
        """

    /// Evidence as `JSONEncoder` with `.sortedKeys` writes it, by hand (``Evidence/write(to:)``): it is written
    /// on the ingest commit's path. A non-finite number, which JSON cannot hold, is refused.
    private static func text(_ evidence: [Evidence]) throws(StorageError) -> String {
        var json = JSONTextWriter(capacity: 256 * max(1, evidence.count))
        json.array(evidence) { $1.write(to: &$0) }
        guard !json.failed else { throw .rejected("evidence with a non-finite number cannot be stored: \(evidence)") }
        return json.text
    }

    /// Writes what one engine call changed: instance states (JSON, already encoded by the caller), site
    /// levels, transitions and notices. Runs inside the caller's transaction.
    public static func write(
        states: [(key: String, json: String)], sites: [SiteStatus], transitions: [LevelTransition], notices: [RuleNotice],
        recordedAt: Int64, in db: Database
    ) throws(StorageError) {
        if !states.isEmpty {
            let upsert = try db.prepare(
                "INSERT INTO rule_state(instance_key, state) VALUES (?1, ?2) ON CONFLICT (instance_key) DO UPDATE SET state = excluded.state")
            for (key, json) in states {
                try upsert.bind(key, at: 1)
                try upsert.bind(json, at: 2)
                defer { upsert.reset() }
                try upsert.step()
            }
        }
        if !sites.isEmpty {
            let upsert = try db.prepare(
                """
                INSERT INTO site_levels(site_code, level, since, evidence) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (site_code) DO UPDATE SET level = excluded.level, since = excluded.since, evidence = excluded.evidence
                """)
            for site in sites {
                try upsert.bind(site.siteCode, at: 1)
                try upsert.bind(site.level.rawValue, at: 2)
                try upsert.bind(site.since, at: 3)
                try upsert.bind(try Self.text(site.evidence), at: 4)
                defer { upsert.reset() }
                try upsert.step()
            }
        }
        if !transitions.isEmpty {
            let insert = try db.prepare(
                """
                INSERT INTO level_transitions(site_code, from_level, to_level, at, cause, late, evidence, recorded_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
            for transition in transitions {
                try insert.bind(transition.siteCode, at: 1)
                try insert.bind(transition.from.rawValue, at: 2)
                try insert.bind(transition.to.rawValue, at: 3)
                try insert.bind(transition.at, at: 4)
                try insert.bind(transition.cause.rawValue, at: 5)
                try insert.bind(transition.late, at: 6)
                try insert.bind(try Self.text(transition.evidence), at: 7)
                try insert.bind(recordedAt, at: 8)
                defer { insert.reset() }
                try insert.step()
            }
        }
        if !notices.isEmpty {
            let insert = try db.prepare(
                """
                INSERT INTO rule_notices(kind, rule, site_code, subject, active, at, detail, recorded_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
            for notice in notices {
                try insert.bind(notice.kind.rawValue, at: 1)
                try insert.bind(notice.rule, at: 2)
                try insert.bind(notice.siteCode, at: 3)
                try insert.bind(notice.subject, at: 4)
                try insert.bind(notice.active, at: 5)
                try insert.bind(notice.at, at: 6)
                try insert.bind(notice.detail, at: 7)
                try insert.bind(recordedAt, at: 8)
                defer { insert.reset() }
                try insert.step()
            }
        }
    }

    /// Records that a rule set was loaded (at start or on SIGHUP).
    public static func recordRuleSet(
        fingerprint: String, rules: Int, instances: Int, source: String, loadedAt: Int64, in db: Database
    ) throws(StorageError) {
        let insert = try db.prepare(
            "INSERT INTO rule_sets(loaded_at, fingerprint, rules, instances, source) VALUES (?1, ?2, ?3, ?4, ?5)")
        try insert.bind(loadedAt, at: 1)
        try insert.bind(fingerprint, at: 2)
        try insert.bind(rules, at: 3)
        try insert.bind(instances, at: 4)
        try insert.bind(source, at: 5)
        try insert.step()
    }

    /// Every stored instance state: key → JSON.
    public static func states(in db: Database) throws(StorageError) -> [String: String] {
        let query = try db.prepare("SELECT instance_key, state FROM rule_state")
        var states: [String: String] = [:]
        while try query.step() { states[query.string(at: 0)] = query.string(at: 1) }
        return states
    }

    /// Every site's stored level.
    public static func siteLevels(in db: Database) throws(StorageError) -> [SiteStatus] {
        let decoder = JSONDecoder()
        let query = try db.prepare("SELECT site_code, level, since, evidence FROM site_levels ORDER BY site_code")
        return try query.fetchAll { row throws(StorageError) in
            let code = row.string(at: 0)
            guard let level = WarningLevel(rawValue: row.int(at: 1)) else {
                throw .corrupt("site_levels: site \(code) has level \(row.int(at: 1))")
            }
            let evidence: [Evidence]
            do {
                evidence = try decoder.decode([Evidence].self, from: Data(row.string(at: 3).utf8))
            } catch {
                throw .corrupt("site_levels: the evidence of site \(code) cannot be decoded: \(error)")
            }
            return SiteStatus(siteCode: code, level: level, since: row.int64(at: 2), evidence: evidence)
        }
    }

    /// The readings of a channel from `span` ms before its newest one, oldest first: what the engine's
    /// series held before a restart.
    public static func recentReadings(channelID: Int64, span: Int64, in db: Database) throws(StorageError) -> [(timestamp: Int64, value: Double)] {
        let query = try db.prepare(
            """
            SELECT ts, value FROM readings
            WHERE channel_id = ?1 AND ts >= (SELECT max(ts) FROM readings WHERE channel_id = ?1) - ?2
            ORDER BY ts
            """)
        try query.bind(channelID, at: 1)
        try query.bind(span, at: 2)
        return try query.fetchAll { row in (timestamp: row.int64(at: 0), value: row.double(at: 1)) }
    }

    /// Stored transitions with `from <= at < to`, optionally of one site, in time order.
    public static func transitions(from: Int64?, to: Int64?, site: String?, in db: Database) throws(StorageError) -> [LevelTransition] {
        let decoder = JSONDecoder()
        let query = try db.prepare(
            """
            SELECT site_code, from_level, to_level, at, cause, late, evidence FROM level_transitions
            WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2) AND (?3 IS NULL OR site_code = ?3)
            ORDER BY at, id
            """)
        try query.bind(from, at: 1)
        try query.bind(to, at: 2)
        try query.bind(site, at: 3)
        return try query.fetchAll { row throws(StorageError) in try Self.transition(row, decoder: decoder) }
    }

    /// A `level_transitions` row whose first seven columns are `site_code, from_level, to_level, at, cause,
    /// late, evidence`.
    static func transition(_ row: borrowing Statement, decoder: JSONDecoder) throws(StorageError) -> LevelTransition {
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
        return LevelTransition(
            siteCode: code, from: fromLevel, to: toLevel, at: row.int64(at: 3), cause: cause, late: row.int(at: 5) != 0,
            evidence: evidence)
    }

    /// Stored notices with `from <= at < to`, in time order.
    public static func notices(from: Int64?, to: Int64?, in db: Database) throws(StorageError) -> [RuleNotice] {
        let query = try db.prepare(
            """
            SELECT kind, rule, site_code, subject, active, at, detail FROM rule_notices
            WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2) ORDER BY at, id
            """)
        try query.bind(from, at: 1)
        try query.bind(to, at: 2)
        return try query.fetchAll { row throws(StorageError) in
            guard let kind = RuleNotice.Kind(rawValue: row.string(at: 0)) else {
                throw .corrupt("rule_notices: unknown kind \(row.string(at: 0))")
            }
            return RuleNotice(
                kind: kind, rule: row.string(at: 1), siteCode: row.string(at: 2), subject: row.string(at: 3),
                active: row.int(at: 4) != 0, at: row.int64(at: 5), detail: row.string(at: 6))
        }
    }

    /// Every reading with `from <= ts < to` of the given channels, in (time, channel) order: what a backtest
    /// replays. One primary-key range scan per channel (the table has no index on time alone, which would
    /// cost every insert), merged in memory.
    public static func readings(
        from: Int64, to: Int64, channels: Set<Int64>, in db: Database
    ) throws(StorageError) -> [(channelID: Int64, timestamp: Int64, value: Double)] {
        var all: [(channelID: Int64, timestamp: Int64, value: Double)] = []
        for channel in channels.sorted() {
            for reading in try Store.readings(channelID: channel, from: from, to: to, in: db) {
                all.append((channel, reading.timestamp, reading.value))
            }
        }
        all.sort { ($0.timestamp, $0.channelID) < ($1.timestamp, $1.channelID) }
        return all
    }
}

extension Store {
    /// Runs `body` with the store's own connection (reads for the CLI and the backtest).
    public func withDatabase<T>(_ body: (Database) throws -> T) rethrows -> T {
        try body(self.database)
    }

    /// Stored level transitions with `from <= at < to`, optionally of one site.
    public func levelTransitions(from: Int64? = nil, to: Int64? = nil, site: String? = nil) throws(StorageError) -> [LevelTransition] {
        try RuleTables.transitions(from: from, to: to, site: site, in: self.database)
    }

    /// Every site's current stored level.
    public func siteLevels() throws(StorageError) -> [SiteStatus] {
        try RuleTables.siteLevels(in: self.database)
    }

    /// Stored notices with `from <= at < to`.
    public func ruleNotices(from: Int64? = nil, to: Int64? = nil) throws(StorageError) -> [RuleNotice] {
        try RuleTables.notices(from: from, to: to, in: self.database)
    }
}
