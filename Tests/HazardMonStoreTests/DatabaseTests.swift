// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonStore
import Testing

@Suite(.temporaryDirectory)
struct DatabaseTests {
    @Test func openingInAMissingDirectoryNamesThePath() throws {
        let path = try temporaryDirectory().url.appending(path: "no-such-dir/hazardmon.sqlite").path(percentEncoded: false)
        let error = #expect(throws: StorageError.self) { _ = try Database(path: path) }
        guard case .open(let failedPath, let code, let message)? = error else {
            Issue.record("expected an open error, got \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
        #expect(code.primary == .cantOpen)
        #expect(message == "unable to open database file")
        #expect(error?.description.contains(path) == true)
        // Opening never creates directories.
        #expect(!FileManager.default.fileExists(atPath: try temporaryDirectory().url.appending(path: "no-such-dir").path()))
    }

    @Test func openingSomethingThatIsNotADatabaseFails() throws {
        let path = try temporaryDirectory().path("notes.txt")
        try Data(String(repeating: "这不是数据库 not a database\n", count: 100).utf8).write(to: URL(filePath: path))
        let error = #expect(throws: StorageError.self) { _ = try Database(path: path) }
        // SQLite opens lazily, so the failure shows when configuring the connection.
        #expect(error?.code == .notADatabase)
        #expect(error?.message == "file is not a database")
    }

    @Test func defaultsAreWALNormalForeignKeysAndFiveSecondBusyTimeout() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            #expect(try scalar("PRAGMA journal_mode", in: db) == .text("wal"))
            #expect(try scalar("PRAGMA synchronous", in: db) == .integer(1))  // NORMAL
            #expect(try scalar("PRAGMA foreign_keys", in: db) == .integer(1))
            #expect(try scalar("PRAGMA busy_timeout", in: db) == .integer(5000))
        }
    }

    @Test func synchronousFullAndBusyTimeoutAreApplied() throws {
        try withDatabase(at: temporaryDirectory().path(), synchronous: .full, busyTimeoutMilliseconds: 1234) { db throws in
            #expect(try scalar("PRAGMA journal_mode", in: db) == .text("wal"))
            #expect(try scalar("PRAGMA synchronous", in: db) == .integer(2))  // FULL
            #expect(try scalar("PRAGMA busy_timeout", in: db) == .integer(1234))
        }
    }

    @Test func aNegativeBusyTimeoutIsRefused() throws {
        let path = try temporaryDirectory().path()
        let error = #expect(throws: StorageError.self) {
            _ = try Database(configuration: StorageConfiguration(path: path, busyTimeoutMilliseconds: -1))
        }
        guard case .configuration(let failedPath, _)? = error else {
            Issue.record("expected a configuration error, got \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
    }

    @Test func aTransactionThatThrowsLeavesNothing() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE t(k TEXT PRIMARY KEY)")
            let error = #expect(throws: StorageError.self) {
                try db.transaction { db throws(StorageError) in
                    try db.execute("INSERT INTO t VALUES ('a'), ('b')")
                    #expect(db.isInTransaction)
                    throw StorageError.rejected("stop here")
                }
            }
            #expect(error == .rejected("stop here"))
            #expect(!db.isInTransaction)
            #expect(try scalar("SELECT count(*) FROM t", in: db) == .integer(0))

