// SPDX-License-Identifier: Apache-2.0
import HazardMonStore
import Testing

@Suite(.temporaryDirectory)
struct MigratorTests {
    static let twoSteps = Migrator([
        Migration(version: 1, name: "villages", sql: "CREATE TABLE villages(code TEXT PRIMARY KEY, name TEXT NOT NULL);"),
        Migration(
            version: 2, name: "townships",
            sql: """
                CREATE TABLE townships(name TEXT PRIMARY KEY);
                ALTER TABLE villages ADD COLUMN township TEXT;
                """),
    ])

    @Test func stepsRunOnceAndSetUserVersion() throws {
        let path = try temporaryDirectory().path()
        try withDatabase(at: path) { db throws in
            let applied = try Self.twoSteps.migrate(db)
            #expect(applied.map(\.version) == [1, 2])
            #expect(try db.userVersion == 2)
            try db.execute("INSERT INTO villages(code, name, township) VALUES ('500237101001', '龙门村', '巫峡镇')")
            #expect(try Self.twoSteps.migrate(db).isEmpty)
        }
        // Reopening does not run anything again: the data written after migrating is still there.
        try withDatabase(at: path) { db throws in
            #expect(try db.userVersion == 2)
            #expect(try Self.twoSteps.migrate(db).isEmpty)
            #expect(try scalar("SELECT township FROM villages", in: db) == .text("巫峡镇"))
        }
    }

    @Test func onlyTheMissingStepsRun() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            let first = Migrator(Array(Self.twoSteps.migrations.prefix(1)))
            #expect(try first.migrate(db).map(\.name) == ["villages"])
            #expect(try db.userVersion == 1)
            #expect(try Self.twoSteps.migrate(db).map(\.name) == ["townships"])
            #expect(try db.userVersion == 2)
        }
    }

    @Test func aNewerDatabaseIsRefusedAndLeftUntouched() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.setUserVersion(5)
            let error = #expect(throws: StorageError.self) { try Self.twoSteps.migrate(db) }
            guard case .migration(let version, let message)? = error else {
                Issue.record("expected a migration error, got \(String(describing: error))")
                return
            }
            #expect(version == 5)
            #expect(message.contains("newer than the 2 this build knows"))
            #expect(try db.userVersion == 5)
            #expect(try scalar("SELECT count(*) FROM sqlite_schema", in: db) == .integer(0))
        }
    }

    @Test func aFailingStepRollsBackToThePreviousVersion() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            let broken = Migrator([
                Self.twoSteps.migrations[0],
                Migration(version: 2, name: "broken", sql: "CREATE TABLE half(x INTEGER); INSERT INTO nowhere VALUES (1);"),
            ])
            let error = #expect(throws: StorageError.self) { try broken.migrate(db) }
            guard case .migration(let version, let message)? = error else {
                Issue.record("expected a migration error, got \(String(describing: error))")
                return
            }
            #expect(version == 2)
            #expect(message.contains("'broken'"))
            #expect(message.contains("no such table: nowhere"))
            // Step 1 committed; step 2, including the table it created before failing, did not.
            #expect(try db.userVersion == 1)
            #expect(try scalar("SELECT group_concat(name) FROM sqlite_schema WHERE type = 'table'", in: db) == .text("villages"))
        }
    }

    @Test(arguments: [[1, 3], [2], [1, 1], [0, 1]])
    func versionsMustRunOneTwoThree(versions: [Int]) throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            let migrator = Migrator(versions.map { Migration(version: $0, name: "v\($0)", sql: "SELECT 1") })
            let error = #expect(throws: StorageError.self) { try migrator.migrate(db) }
            guard case .migration(_, let message)? = error else {
                Issue.record("expected a migration error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("versions must run 1, 2, 3"))
            #expect(try db.userVersion == 0)
        }
    }
}
