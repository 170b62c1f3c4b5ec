// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonServer
import HazardMonStore
import Logging
import Testing

/// The built `hazardmon` run as a process, in a folder of the test's choice.
struct HazardmonRun {
    var status: Int32
    var out: String
    var err: String

    var errLines: [String] { self.err.split(separator: "\n").map(String.init) }

    /// Runs `hazardmon arguments` in `folder` (the test process's folder when nil) with `environment`
    /// added to this process's (a nil value removes a variable); `stdin` is fed to it. With `stderrFile`,
    /// stderr goes to that file (so that `JOURNAL_STREAM` can name it) and is read back afterwards.
    static func run(
        _ arguments: [String], in folder: URL? = nil, environment: [String: String?] = [:], stdin: String? = nil,
        stderrFile: URL? = nil, timeout: Duration = .seconds(60)
    ) throws -> HazardmonRun {
        let process = Process()
        process.executableURL = DaemonProcess.executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        var env = ProcessInfo.processInfo.environment
        env["JOURNAL_STREAM"] = nil  // the test runner may itself run under systemd
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        // stderr goes to a file, never a pipe: nothing to drain while stdout is read, and the file can be
        // named by JOURNAL_STREAM.
        let errFile =
            stderrFile ?? FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-stderr-\(UUID().uuidString)")
        if stderrFile == nil { _ = FileManager.default.createFile(atPath: errFile.path, contents: nil) }
        defer { if stderrFile == nil { try? FileManager.default.removeItem(at: errFile) } }
        let errHandle = try FileHandle(forWritingTo: errFile)
        defer { try? errHandle.close() }
        process.standardError = errHandle
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            throw TestFailure("hazardmon \(arguments.joined(separator: " ")) did not end within \(timeout)")
        }
        let errText = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        return HazardmonRun(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: errText)
    }
}

/// Whether this machine has the daemon's system configuration, which the defaults would then read.
private let noSystemConfiguration = !FileManager.default.fileExists(atPath: "/etc/hazardmon/hazardmon.yaml")

/// A folder with the test register in `sites/`, the rules in `thresholds/` and the tokens file; the
/// register imported into `hazardmon.sqlite` there by the command itself.
func withImportedFolder<T>(_ body: (URL, String) async throws -> T) async throws -> T {
    try await withTemporaryFolder { folder in
        try TestRegister.write(into: folder)
        let db = folder.appendingPathComponent("hazardmon.sqlite").path
        let imported = try HazardmonRun.run(["sites", "import", folder.appendingPathComponent("sites").path, "--db", db])
        try #require(imported.status == 0, "\(imported.err)")
        return try await body(folder, db)
    }
}

