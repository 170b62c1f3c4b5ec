// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

extension Store {
    /// The kind of the event every import appends to `registry_events`.
    public static let registryImportedEvent = "registry.imported"

    /// Replaces the whole register in one transaction and returns what changed against what was stored.
    ///
    /// County, villages and sites become exactly `registry` (sites no longer listed are deleted). Channels
    /// are matched by (device id, channel code): a known one keeps its id and takes the new mounting and
    /// limits, a new one gets a fresh id, one no longer listed is retired (kept, with `retired_at`), and a
    /// retired one that comes back is revived with its old id. A `registry.imported` event with the diff
    /// is appended. Either all of this commits or none of it does.
    ///
    /// - Parameter registry: The complete new register.
    /// - Returns: What changed against the stored sites, computed in the same transaction by comparing each
    ///   site's canonical ``Site/document`` with the stored one (equal documents are equal sites).
    /// - Throws: ``StorageError/rejected(_:)`` when a site code, village code or (device, channel) pair is
    ///   listed twice or a site cannot be encoded as JSON (e.g. a NaN), ``StorageError/constraint(sql:code:message:)``
    ///   when a value breaks the schema (e.g. a NaN in the county extent), or any SQLite failure.
    @discardableResult
    public func replaceRegistry(_ registry: Registry) throws(StorageError) -> RegistryDiff {
        // Encode and check before taking the write lock.
        let rows = try self.siteRows(registry.sites)
        try Self.requireUnique(registry.villages.map(\.code), what: "village code")
        let importedAt = Self.timestamp(Date())

        return try self.database.transaction { db throws(StorageError) -> RegistryDiff in
            let stored = try db.prepare("SELECT code, doc FROM sites").fetchAll { (code: $0.string(at: 0), value: $0.string(at: 1)) }
            let diff = RegistryDiff(old: stored, new: rows.map { (code: $0.site.code, value: $0.document) })
            try Self.writeCounty(registry.county, db)
            try Self.writeVillages(registry.villages, db)
            try Self.writeSites(rows, db)
            try Self.writeChannels(of: registry.sites, retiringAt: importedAt, db)
            try self.appendEvent(Self.registryImportedEvent, diff, at: importedAt, db)
            return diff
        }
    }

    /// The stored register, with villages and sites in the order they were imported; nil when no
    /// register has ever been imported.
    public func registry() throws(StorageError) -> Registry? {
        try self.database.transaction(.deferred) { db throws(StorageError) -> Registry? in
            let county = try db.prepare(
                """
                SELECT name, region_code, working_crs, time_zone, extent_west, extent_south, extent_east, extent_north
                FROM county WHERE id = 1
                """)
            guard try county.step() else { return nil }
            let villages = try db.prepare("SELECT code, name, township FROM villages ORDER BY position").fetchAll { row in
                Village(code: row.string(at: 0), name: row.string(at: 1), township: row.string(at: 2))
            }
            return Registry(
                county: County(
                    name: county.string(at: 0), regionCode: county.string(at: 1), workingCRS: county.string(at: 2),
                    timeZone: county.string(at: 3),
                    extent: GeoBox(
                        west: county.double(at: 4), south: county.double(at: 5), east: county.double(at: 6),
                        north: county.double(at: 7))),
                villages: villages,
                sites: try self.storedSites(db))
        }
    }

