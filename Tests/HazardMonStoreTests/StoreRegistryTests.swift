// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonStore
import Testing

@Suite(.temporaryStore)
struct StoreRegistryTests {
    /// Channel ids by "device/channel".
    static func ids(_ records: [ChannelRecord]) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: records.map { ("\($0.deviceID)/\($0.channel.code)", $0.id) })
    }

    @Test func aNewStoreIsMigratedAndEmpty() async throws {
        let store = try temporaryStore().store
        #expect(try await store.schemaVersion() == Store.migrator.latestVersion)
        #expect(Store.migrator.latestVersion == 3)
        #expect(try await store.registry() == nil)
        #expect(try await store.sites(matching: SiteFilter()).isEmpty)
        #expect(try await store.channels().isEmpty)
        #expect(try await store.registryEvents().isEmpty)
    }

    @Test func theFirstImportAddsEverySite() async throws {
        let store = try temporaryStore().store
        let diff = try await store.replaceRegistry(Fixtures.registry)
        #expect(diff == RegistryDiff(added: ["500237010001", "500237020001", "500237030001"]))
        #expect(try await store.sites(matching: SiteFilter()).map(\.code) == ["500237010001", "500237020001", "500237030001"])
    }

    @Test func theSameRegisterAgainChangesNothing() async throws {
        let store = try temporaryStore().store
        try await store.replaceRegistry(Fixtures.registry)
        let diff = try await store.replaceRegistry(Fixtures.registry)
        #expect(diff == RegistryDiff(unchanged: 3))
        #expect(diff.isEmpty)
    }

    @Test func changedRemovedAndAddedSitesAreReportedExactly() async throws {
        let store = try temporaryStore().store
        try await store.replaceRegistry(Fixtures.registry)

        var moreAtRisk = Fixtures.landslide
        moreAtRisk.threatenedPeople = 120
        var newRock = Fixtures.dangerousRock
        newRock.code = "500237030002"
        newRock.name = "龙门危岩"
        let next = Registry(county: Fixtures.county, villages: Fixtures.villages, sites: [newRock, moreAtRisk, Fixtures.flashFlood])

        let diff = try await store.replaceRegistry(next)
        #expect(diff == RegistryDiff(added: ["500237030002"], changed: ["500237010001"], removed: ["500237030001"], unchanged: 1))
        #expect(try await store.site(code: "500237010001")?.threatenedPeople == 120)
        #expect(try await store.site(code: "500237030001") == nil)
        #expect(try await store.site(code: "500237030002") == newRock)
        #expect(try await store.registry() == next)
    }

    @Test func theRegisterRoundTripsExactlyInItsOwnOrder() async throws {
        let store = try temporaryStore().store
        try await store.replaceRegistry(Fixtures.registry)
        let stored = try #require(try await store.registry())
        #expect(stored == Fixtures.registry)
        #expect(stored.sites.map(\.code) == ["500237020001", "500237010001", "500237030001"])
        #expect(try await store.site(code: Fixtures.landslide.code) == Fixtures.landslide)
        #expect(try await store.site(code: "no-such-site") == nil)
    }

    @Test func channelsAreListedWithTheirMounting() async throws {
        let store = try temporaryStore().store
        try await store.replaceRegistry(Fixtures.registry)
        let records = try await store.channels()
        #expect(records.map { "\($0.siteCode)/\($0.pointCode)/\($0.deviceID)/\($0.channel.code)" } == [
            "500237020001/SW01/SW-0101/L3_DB_1",
            "500237010001/JC01/YL-0001/L3_YL_1",
            "500237010001/JC01/LF-0001/L1_LF_1",
            "500237010001/JC01/LF-0001/L1_LF_2",
        ])
        #expect(records.map(\.id) == [1, 2, 3, 4])
        #expect(records.allSatisfy { !$0.retired })
        #expect(records[1].channel == Fixtures.rainChannel())
    }

    @Test func channelIdsStayStableAndRemovedChannelsAreRetiredThenRevived() async throws {
        let context = try temporaryStore()
        let store = context.store
        try await store.replaceRegistry(Fixtures.registry)
        let original = Self.ids(try await store.channels())

        // The same register again: same ids.
        try await store.replaceRegistry(Fixtures.registry)
        #expect(Self.ids(try await store.channels()) == original)

        // Drop L1_LF_2 and change L1_LF_1's limit.
        var trimmed = Fixtures.landslide
        trimmed.points[0].devices[1].channels = [Fixtures.crackChannel(max: 800)]
        let withoutOne = Registry(county: Fixtures.county, villages: Fixtures.villages, sites: [Fixtures.flashFlood, trimmed, Fixtures.dangerousRock])
        try await store.replaceRegistry(withoutOne)

        let active = try await store.channels()
        #expect(Set(active.map { "\($0.deviceID)/\($0.channel.code)" }) == Set(original.keys).subtracting(["LF-0001/L1_LF_2"]))
        #expect(active.first { $0.channel.code == "L1_LF_1" }?.channel.validMax == 800)
        #expect(Self.ids(active).allSatisfy { original[$0.key] == $0.value })
        let all = try await store.channels(includingRetired: true)
        let retired = try #require(all.first { $0.channel.code == "L1_LF_2" })
        #expect(retired.retired)
        #expect(retired.id == original["LF-0001/L1_LF_2"])
        try withDatabase(at: context.path) { db throws in
            let stamp = try scalar("SELECT retired_at FROM channels WHERE channel_code = 'L1_LF_2'", in: db)
            guard case .text(let text) = stamp else {
                Issue.record("retired_at is \(stamp), not a time stamp")
                return
            }
            #expect(try Date(text, strategy: .iso8601) <= Date())
        }

        // It comes back: same id, active again. A brand-new channel gets a fresh id.
        var grown = Fixtures.landslide
        grown.points[0].devices[0].channels.append(Fixtures.rainChannel("L3_YL_2"))
        try await store.replaceRegistry(
            Registry(county: Fixtures.county, villages: Fixtures.villages, sites: [Fixtures.flashFlood, grown, Fixtures.dangerousRock]))
        let revived = Self.ids(try await store.channels())
        #expect(revived.filter { $0.key != "YL-0001/L3_YL_2" } == original)
        #expect(revived["YL-0001/L3_YL_2"] == original.values.max()! + 1)
        #expect(try await store.channels(includingRetired: true).allSatisfy { !$0.retired })
    }

    @Test func theChannelsOfARemovedSiteAreRetiredNotDeleted() async throws {
        let store = try temporaryStore().store
        try await store.replaceRegistry(Fixtures.registry)
        try await store.replaceRegistry(Registry(county: Fixtures.county, villages: Fixtures.villages, sites: [Fixtures.flashFlood]))
        #expect(try await store.channels().map(\.deviceID) == ["SW-0101"])
        let retired = try await store.channels(includingRetired: true).filter(\.retired)
        #expect(retired.map(\.siteCode) == Array(repeating: "500237010001", count: 3))
    }

    @Test func everythingSurvivesCloseAndReopen() async throws {
        let context = try temporaryStore()
        try await context.store.replaceRegistry(Fixtures.registry)
        let channels = try await context.store.channels()
        await context.store.close()
        await #expect(throws: StorageError.closed(path: context.path)) { try await context.store.registry() }

        try await withStore(at: context.path) { reopened throws in
            #expect(try await reopened.schemaVersion() == Store.migrator.latestVersion)
            #expect(try await reopened.registry() == Fixtures.registry)
            #expect(try await reopened.channels() == channels)
            #expect(try await reopened.registryEvents().count == 1)
            #expect(try await reopened.replaceRegistry(Fixtures.registry) == RegistryDiff(unchanged: 3))
        }
    }

    @Test func everyImportAppendsAnEvent() async throws {
        let context = try temporaryStore()
        let store = context.store
        let before = Date()
        let first = try await store.replaceRegistry(Fixtures.registry)
        let second = try await store.replaceRegistry(Fixtures.registry)
        let third = try await store.replaceRegistry(Registry(county: Fixtures.county, villages: [], sites: [Fixtures.landslide]))
        let after = Date()

        let events = try await store.registryEvents()
        #expect(events.map(\.diff) == [first, second, third])
        #expect(events.map(\.kind) == Array(repeating: "registry.imported", count: 3))
        #expect(events.map(\.id) == [1, 2, 3])
        // Stored with millisecond precision.
        #expect(events.allSatisfy { $0.at.timeIntervalSince(before) > -0.001 && $0.at.timeIntervalSince(after) < 0.001 })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.at <= $1.at })

        // What a reviewer sees in the table itself: RFC 3339 UTC and the diff as JSON.
        try withDatabase(at: context.path) { db throws in
            let rows = try db.prepare("SELECT at, kind, detail FROM registry_events ORDER BY id").fetchAll { row in
                (row.string(at: 0), row.string(at: 1), row.data(at: 2))
            }
            #expect(rows.count == 3)
            let rfc3339UTC = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/
            #expect(rows.allSatisfy { (try? rfc3339UTC.wholeMatch(in: $0.0)) != nil })
            #expect(try JSONDecoder().decode(RegistryDiff.self, from: rows[2].2) == RegistryDiff(changed: [], removed: ["500237020001", "500237030001"], unchanged: 1))
        }
    }

    @Test func theEventLogIsAppendOnly() async throws {
        let context = try temporaryStore()
        try await context.store.replaceRegistry(Fixtures.registry)
        try withDatabase(at: context.path) { db throws in
            for sql in ["UPDATE registry_events SET kind = 'forged'", "DELETE FROM registry_events"] {
                let error = #expect(throws: StorageError.self) { try db.execute(sql) }
                #expect(error == .constraint(sql: sql, code: .constraintTrigger, message: "registry_events is append-only"))
            }
            #expect(try scalar("SELECT kind FROM registry_events", in: db) == .text("registry.imported"))
        }
    }

    @Test func aRegisterWithDuplicatesIsRejectedAndNothingChanges() async throws {
        let store = try temporaryStore().store
        try await store.replaceRegistry(Fixtures.registry)
        let channels = try await store.channels(includingRetired: true)

        var twin = Fixtures.dangerousRock
        twin.name = "另一个"
        var sharesADevice = Fixtures.dangerousRock
        sharesADevice.points = [MonitoringPoint(code: "X1", name: "借用", devices: [Device(id: "YL-0001", channels: [Fixtures.rainChannel()])])]
        let cases: [(Registry, String)] = [
            (Registry(county: Fixtures.county, villages: Fixtures.villages, sites: [Fixtures.landslide, twin, Fixtures.dangerousRock]),
             "site code '500237030001'"),
            (Registry(county: Fixtures.county, villages: Fixtures.villages + [Fixtures.villages[0]], sites: []),
             "village code '500237101001'"),
            (Registry(county: Fixtures.county, villages: Fixtures.villages, sites: [Fixtures.landslide, sharesADevice]),
             "channel 'L3_YL_1' of device 'YL-0001' twice (site 500237010001 point JC01 and site 500237030001 point X1)"),
        ]
        for (registry, detail) in cases {
            let error = await #expect(throws: StorageError.self) { try await store.replaceRegistry(registry) }
            guard case .rejected(let message)? = error else {
                Issue.record("expected a rejection, got \(String(describing: error))")
                continue
            }
            #expect(message.contains(detail), "\(message)")
        }
        #expect(try await store.registry() == Fixtures.registry)
        #expect(try await store.channels(includingRetired: true) == channels)
        #expect(try await store.registryEvents().count == 1)
    }

    @Test func aSiteJSONCannotEncodeIsRejected() async throws {
        let store = try temporaryStore().store
        var broken = Fixtures.dangerousRock
        broken.threatenedPropertyWanYuan = .nan
        let error = await #expect(throws: StorageError.self) {
            try await store.replaceRegistry(Registry(county: Fixtures.county, villages: [], sites: [broken]))
        }
        guard case .rejected(let message)? = error else {
            Issue.record("expected a rejection, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("site 500237030001 cannot be stored as JSON"))
        #expect(try await store.registry() == nil)
    }

    @Test func aCorruptStoredDocumentIsReportedAsCorrupt() async throws {
        let context = try temporaryStore()
        try await context.store.replaceRegistry(Fixtures.registry)
        try withDatabase(at: context.path) { db throws in
            try db.execute("UPDATE sites SET doc = '{\"code\": 1}' WHERE code = '500237030001'")
        }
        let error = await #expect(throws: StorageError.self) { try await context.store.site(code: "500237030001") }
        guard case .corrupt(let message)? = error else {
            Issue.record("expected corrupt, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("site 500237030001: the stored document cannot be decoded"))
    }
}

@Suite(.temporaryDirectory)
struct StoreOpeningTests {
    @Test func aDatabaseFromANewerBuildIsRefused() async throws {
        let path = try temporaryDirectory().path()
        try await withStore(at: path) { store throws in
            try await store.replaceRegistry(Fixtures.registry)
        }
        try withDatabase(at: path) { db throws in try db.setUserVersion(Store.migrator.latestVersion + 1) }

        let error = #expect(throws: StorageError.self) { _ = try Store(path: path) }
        guard case .migration(let version, _)? = error else {
            Issue.record("expected a migration error, got \(String(describing: error))")
            return
        }
        #expect(version == Store.migrator.latestVersion + 1)
        // Left untouched.
        try withDatabase(at: path) { db throws in
            #expect(try db.userVersion == Store.migrator.latestVersion + 1)
            #expect(try scalar("SELECT count(*) FROM sites", in: db) == .integer(3))
        }
    }

    @Test func aStoreCreatesTheTablesInWALMode() async throws {
        let path = try temporaryDirectory().path()
        let store = try Store(configuration: StorageConfiguration(path: path, synchronous: .full))
        #expect(store.configuration.synchronous == .full)
        #expect(try await store.schemaVersion() == 3)
        await store.close()
        try withDatabase(at: path) { db throws in
            #expect(try scalar("PRAGMA journal_mode", in: db) == .text("wal"))
            #expect(try scalar("SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)", in: db)
                == .text("channels,county,device_health,level_transitions,readings,registry_events,rule_notices,rule_sets,rule_state,site_levels,sites,villages"))
        }
    }
}