@Suite("command line")
struct CommandLineTests {
    @Test(
        "read commands in a folder without a database exit 66, name the database and create nothing",
        .enabled(if: noSystemConfiguration, "/etc/hazardmon/hazardmon.yaml exists: the commands would read its database"))
    func readCommandsNeverCreateTheDatabase() async throws {
        try await withTemporaryFolder { folder in
            let commands: [[String]] = [
                ["rules", "levels"], ["sites", "list"], ["sites", "show", "DZ500999-0001"], ["sites", "export", "--format", "csv"],
                ["rules", "backtest", "--from", "2026-07-19", "--to", "2026-07-20"],
            ]
            for command in commands {
                let result = try HazardmonRun.run(command, in: folder)
                #expect(result.status == 66, "\(command): \(result.err)")
                #expect(result.out.isEmpty)
                #expect(
                    result.err.contains(
                        "no database at var/hazardmon.sqlite (import a register first: hazardmon sites import sites)"),
                    "\(command): \(result.err)")
                #expect(result.err.contains("database var/hazardmon.sqlite (the default; no --db, no --config"), "\(command)")
                #expect(!result.err.contains("USAGE"), "\(command)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        }
    }

    @Test("a missing --db file is never created, and the message says how to import into it")
    func missingDatabaseFile() async throws {
        try await withTemporaryFolder { folder in
            let db = folder.appendingPathComponent("nowhere/county.sqlite").path
            let result = try HazardmonRun.run(["rules", "levels", "--db", db])
            #expect(result.status == 66)
            #expect(result.err.contains("no database at \(db) (import a register first: hazardmon sites import --db \(db))"))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("nowhere").path))
        }
    }

    @Test("a file that is not a HazardMon database is a data error (65) naming it, and is left as it was")
    func notADatabase() async throws {
        try await withTemporaryFolder { folder in
            let file = folder.appendingPathComponent("notes.sqlite")
            try Data("not sqlite\n".utf8).write(to: file)
            let result = try HazardmonRun.run(["sites", "list", "--db", file.path])
            #expect(result.status == 65)
            #expect(result.err.contains("cannot read \(file.path) as a HazardMon database: "))
            #expect(result.err.contains("file is not a database"))
            #expect(try Data(contentsOf: file) == Data("not sqlite\n".utf8))
        }
    }

    @Test("a file error says which file and folder, never NSCocoaErrorDomain")
    func fileErrors() async throws {
        try await withImportedFolder { folder, db in
            let out = folder.appendingPathComponent("exports/county.csv").path
            let result = try HazardmonRun.run(["sites", "export", "--format", "csv", "--out", out, "--db", db])
            #expect(result.status == 74)
            #expect(result.err.contains("\(out): the folder \(folder.appendingPathComponent("exports").path) does not exist"))
            #expect(!result.err.contains("NSCocoaErrorDomain"))
        }
    }

    @Test("--config chooses the database and the folders, relative to the file's folder; --db overrides it")
    func configurationChoosesDatabase() async throws {
        try await withTemporaryFolder { folder in
            let etc = folder.appendingPathComponent("etc")
            try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
            try TestRegister.write(into: etc)
            try FileManager.default.createDirectory(at: etc.appendingPathComponent("data"), withIntermediateDirectories: true)
            let config = etc.appendingPathComponent("hazardmon.yaml")
            try Data("database: data/county.sqlite\nsites: sites\nthresholds: thresholds\n".utf8).write(to: config)
            let elsewhere = folder.appendingPathComponent("elsewhere")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            let expected = etc.appendingPathComponent("data/county.sqlite").path

            let imported = try HazardmonRun.run(["sites", "import", "--config", config.path], in: elsewhere)
            #expect(imported.status == 0, "\(imported.err)")
            #expect(imported.err.contains("database \(expected) (from \(config.path))"))
            #expect(FileManager.default.fileExists(atPath: expected))

            let listed = try HazardmonRun.run(["sites", "list", "--config", config.path], in: elsewhere)
            #expect(listed.status == 0, "\(listed.err)")
            #expect(listed.out.contains("G001") && listed.out.contains("F001"))
            #expect(listed.err.contains("database \(expected) (from \(config.path))"))

            let checked = try HazardmonRun.run(["rules", "check", "--config", config.path], in: elsewhere)
            #expect(checked.status == 0, "\(checked.err)")
            #expect(checked.out.hasPrefix(etc.appendingPathComponent("thresholds").path + ": 2 rules"))

            let other = folder.appendingPathComponent("other.sqlite").path
            let overridden = try HazardmonRun.run(["rules", "levels", "--config", config.path, "--db", other], in: elsewhere)
            #expect(overridden.status == 66)
            #expect(overridden.err.contains("database \(other) (from --db); config \(config.path)"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        }
    }

    @Test("a configuration file with problems is EX_CONFIG (78) with file:line: key: reason; a missing one too")
    func badConfiguration() async throws {
        try await withTemporaryFolder { folder in
            let config = folder.appendingPathComponent("hazardmon.yaml")
            try Data("database: x.sqlite\nretention_days: many\n".utf8).write(to: config)
            let result = try HazardmonRun.run(["sites", "list", "--config", config.path])
            #expect(result.status == 78)
            #expect(result.err.contains("\(config.path):2: retention_days: 'many' must be a whole number in 1...36500"))
            #expect(!result.err.contains("USAGE"))
            let missing = try HazardmonRun.run(["rules", "check", "--config", folder.appendingPathComponent("none.yaml").path])
            #expect(missing.status == 78)
            #expect(missing.err.contains("no configuration file at \(folder.appendingPathComponent("none.yaml").path)"))
            let serve = try HazardmonRun.run(["serve", "--config", config.path])
            #expect(serve.status == 78)
            #expect(serve.err.contains("retention_days: 'many'"))
        }
    }

    @Test("missing register and rule folders are EX_NOINPUT (66), naming the folder and where its path came from")
    func missingFolders() async throws {
        try await withTemporaryFolder { folder in
            let nowhere = folder.appendingPathComponent("nowhere").path
            let imported = try HazardmonRun.run(["sites", "import", nowhere, "--db", folder.appendingPathComponent("x.sqlite").path])
            #expect(imported.status == 66)
            #expect(imported.err.contains("no register folder at \(nowhere) (from DIR)"))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.sqlite").path))

            try TestRegister.write(into: folder)
            let config = folder.appendingPathComponent("hazardmon.yaml")
            try Data("thresholds: rules-2027\n".utf8).write(to: config)
            let checked = try HazardmonRun.run(["rules", "check", "--config", config.path])
            #expect(checked.status == 66)
            #expect(
                checked.err.contains(
                    "no rules folder at \(folder.appendingPathComponent("rules-2027").path) (from \(config.path))"),
                "\(checked.err)")
            #expect(!checked.err.contains("NSCocoaErrorDomain"))
        }
    }

    @Test("sites show: codes ignore case; an unknown one is a data error (65) without the usage banner")
    func showSite() async throws {
        try await withImportedFolder { _, db in
            let shown = try HazardmonRun.run(["sites", "show", "f001", "--db", db])
            #expect(shown.status == 0, "\(shown.err)")
            #expect(shown.out.contains("F001"))
            let unknown = try HazardmonRun.run(["sites", "show", "dz500999-0001", "--db", db])
            #expect(unknown.status == 65)
            #expect(unknown.err.contains("no site DZ500999-0001 in \(db) (2 sites; list them: hazardmon sites list --db \(db))"))
            #expect(!unknown.err.contains("USAGE"))
        }
    }

    @Test("sites list: an unknown township or village names the known ones; no match says so; --near shows distances")
    func listFilters() async throws {
        try await withImportedFolder { _, db in
            let township = try HazardmonRun.run(["sites", "list", "--township", "青岩乡", "--db", db])
            #expect(township.status == 65)
            #expect(township.err.contains("no township '青岩乡' in the register; known townships: 青岩镇, 龙潭乡"))
            let village = try HazardmonRun.run(["sites", "list", "--village", "500999001999", "--db", db])
            #expect(village.status == 65)
            #expect(
                village.err.contains(
                    "no village with code '500999001999' in the register; known villages: 500999001001 青岩村 (青岩镇), 500999002001 龙潭村 (龙潭乡)"))
            let none = try HazardmonRun.run(["sites", "list", "--township", "青岩镇", "--kind", "flash_flood", "--db", db])
            #expect(none.status == 0)
            #expect(none.out.hasSuffix("0 sites\n"))
            #expect(none.err.contains("no site matches; known townships: 青岩镇, 龙潭乡; villages of 青岩镇: 500999001001 青岩村 (青岩镇)"))

            let near = try HazardmonRun.run(["sites", "list", "--near", "108.05,30.11", "--within", "20km", "--db", db])
            #expect(near.status == 0, "\(near.err)")
            let lines = near.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("distance") == true)
            // F001 sits on the centre; G001 (108.123456, 30.123456) is about 7.2 km away.
            #expect(lines.count == 4)
            #expect(lines[1].hasPrefix("F001") && lines[1].contains(" 0 m "))
            #expect(lines[2].hasPrefix("G001") && lines[2].range(of: #" 7\.\d\d km "#, options: .regularExpression) != nil, "\(lines[2])")
            #expect(lines[3] == "2 sites within 20km of 108.05,30.11")
        }
    }

    @Test(
        "backtest dates are validated, not rolled over; the error names the accepted forms",
        arguments: [
            ("2026-13-01", "--from '2026-13-01': month 13 does not exist"),
            ("2026-02-30", "--from '2026-02-30': February 2026 has 28 days, there is no day 30"),
            ("2026-00-10", "--from '2026-00-10': month 0 does not exist"),
            ("yesterday", "--from 'yesterday': not a date or time"),
            ("2026-07-19T25:00:00+08:00", "--from '2026-07-19T25:00:00+08:00': not a valid RFC 3339 time"),
            ("2026-7-19", "--from '2026-7-19': not a date or time"),
        ])
    func backtestDates(text: String, message: String) async throws {
        try await withImportedFolder { _, db in
            let result = try HazardmonRun.run(["rules", "backtest", "--from", text, "--to", "2026-08-01", "--db", db])
            #expect(result.status == 64)
            #expect(result.err.contains(message), "\(result.err)")
            #expect(
                result.err.contains(
                    "accepted: YYYY-MM-DD (midnight in the county's time zone) or RFC 3339 (2026-07-19T08:00:00+08:00)"))
            #expect(!result.err.contains("USAGE"))
        }
    }

    @Test("backtest with --from after --to is a data error (65) without the usage banner; times carry their zone")
    func backtestEmptyRange() async throws {
        try await withImportedFolder { folder, db in
            let result = try HazardmonRun.run(
                ["rules", "backtest", "--from", "2026-07-22", "--to", "2026-07-19", "--db", db], in: folder)
            #expect(result.status == 65)
            #expect(
                result.err.contains("--from 2026-07-22 00:00:00 +08:00 is not before --to 2026-07-19 00:00:00 +08:00: nothing to replay"),
                "\(result.err)")
            #expect(!result.err.contains("USAGE"))
            let ok = try HazardmonRun.run(["rules", "backtest", "--from", "2026-02-28", "--to", "2026-03-01", "--db", db], in: folder)
            #expect(ok.status == 0, "\(ok.err)")
            #expect(ok.out.hasPrefix("backtest 2026-02-28 00:00:00 +08:00 .. 2026-03-01 00:00:00 +08:00 (Asia/Shanghai): 0 readings"))
        }
    }

    @Test("--version prints the one version constant")
    func version() throws {
        let result = try HazardmonRun.run(["--version"])
        #expect(result.status == 0)
        #expect(result.out == HazardMonVersion.current + "\n")
    }

    @Test("help wraps prose but keeps every example line whole at 80 columns")
    func helpKeepsExamples() throws {
        let serve = try HazardmonRun.run(["serve", "--help"], environment: ["COLUMNS": "80"])
        #expect(serve.status == 0)
        #expect(serve.out.contains("\n  curl -H 'Authorization: Bearer hazardmon-sample-county-demo-token' \\\n"))
        #expect(serve.out.contains("\n    http://127.0.0.1:8080/v1/readings\n"))
        #expect(serve.out.contains("SIGHUP reloads three things: the site register (the sites folder),"))
        // Nothing in a command's discussion is wrapped at 80 columns: at 80 and at 300 it is the same
        // text, so no example is ever split. (The USAGE synopsis is ArgumentParser's, one line at any width.)
        func discussion(_ arguments: [String], columns: Int) throws -> String {
            let help = try HazardmonRun.run(arguments + ["--help"], environment: ["COLUMNS": "\(columns)"])
            #expect(help.status == 0)
            guard let start = help.out.range(of: "\n\n"), let end = help.out.range(of: "\nUSAGE:"), start.upperBound <= end.lowerBound
            else { return "" }
            return String(help.out[start.upperBound..<end.lowerBound])
        }
        let commands: [[String]] = [
            [], ["serve"], ["sites", "import"], ["sites", "list"], ["sites", "show"], ["sites", "export"], ["rules", "check"],
            ["rules", "backtest"], ["rules", "levels"], ["tokens", "new"], ["tokens", "hash"], ["geo", "transform"],
            ["bench", "proj"], ["bench", "rules"],
        ]
        for command in commands {
            #expect(try discussion(command, columns: 80) == discussion(command, columns: 300), "hazardmon \(command) --help")
        }
        #expect(try discussion(["rules", "backtest"], columns: 80).contains("\n  hazardmon rules backtest --from 2026-07-19 --to 2026-07-22\n"))
        let geo = try HazardmonRun.run(["geo", "transform", "--help"], environment: ["COLUMNS": "80"])
        #expect(geo.out.contains("\n  echo \"108.2 30.5\" | hazardmon geo transform --from EPSG:4490 --to EPSG:4524\n"))
        #expect(geo.out.contains("\n    hazardmon geo transform --from EPSG:4524 --to EPSG:4490 --survey\n"))
    }

    @Test("under the journal (JOURNAL_STREAM names stderr) lines carry <N> priorities; on a pipe they are plain")
    func journalPrefix() async throws {
        try await withTemporaryFolder { folder in
            let db = folder.appendingPathComponent("none.sqlite").path
            let log = folder.appendingPathComponent("stderr.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            var status = stat()
            try #require(stat(log.path, &status) == 0)
            let stream = "\(UInt64(status.st_dev)):\(UInt64(status.st_ino))"
            let journal = try HazardmonRun.run(["rules", "levels", "--db", db], environment: ["JOURNAL_STREAM": stream], stderrFile: log)
            #expect(journal.status == 66)
            #expect(journal.errLines.first == "<6>hazardmon: database \(db) (from --db)")

            let plain = try HazardmonRun.run(["rules", "levels", "--db", db])
            #expect(plain.errLines.first?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info hazardmon: database "#, options: .regularExpression) != nil, "\(plain.err)")
            // A JOURNAL_STREAM inherited by a process whose stderr is elsewhere does not count.
            let inherited = try HazardmonRun.run(["rules", "levels", "--db", db], environment: ["JOURNAL_STREAM": stream])
            #expect(inherited.errLines.first?.hasPrefix("<") == false)
            #expect(inherited.errLines.first?.contains("Z info hazardmon: database") == true)
        }
    }

    @Test("a tokens file the daemon cannot use: one <2> line per problem, the YAML excerpt folded into it, exit 78")
    func multiLineProblemsAreOneLine() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            try Data("tokens:\n  - name: a\n    sha256: [unclosed\n".utf8).write(to: folder.appendingPathComponent("tokens.yaml"))
            let config = folder.appendingPathComponent("hazardmon.yaml")
            try Data("listen: 127.0.0.1:0\ndatabase: hazardmon.sqlite\nsites: sites\ntokens: tokens.yaml\n".utf8).write(to: config)
            let log = folder.appendingPathComponent("stderr.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let descriptor = open(log.path, O_RDONLY)
            defer { close(descriptor) }
            let stream = try #require(JournalLogHandler.streamIdentity(of: descriptor))
            let result = try HazardmonRun.run(["serve", "--config", config.path], environment: ["JOURNAL_STREAM": stream], stderrFile: log)
            #expect(result.status == 78, "\(result.err)")
            #expect(!result.errLines.isEmpty)
            for line in result.errLines {
                #expect(line.range(of: #"^<[2-7]>hazardmon: "#, options: .regularExpression) != nil, "\(line)")
            }
            let problem = try #require(result.errLines.first { $0.hasPrefix("<2>hazardmon: cannot start: configuration or tokens file") })
            #expect(problem.contains("tokens.yaml: not valid YAML"))
            #expect(problem.contains("\\n"))
        }
    }

    @Test("tokens new --file creates the file (header, 0640), appends, refuses a duplicate name; without it prints a snippet")
    func tokensFile() async throws {
        try await withTemporaryFolder { folder in
            let file = folder.appendingPathComponent("tokens.yaml")
            let first = try HazardmonRun.run(["tokens", "new", "--name", "station-7", "--devices", "10000003", "--file", file.path])
            #expect(first.status == 0, "\(first.err)")
            let token = try #require(first.out.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
            #expect(first.out.contains("created \(file.path): token 'station-7'"))
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.hasPrefix("# HazardMon device tokens"))
            #expect(text.contains("\ntokens:\n  - name: station-7\n"))
            #expect(!text.contains(token))  // only the hash is stored
            let table = try TokenTable.load(path: file.path)
            #expect(table.grant(forToken: token)?.name == "station-7")

            let second = try HazardmonRun.run(["tokens", "new", "--name", "gateway", "--all-devices", "--file", file.path])
            #expect(second.status == 0, "\(second.err)")
            #expect(second.out.contains("added to \(file.path): token 'gateway'"))
            #expect(try TokenTable.load(path: file.path).count == 2)

            let before = try Data(contentsOf: file)
            let duplicate = try HazardmonRun.run(["tokens", "new", "--name", "gateway", "--sites", "F001", "--file", file.path])
            #expect(duplicate.status == 65)
            #expect(duplicate.err.contains("\(file.path) already has a token named 'gateway'; nothing was added"))
            #expect(duplicate.out.isEmpty)  // no token is shown that was never stored
            #expect(try Data(contentsOf: file) == before)

            try Data("tokens: [\n".utf8).write(to: folder.appendingPathComponent("broken.yaml"))
            let broken = try HazardmonRun.run(
                ["tokens", "new", "--name", "x", "--all-devices", "--file", folder.appendingPathComponent("broken.yaml").path])
            #expect(broken.status == 78)
            #expect(broken.err.contains("the tokens file has problems; nothing was added"))

            let snippet = try HazardmonRun.run(["tokens", "new", "--name", "station-8", "--sites", "F001,G001"])
            #expect(snippet.status == 0)
            #expect(snippet.out.contains("(a new file needs the 'tokens:' header line first):\ntokens:\n  - name: station-8\n"))
            #expect(snippet.out.contains("    sites: [\"F001\", \"G001\"]\n"))
        }
    }

    @Test("tokens: a name outside the safe alphabet is a usage error; hash without a token on stdin is EX_NOINPUT")
    func tokensBadInput() async throws {
        try await withTemporaryFolder { folder in
            let file = folder.appendingPathComponent("tokens.yaml")
            let bad = try HazardmonRun.run(["tokens", "new", "--name", "a: b", "--all-devices", "--file", file.path])
            #expect(bad.status == 64)
            #expect(bad.err.contains("--name 'a: b': use letters, digits and - _ . @ only (e.g. station-7)"))
            #expect(!FileManager.default.fileExists(atPath: file.path))
            let nothing = try HazardmonRun.run(["tokens", "new", "--name", "x"])
            #expect(nothing.status == 64)
            #expect(nothing.err.contains("say what the token may write: --devices, --sites or --all-devices"))
            let hash = try HazardmonRun.run(["tokens", "hash"], stdin: "")
            #expect(hash.status == 66)
            #expect(hash.err.contains("no token on stdin"))
            let hashed = try HazardmonRun.run(["tokens", "hash"], stdin: "county-gateway-token\n")
            #expect(hashed.out == TokenTable.hash(token: "county-gateway-token") + "\n")
        }
    }

    @Test("a database of another schema version is refused by read commands (65), not migrated")
    func otherSchemaVersion() async throws {
        try await withImportedFolder { _, db in
            let database = try Database(path: db)
            let current = try database.userVersion
            try database.setUserVersion(current + 1)
            database.close()
            let result = try HazardmonRun.run(["rules", "levels", "--db", db])
            #expect(result.status == 65)
            #expect(result.err.contains("has schema version \(current + 1), this build reads \(current)"), "\(result.err)")
        }
    }

    @Test("serve on a taken address exits 78 (EX_CONFIG: the message names the listen key) with one critical line")
    func addressTaken() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let daemon = try await DaemonProcess(folder: folder)
            defer { if daemon.process.isRunning { daemon.process.terminate() } }
            let second = folder.appendingPathComponent("second")
            try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
            try TestRegister.write(into: second)
            let config = second.appendingPathComponent("hazardmon.yaml")
            try Data("listen: 127.0.0.1:\(daemon.port)\ndatabase: hazardmon.sqlite\nsites: sites\ntokens: tokens.yaml\n".utf8).write(to: config)
            let result = try HazardmonRun.run(["serve", "--config", config.path], timeout: .seconds(30))
            #expect(result.status == 78, "\(result.err)")
            #expect(result.errLines.filter { $0.contains(" critical hazardmon: cannot start") }.count == 1, "\(result.err)")
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(10)) == 0)
        }
    }

    @Test("rules levels lists transitions in the order recorded, a late one after the one it followed, with zone")
    func levelsWithLateReading() async throws {
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let now = Date()
            func iso(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
            try await withDaemon(in: folder) { client, _ async throws in
                // 1.6 m now: none -> blue. Then 2.1 m ten minutes earlier, arriving late: blue -> yellow.
                #expect(try await client.post([("10000003", "L3_DB_1", iso(now), 1.6)]).statuses == ["accepted"])
                #expect(try await client.post([("10000003", "L3_DB_1", iso(now.addingTimeInterval(-600)), 2.1)]).statuses == ["accepted"])
            }
            let db = folder.appendingPathComponent("hazardmon.sqlite").path
            let before = try Data(contentsOf: URL(fileURLWithPath: db))
            let levels = try HazardmonRun.run(["rules", "levels", "--db", db])
            #expect(levels.status == 0, "\(levels.err)")
            let lines = levels.out.split(separator: "\n").map(String.init)
            let history = lines.filter { $0.contains("F001  ") && $0.contains(" -> ") }
            #expect(history.count == 2, "\(levels.out)")
            #expect(history.first?.contains("F001  none -> blue  raised  recorded ") == true, "\(levels.out)")
            #expect(history.last?.contains("F001  blue -> yellow  raised (late reading)  recorded ") == true, "\(levels.out)")
            #expect(lines.contains("latest transitions, in the order recorded (Asia/Shanghai):"))
            #expect(levels.out.contains("F001  yellow 警示级（黄色） since "))
            #expect(history.allSatisfy { $0.range(of: #"^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00  F001"#, options: .regularExpression) != nil })
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)  // read-only
        }
    }
}