    /// The sites that pass `filter`, ordered by code: exactly those for which ``SiteFilter/matches(_:)``
    /// is true.
    ///
    /// Kind, township and village are compared in SQL on indexed columns. A `near`/`withinMeters` pair
    /// becomes a bounding-box prefilter on the metric (east, north) columns, slightly widened so that
    /// rounding can never drop a site on the circle; each candidate is then checked with `matches`
    /// itself, which applies the exact Euclidean distance.
    ///
    /// - Parameter filter: The fields to match; an empty filter lists every site.
    /// - Returns: The matching sites, ordered by code (UTF-8 byte order).
    public func sites(matching filter: SiteFilter) throws(StorageError) -> [Site] {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        if let kind = filter.kind {
            conditions.append("kind = ?")
            arguments.append(.text(kind.rawValue))
        }
        if let township = filter.township {
            conditions.append("township = ?")
            arguments.append(.text(Self.canonical(township)))
        }
        if let villageCode = filter.villageCode {
            conditions.append("village_code = ?")
            arguments.append(.text(Self.canonical(villageCode)))
        }
        if let centre = filter.near, let radius = filter.withinMeters, let box = Self.prefilterBox(centre, radius) {
            conditions.append("east BETWEEN ? AND ? AND north BETWEEN ? AND ?")
            arguments += [.real(box.minEast), .real(box.maxEast), .real(box.minNorth), .real(box.maxNorth)]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let query = try self.database.prepare("SELECT code, doc FROM sites\(whereClause) ORDER BY code")
        try query.bind(arguments)
        return try query.fetchAll { row throws(StorageError) in try self.decodeSite(row) }
            .filter { filter.matches($0) }
    }

    /// The site with this code, or nil.
    public func site(code: String) throws(StorageError) -> Site? {
        let query = try self.database.prepare("SELECT code, doc FROM sites WHERE code = ?")
        try query.bind(code, at: 1)
        return try query.step() ? try self.decodeSite(query) : nil
    }

    /// The stored channels, ordered by id: the active ones, or all of them.
    ///
    /// - Parameter includingRetired: Also list channels that have left the register.
    public func channels(includingRetired: Bool = false) throws(StorageError) -> [ChannelRecord] {
        let query = try self.database.prepare(
            """
            SELECT id, device_id, channel_code, site_code, point_code, kind, unit, interval_s, valid_min, valid_max,
                   retired_at IS NOT NULL
            FROM channels\(includingRetired ? "" : " WHERE retired_at IS NULL") ORDER BY id
            """)
        return try query.fetchAll { row throws(StorageError) in
            let kindName = row.string(at: 5)
            guard let kind = SensorKind(rawValue: kindName) else {
                throw .corrupt("channel \(row.int64(at: 0)) has the unknown sensor kind '\(kindName)'")
            }
            return ChannelRecord(
                id: row.int64(at: 0), deviceID: row.string(at: 1), siteCode: row.string(at: 3),
                pointCode: row.string(at: 4),
                channel: Channel(
                    code: row.string(at: 2), kind: kind, unit: row.string(at: 6), intervalSeconds: row.int(at: 7),
                    validMin: row.double(at: 8), validMax: row.double(at: 9)),
                retired: row.int64(at: 10) != 0)
        }
    }

    /// Every import recorded so far, oldest first.
    public func registryEvents() throws(StorageError) -> [RegistryEvent] {
        let query = try self.database.prepare("SELECT id, at, kind, detail FROM registry_events ORDER BY id")
        return try query.fetchAll { row throws(StorageError) in
            let id = row.int64(at: 0)
            let stamp = row.string(at: 1)
            guard let at = try? Self.timestampStyle.parse(stamp) else {
                throw .corrupt("registry event \(id) has the time stamp '\(stamp)', not RFC 3339")
            }
            let diff: RegistryDiff
            do {
                diff = try self.decoder.decode(RegistryDiff.self, from: row.data(at: 3))
            } catch {
                throw .corrupt("registry event \(id) has an undecodable detail: \(error)")
            }
            return RegistryEvent(id: id, at: at, kind: row.string(at: 2), diff: diff)
        }
    }
}

// MARK: - Writing

extension Store {
    /// A site ready for its row, with its JSON document encoded.
    struct SiteRow {
        let site: Site
        let document: String
    }

    func siteRows(_ sites: [Site]) throws(StorageError) -> [SiteRow] {
        try Self.requireUnique(sites.map(\.code), what: "site code")
        var rows: [SiteRow] = []
        rows.reserveCapacity(sites.count)
        for site in sites {
            guard let document = site.document else {
                throw .rejected("site \(site.code) cannot be stored as JSON: it has a number that is not finite")
            }
            rows.append(SiteRow(site: site, document: document))
        }
        return rows
    }