            // The connection is usable again and a transaction that returns commits.
            let count = try db.transaction { db throws(StorageError) in
                try db.execute("INSERT INTO t VALUES ('c')")
                return db.changes
            }
            #expect(count == 1)
            #expect(try scalar("SELECT group_concat(k) FROM t", in: db) == .text("c"))
        }
    }

    @Test func aConstraintViolationInATransactionRollsBackEverything() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
            let error = #expect(throws: StorageError.self) {
                try db.transaction { db throws(StorageError) in
                    try db.execute("INSERT INTO t VALUES ('a', 1)")
                    let insert = try db.prepare("INSERT INTO t VALUES (?, ?)")
                    try insert.bind("a", at: 1)
                    try insert.bind(2, at: 2)
                    try insert.step()
                }
            }
            guard case .constraint(let sql, let code, let message)? = error else {
                Issue.record("expected a constraint error, got \(String(describing: error))")
                return
            }
            #expect(sql == "INSERT INTO t VALUES (?, ?)")
            #expect(code == .constraintPrimaryKey)
            #expect(code.primary == .constraint)
            #expect(message == "UNIQUE constraint failed: t.k")
            #expect(try scalar("SELECT count(*) FROM t", in: db) == .integer(0))
        }
    }

    @Test func constraintCodesAreExtendedAndMatchTheirFamily() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE t(k TEXT UNIQUE, v INTEGER NOT NULL CHECK (v >= 0))")
            try db.execute("INSERT INTO t VALUES ('a', 1)")
            let cases: [(String, ResultCode, String)] = [
                ("INSERT INTO t VALUES ('a', 2)", .constraintUnique, "UNIQUE constraint failed: t.k"),
                ("INSERT INTO t VALUES ('b', NULL)", .constraintNotNull, "NOT NULL constraint failed: t.v"),
                ("INSERT INTO t VALUES ('c', -1)", .constraintCheck, "CHECK constraint failed: v >= 0"),
            ]
            for (sql, expectedCode, expectedMessage) in cases {
                let error = #expect(throws: StorageError.self) { try db.execute(sql) }
                #expect(error == .constraint(sql: sql, code: expectedCode, message: expectedMessage))
                #expect(ResultCode.constraint ~= error?.code)
                #expect(!(ResultCode.constraintForeignKey ~= error?.code))
            }
        }
    }

    @Test func executeRunsAScriptAndNamesTheStatementThatFails() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute(
                """
                CREATE TABLE a(x INTEGER);  -- first
                INSERT INTO a VALUES (1), (2);
                SELECT * FROM a;            -- rows are discarded
                """)
            #expect(try scalar("SELECT sum(x) FROM a", in: db) == .integer(3))

            let error = #expect(throws: StorageError.self) {
                try db.execute("INSERT INTO a VALUES (3); INSERT INTO missing VALUES (4); INSERT INTO a VALUES (5);")
            }
            guard case .prepare(let sql, _, let message)? = error else {
                Issue.record("expected a prepare error, got \(String(describing: error))")
                return
            }
            #expect(sql.hasPrefix(" INSERT INTO missing"))
            #expect(message == "no such table: missing")
            // Without a transaction, the statement before the failure has run and the one after has not.
            #expect(try scalar("SELECT group_concat(x) FROM a", in: db) == .text("1,2,3"))
        }
    }

    @Test func userVersionIsReadAndWritten() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            #expect(try db.userVersion == 0)
            try db.setUserVersion(7)
            #expect(try db.userVersion == 7)
            #expect(throws: StorageError.self) { try db.setUserVersion(Int(Int32.max) + 1) }
            #expect(try db.userVersion == 7)
        }
    }

    @Test func lastInsertRowIDAndChangesFollowTheLastStatement() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)")
            try db.execute("INSERT INTO t(v) VALUES (10), (20), (30)")
            #expect(db.lastInsertRowID == 3)
            #expect(db.changes == 3)
            try db.execute("UPDATE t SET v = v + 1 WHERE v > 10")
            #expect(db.changes == 2)
        }
    }

    @Test func aClosedDatabaseRefusesWorkAndClosesOnce() throws {
        let path = try temporaryDirectory().path()
        let db = try Database(path: path)
        #expect(db.isOpen)
        db.close()
        db.close()
        #expect(!db.isOpen)
        #expect(throws: StorageError.closed(path: path)) { try db.execute("SELECT 1") }
        #expect(throws: StorageError.closed(path: path)) { _ = try db.prepare("SELECT 1") }
    }

    @Test func dataWrittenInWALModeIsThereAfterReopening() throws {
        let path = try temporaryDirectory().path()
        try withDatabase(at: path) { db throws in
            try db.execute("CREATE TABLE t(s TEXT); INSERT INTO t VALUES ('巫山县');")
        }
        try withDatabase(at: path) { db throws in
            #expect(try scalar("SELECT s FROM t", in: db) == .text("巫山县"))
        }
    }
}