@Suite("journal log handler")
struct JournalLogHandlerTests {
    @Test(
        "levels map to sd-daemon priorities",
        arguments: [
            (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ])
    func priorities(level: Logger.Level, priority: Int) {
        #expect(JournalLogHandler.priority(level) == priority)
    }

    @Test("an event is one line: line breaks in the message and metadata become \\n; values with spaces are quoted")
    func oneLine() {
        let journal = JournalLogHandler.line(
            level: .error, label: "hazardmon", message: "register rejected\nsecond line",
            metadata: ["problem": "a.csv:3: x: bad\n  ^", "folder": "sites"], style: .journal, time: Date(timeIntervalSince1970: 0))
        #expect(journal == #"<3>hazardmon: register rejected\nsecond line folder=sites problem="a.csv:3: x: bad\n  ^""#)
        let plain = JournalLogHandler.line(
            level: .warning, label: "hazardmon", message: "slow", metadata: [:], style: .plain,
            time: Date(timeIntervalSince1970: 1_796_000_000.5))
        #expect(plain == "2026-11-30T00:53:20.500Z warning hazardmon: slow")
    }

    @Test("JOURNAL_STREAM counts only when it names the descriptor's device and inode")
    func detection() throws {
        try withTemporaryFile { path in
            let descriptor = open(path, O_RDONLY)
            defer { close(descriptor) }
            let identity = try #require(JournalLogHandler.streamIdentity(of: descriptor))
            #expect(JournalLogHandler.detectStyle(environment: ["JOURNAL_STREAM": identity], descriptor: descriptor) == .journal)
            #expect(JournalLogHandler.detectStyle(environment: [:], descriptor: descriptor) == .plain)
            #expect(JournalLogHandler.detectStyle(environment: ["JOURNAL_STREAM": "1:2"], descriptor: descriptor) == .plain)
            #expect(JournalLogHandler.detectStyle(environment: ["JOURNAL_STREAM": "garbage"], descriptor: descriptor) == .plain)
        }
    }

    private func withTemporaryFile(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }
}
