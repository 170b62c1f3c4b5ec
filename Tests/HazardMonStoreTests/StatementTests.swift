// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonStore
import Testing

@Suite(.temporaryDirectory)
struct StatementTests {
    @Test func everyStorageClassRoundTrips() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n ANY) STRICT")
            let text = "四川省凉山彝族自治州 滑坡隐患点 🏔 ①\u{0}尾"
            let blob = Data([0x00, 0xFF, 0x10, 0x00, 0x7F])
            let insert = try db.prepare("INSERT INTO t(i, r, s, b, n) VALUES (?, ?, ?, ?, ?)")
            try insert.bind(Int64.min, at: 1)
            try insert.bind(-0.125, at: 2)
            try insert.bind(text, at: 3)
            try insert.bind(blob, at: 4)
            try insert.bindNull(at: 5)
            #expect(try insert.step() == false)
            #expect(db.changes == 1)
            #expect(db.lastInsertRowID == 1)

            let select = try db.prepare("SELECT i, r, s, b, n FROM t")
            #expect(select.columnCount == 5)
            #expect(select.columnName(at: 2) == "s")
            #expect(try select.step() == true)
            #expect(select.int64(at: 0) == Int64.min)
            #expect(select.double(at: 1) == -0.125)
            #expect(select.string(at: 2) == text)
            #expect(select.string(at: 2).unicodeScalars.contains("\u{0}"))
            #expect(select.data(at: 3) == blob)
            #expect(select.isNull(at: 4) == true)
            #expect(select.isNull(at: 0) == false)
            #expect(select.value(at: 0) == .integer(Int64.min))
            #expect(select.value(at: 1) == .real(-0.125))
            #expect(select.value(at: 2) == .text(text))
            #expect(select.value(at: 3) == .blob(blob))
            #expect(select.value(at: 4) == .null)
            #expect(try select.step() == false)
        }
    }

    @Test func nullsReadAsNilThroughOptionalReaders() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB)")
            let insert = try db.prepare("INSERT INTO t VALUES (?, ?, ?, ?)")
            try insert.bind(Int?.none, at: 1)
            try insert.bind(Double?.none, at: 2)
            try insert.bind(String?.none, at: 3)
            try insert.bind(Data?.none, at: 4)
            try insert.step()

            let select = try db.prepare("SELECT i, r, s, b FROM t")
            #expect(try select.step() == true)
            for column in Int32(0)..<4 {
                #expect(select.isNull(at: column) == true)
            }
            #expect(select.optionalInt64(at: 0) == nil)
            #expect(select.optionalInt(at: 0) == nil)
            #expect(select.optionalDouble(at: 1) == nil)
            #expect(select.optionalString(at: 2) == nil)
            #expect(select.optionalData(at: 3) == nil)
            // The non-optional readers apply SQLite's conversions.
            #expect(select.int64(at: 0) == 0)
            #expect(select.string(at: 2) == "")
        }
    }

    @Test func emptyTextAndEmptyBlobAreNotNull() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE t(s TEXT, b BLOB)")
            let insert = try db.prepare("INSERT INTO t VALUES (?, ?)")
            try insert.bind("", at: 1)
            try insert.bind(Data(), at: 2)
            try insert.step()

            let select = try db.prepare("SELECT s, b, typeof(s), typeof(b) FROM t")
            #expect(try select.step() == true)
            #expect(select.optionalString(at: 0) == "")
            #expect(select.optionalData(at: 1) == Data())
            #expect(select.string(at: 2) == "text")
            #expect(select.string(at: 3) == "blob")
        }
    }

    @Test func bindsAListOfValuesInOrder() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            let select = try db.prepare("SELECT ?1, ?2, ?3, ?4, ?5")
            #expect(select.parameterCount == 5)
            let values: [SQLiteValue] = [.integer(42), .real(2.5), .text("泥石流"), .blob(Data([1, 2])), .null]
            try select.bind(values)
            #expect(try select.step() == true)
            #expect((0..<5).map { select.value(at: Int32($0)) } == values)
        }
    }

    @Test func oneStatementReusedInAHotLoop() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE readings(channel INTEGER, ts INTEGER, value REAL, PRIMARY KEY(channel, ts)) WITHOUT ROWID")
            try db.transaction { db throws(StorageError) in
                let insert = try db.prepare("INSERT INTO readings(channel, ts, value) VALUES (?, ?, ?)")
                for row in 0..<1_000 {
                    try insert.bind(row % 10, at: 1)
                    try insert.bind(Int64(row), at: 2)
                    try insert.bind(Double(row) / 4, at: 3)
                    try insert.step()
                    insert.reset()
                }
            }
            let summary = try db.prepare("SELECT count(*), sum(value), count(DISTINCT channel) FROM readings")
            #expect(try summary.step() == true)
            #expect(summary.int(at: 0) == 1_000)
            #expect(summary.double(at: 1) == Double((0..<1_000).reduce(0, +)) / 4)
            #expect(summary.int(at: 2) == 10)

            // The same query object, re-bound and reset, answers different questions.
            let lookup = try db.prepare("SELECT value FROM readings WHERE channel = ? AND ts = ?")
            for ts in [3, 13, 999] {
                try lookup.bind(ts % 10, at: 1)
                try lookup.bind(ts, at: 2)
                #expect(try lookup.step() == true)
                #expect(lookup.double(at: 0) == Double(ts) / 4)
                lookup.reset()
            }
            // clearBindings sets every parameter back to NULL, which matches nothing.
            lookup.clearBindings()
            #expect(try lookup.step() == false)
        }
    }

    @Test func fetchAllReadsEveryRow() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            try db.execute("CREATE TABLE v(code TEXT, name TEXT); INSERT INTO v VALUES ('b', '二村'), ('a', '一村');")
            let rows = try db.prepare("SELECT code, name FROM v ORDER BY code").fetchAll { row in
                "\(row.string(at: 0))=\(row.string(at: 1))"
            }
            #expect(rows == ["a=一村", "b=二村"])
        }
    }

    @Test func bindingOutsideTheParameterRangeThrows() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            let select = try db.prepare("SELECT ?")
            let error = #expect(throws: StorageError.self) {
                try select.bind(1, at: 2)
            }
            #expect(error == .bind(sql: "SELECT ?", index: 2, code: .range, message: "column index out of range"))
        }
    }

    @Test func aSyntaxErrorCarriesSQLitesMessage() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            let error = #expect(throws: StorageError.self) {
                _ = try db.prepare("SELEC 1")
            }
            guard case .prepare(let sql, let code, let message)? = error else {
                Issue.record("expected a prepare error, got \(String(describing: error))")
                return
            }
            #expect(sql == "SELEC 1")
            #expect(code == .error)
            #expect(message == #"near "SELEC": syntax error"#)
            #expect(error?.description.contains("SELEC 1") == true)
        }
    }

    @Test func prepareRefusesASecondStatementButAllowsTrailingComments() throws {
        try withDatabase(at: temporaryDirectory().path()) { db throws in
            let error = #expect(throws: StorageError.self) {
                _ = try db.prepare("SELECT 1; SELECT 2")
            }
            #expect(error?.code == .misuse)
            #expect(error?.message.contains("SELECT 2") == true)

            let statement = try db.prepare("SELECT 7; -- the answer\n ;")
            #expect(try statement.step() == true)
            #expect(statement.int(at: 0) == 7)

            #expect(throws: StorageError.self) { _ = try db.prepare("  -- nothing here") }
        }
    }

    @Test func aStatementRefusesToRunOnceItsConnectionIsClosed() throws {
        let path = try temporaryDirectory().path()
        let db = try Database(path: path)
        let statement = try db.prepare("SELECT 1")
        db.close()
        #expect(throws: StorageError.closed(path: path)) { try statement.step() }
    }
}
