// SPDX-License-Identifier: Apache-2.0

extension Store {
    /// HazardMon's schema, one released step per version. Never edit a released step; add one.
    public static let migrator = Migrator([
        Migration(version: 1, name: "registry", sql: registrySchema),
        Migration(version: 2, name: "readings", sql: readingsSchema),
        Migration(version: 3, name: "rules", sql: RuleTables.schema),
    ])

    /// v1: the county, its villages and sites, the channel table readings will refer to, and the
    /// append-only log of imports.
    ///
    /// - `county` has at most one row (`id = 1`); its absence means "never imported".
    /// - `villages.position` and `sites.position` keep the register's order, so ``Store/registry()``
    ///   gives back exactly what was imported.
    /// - `sites.doc` is the whole ``Site`` as JSON with sorted keys and is what reads decode; the other
    ///   columns are copies for filtering and indexing. `township` and `village_code` are stored in
    ///   Unicode NFC so that SQL's byte comparison agrees with Swift's `==` (canonical equivalence).
    /// - `channels.id` is stable for a (device, channel code) for ever: channels are retired
    ///   (`retired_at`), never deleted, and AUTOINCREMENT never hands out an id twice.
    /// - `registry_events` refuses UPDATE and DELETE (design.md: every state change is an append-only event).
    static let registrySchema = """
        CREATE TABLE county (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            region_code TEXT NOT NULL,
            working_crs TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            extent_west REAL NOT NULL,
            extent_south REAL NOT NULL,
            extent_east REAL NOT NULL,
            extent_north REAL NOT NULL
        ) STRICT;

        CREATE TABLE villages (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            township TEXT NOT NULL,
            position INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE sites (
            code TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            township TEXT NOT NULL,
            village_code TEXT NOT NULL,
            given_crs TEXT NOT NULL,
            lon REAL NOT NULL,
            lat REAL NOT NULL,
            east REAL NOT NULL,
            north REAL NOT NULL,
            position INTEGER NOT NULL,
            doc TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sites_kind ON sites(kind);
        CREATE INDEX sites_township ON sites(township);
        CREATE INDEX sites_village_code ON sites(village_code);
        CREATE INDEX sites_east_north ON sites(east, north);

        CREATE TABLE channels (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device_id TEXT NOT NULL,
            channel_code TEXT NOT NULL,
            site_code TEXT NOT NULL,
            point_code TEXT NOT NULL,
            kind TEXT NOT NULL,
            unit TEXT NOT NULL,
            interval_s INTEGER NOT NULL,
            valid_min REAL NOT NULL,
            valid_max REAL NOT NULL,
            retired_at TEXT,
            UNIQUE (device_id, channel_code)
        ) STRICT;
        CREATE INDEX channels_site_code ON channels(site_code);

        CREATE TABLE registry_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL
        ) STRICT;
        CREATE TRIGGER registry_events_no_update BEFORE UPDATE ON registry_events
        BEGIN SELECT RAISE(ABORT, 'registry_events is append-only'); END;
        CREATE TRIGGER registry_events_no_delete BEFORE DELETE ON registry_events
        BEGIN SELECT RAISE(ABORT, 'registry_events is append-only'); END;
        """

    /// v2: sensor readings and device status reports, written by ``IngestWriter``.
    ///
    /// - `readings` is keyed by (channel, time stamp), the key ingestion is idempotent on. WITHOUT ROWID
    ///   stores the rows in that key's B-tree, so a channel's readings lie together in time order and a
    ///   window query is one range scan, with no second index to maintain on insert.
    /// - `readings.channel_id` is a `channels.id`, deliberately without `REFERENCES channels(id)`. With
    ///   `foreign_keys=ON` every inserted reading would cost a lookup in `channels`: running
    ///   `Benchmarks/ingest/sqlite_c_ceiling.c` with and without the clause (1M rows, 1000 a transaction,
    ///   100 channels, file on tmpfs so that only CPU counts) it took about 13% of the insert rate
    ///   (~460k -> ~400k rows/s). The check would buy nothing: the writer only ever gets ids from the
    ///   channel directory, and channels are retired, never deleted, so an id once handed out never dangles.
    /// - `device_health` holds every status report; a device's current status is its row with the
    ///   largest `ts`, found by a reverse scan of the primary key. `sensor_state` is a JSON object from
    ///   channel code to state code, with sorted keys.
    /// - Time stamps (`ts`, `received_at`) are milliseconds since the Unix epoch, UTC.
    static let readingsSchema = """
        CREATE TABLE readings (
            channel_id INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            value REAL NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (channel_id, ts)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE device_health (
            device_id TEXT NOT NULL,
            ts INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            battery_percent REAL,
            supply_volt REAL,
            solar_volt REAL,
            temperature REAL,
            humidity REAL,
            signal REAL,
            firmware TEXT,
            sensor_state TEXT,
            PRIMARY KEY (device_id, ts)
        ) STRICT, WITHOUT ROWID;
        """
}