    static func requireUnique(_ keys: [String], what: String) throws(StorageError) {
        var seen: Set<String> = []
        for key in keys where !seen.insert(key).inserted {
            throw .rejected("the register lists \(what) '\(key)' more than once")
        }
    }

    static func writeCounty(_ county: County, _ db: Database) throws(StorageError) {
        let insert = try db.prepare(
            """
            INSERT OR REPLACE INTO county
                (id, name, region_code, working_crs, time_zone, extent_west, extent_south, extent_east, extent_north)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind([
            .text(county.name), .text(county.regionCode), .text(county.workingCRS), .text(county.timeZone),
            .real(county.extent.west), .real(county.extent.south), .real(county.extent.east), .real(county.extent.north),
        ])
        try insert.step()
    }

    static func writeVillages(_ villages: [Village], _ db: Database) throws(StorageError) {
        try db.execute("DELETE FROM villages")
        let insert = try db.prepare("INSERT INTO villages(code, name, township, position) VALUES (?, ?, ?, ?)")
        for (position, village) in villages.enumerated() {
            try insert.bind(village.code, at: 1)
            try insert.bind(village.name, at: 2)
            try insert.bind(village.township, at: 3)
            try insert.bind(position, at: 4)
            try insert.step()
            insert.reset()
        }
    }

    /// Rewrites the site table: nothing references site rows, so delete-and-insert is the simplest way
    /// to make it exactly the new register, order included.
    static func writeSites(_ rows: [SiteRow], _ db: Database) throws(StorageError) {
        try db.execute("DELETE FROM sites")
        let insert = try db.prepare(
            """
            INSERT INTO sites(code, kind, name, township, village_code, given_crs, lon, lat, east, north, position, doc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (position, row) in rows.enumerated() {
            let site = row.site
            try insert.bind([
                .text(site.code), .text(site.kind.rawValue), .text(site.name), .text(Self.canonical(site.township)),
                .text(Self.canonical(site.villageCode)), .text(site.given.crs), .real(site.lonLat.x), .real(site.lonLat.y),
                .real(site.metric.x), .real(site.metric.y), .integer(Int64(position)), .text(row.document),
            ])
            try insert.step()
            insert.reset()
        }
    }

    /// Upserts every channel of the register by (device id, channel code), then retires the active ones
    /// it no longer lists. Ids come from SQLite, so "the same channel" means byte-equal keys, as the
    /// UNIQUE constraint does.
    ///
    /// The upsert is an UPDATE, then an INSERT when nothing was updated, rather than
    /// `INSERT … ON CONFLICT DO UPDATE`: with AUTOINCREMENT, every such INSERT advances
    /// `sqlite_sequence` even when it ends up updating, so each re-import would burn one id per channel.
    static func writeChannels(of sites: [Site], retiringAt stamp: String, _ db: Database) throws(StorageError) {
        let update = try db.prepare(
            """
            UPDATE channels SET
                site_code = ?3, point_code = ?4, kind = ?5, unit = ?6, interval_s = ?7, valid_min = ?8, valid_max = ?9,
                retired_at = NULL
            WHERE device_id = ?1 AND channel_code = ?2
            RETURNING id
            """)
        let insert = try db.prepare(
            """
            INSERT INTO channels
                (device_id, channel_code, site_code, point_code, kind, unit, interval_s, valid_min, valid_max, retired_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)
            RETURNING id
            """)
        var listed: [Int64: String] = [:]  // id -> where the register lists it, for the duplicate message
        for site in sites {
            for point in site.points {
                for device in point.devices {
                    for channel in device.channels {
                        let values: [SQLiteValue] = [
                            .text(device.id), .text(channel.code), .text(site.code), .text(point.code),
                            .text(channel.kind.rawValue), .text(channel.unit), .integer(Int64(channel.intervalSeconds)),
                            .real(channel.validMin), .real(channel.validMax),
                        ]
                        // A RETURNING statement makes all its changes in the first step; its row is the id.
                        try update.bind(values)
                        var id = try update.step() ? update.int64(at: 0) : nil
                        update.reset()
                        if id == nil {
                            try insert.bind(values)
                            id = try insert.step() ? insert.int64(at: 0) : nil
                            insert.reset()
                        }
                        guard let id else {
                            throw .corrupt("storing channel \(device.id)/\(channel.code) returned no id")
                        }
                        let place = "site \(site.code) point \(point.code)"
                        if let first = listed.updateValue(place, forKey: id) {
                            throw .rejected(
                                "the register lists channel '\(channel.code)' of device '\(device.id)' twice "
                                    + "(\(first) and \(place))")
                        }
                    }
                }
            }
        }
        let active = try db.prepare("SELECT id FROM channels WHERE retired_at IS NULL").fetchAll { $0.int64(at: 0) }
        let retire = try db.prepare("UPDATE channels SET retired_at = ? WHERE id = ?")
        for id in active where listed[id] == nil {
            try retire.bind(stamp, at: 1)
            try retire.bind(id, at: 2)
            try retire.step()
            retire.reset()
        }
    }

    func appendEvent(_ kind: String, _ diff: RegistryDiff, at stamp: String, _ db: Database) throws(StorageError) {
        let detail: Data
        do {
            detail = try self.encoder.encode(diff)
        } catch {
            throw .rejected("the registry diff cannot be encoded: \(error)")
        }
        let insert = try db.prepare("INSERT INTO registry_events(at, kind, detail) VALUES (?, ?, ?)")
        try insert.bind([.text(stamp), .text(kind), .text(String(decoding: detail, as: UTF8.self))])
        try insert.step()
    }
}

// MARK: - Reading and helpers

extension Store {
    func storedSites(_ db: Database) throws(StorageError) -> [Site] {
        try db.prepare("SELECT code, doc FROM sites ORDER BY position").fetchAll { row throws(StorageError) in
            try self.decodeSite(row)
        }
    }

    /// Decodes the `doc` of a row whose columns are (code, doc).
    func decodeSite(_ row: borrowing Statement) throws(StorageError) -> Site {
        do {
            return try self.decoder.decode(Site.self, from: row.data(at: 1))
        } catch {
            throw .corrupt("site \(row.string(at: 0)): the stored document cannot be decoded: \(error)")
        }
    }

    /// The NFC form of a filter key. Swift's `==` on strings is canonical equivalence, SQL's `=` compares
    /// bytes; comparing NFC forms in SQL gives Swift's answer.
    ///
    /// Text made only of ASCII, CJK punctuation, CJK unified ideographs and full-width forms is already NFC
    /// (none of them has a canonical decomposition or combines), so it skips Foundation's normalisation,
    /// which bridges through NSString on Linux.
    static func canonical(_ text: String) -> String {
        let isNFC = text.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x00...0x7F, 0x3000...0x303F, 0x4E00...0x9FFF, 0xFF01...0xFFEF: return true
            default: return false
            }
        }
        return isNFC ? text : text.precomposedStringWithCanonicalMapping
    }

    /// The metric box a `near`/`withinMeters` filter can match in, or nil when no finite box bounds it
    /// (a negative, NaN or infinite radius, or a non-finite centre). Then only the exact check applies.
    static func prefilterBox(
        _ centre: Coordinate2D, _ radius: Double
    ) -> (minEast: Double, maxEast: Double, minNorth: Double, maxNorth: Double)? {
        guard centre.isFinite, radius.isFinite, radius >= 0 else { return nil }
        // The box only has to contain the circle; the exact distance is checked afterwards. Widen it by
        // far more than the rounding of `centre ± radius` and of the distance itself (a few ulps of
        // magnitudes up to 10^8 m), so no site on the circle's edge can fall outside it.
        let slack = (abs(centre.x) + abs(centre.y) + radius) * 1e-9 + 1e-9
        let reach = radius + slack
        return (centre.x - reach, centre.x + reach, centre.y - reach, centre.y + reach)
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T08:44:24.712Z`.
    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func timestamp(_ date: Date) -> String {
        date.formatted(Self.timestampStyle)
    }
}
