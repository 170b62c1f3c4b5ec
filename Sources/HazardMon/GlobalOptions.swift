// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonRegistry
import HazardMonServer
import HazardMonStore
import Logging

/// `--log-level`: every command takes it.
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default: info).")
    var logLevel: Logger.Level?

    /// Sends swift-log to stderr at the chosen level: one line per event, with priority prefixes when
    /// stderr is the systemd journal (``JournalLogHandler``). Call once per process.
    func makeLogger(default level: Logger.Level = .info, label: String = "hazardmon") -> Logger {
        let chosen = self.logLevel ?? level
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: chosen) }
        return Logger(label: label)
    }
}

/// `--db`, `--config` and `--log-level`: every command that touches the database or the register and
/// rule folders takes them.
///
/// The database is `--db` if given; else the `database` of `--config`; else that of
/// `/etc/hazardmon/hazardmon.yaml` when that file exists; else `var/hazardmon.sqlite`, the checkout's
/// sample. The folders (`sites`, `thresholds`) come from the same configuration when the command's own
/// argument does not name them. Relative paths in a configuration file are relative to its folder.
struct GlobalOptions: ParsableArguments {
    /// The daemon's configuration file, read when neither `--config` nor `--db` is given and it exists.
    static let systemConfiguration = "/etc/hazardmon/hazardmon.yaml"

    @Option(name: .customLong("db"), help: "The SQLite database file (default: the configuration's database).")
    var database: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's configuration file, for the database and the folders.",
            discussion: "Default: /etc/hazardmon/hazardmon.yaml when it exists and no --db is given."))
    var config: String?

    @OptionGroup var log: LogOptions

    /// What a command works on, and where each choice came from.
    struct Setup {
        /// The configuration file read, if any.
        var configFile: String?
        /// Its settings with paths resolved, or the defaults.
        var configuration: ServerConfiguration
        /// The database file.
        var database: String
        /// Why this database: `--db`, the configuration file, or the default.
        var databaseSource: String
        /// The command's logger (stderr).
        var logger = Logger(label: "hazardmon")
    }

    /// Reads the configuration; a bad file ends the command with EX_CONFIG (78), naming the problems.
    func setup() throws -> Setup {
        let file = Self.configurationFile(explicit: self.config, database: self.database)
        let configuration = try Self.loadConfiguration(file)
        let source: String
        if self.database != nil {
            source = "from --db"
        } else if let file {
            source = "from \(file)"
        } else {
            source = "the default; no --db, no --config, no \(Self.systemConfiguration)"
        }
        return Setup(configFile: file, configuration: configuration, database: self.database ?? configuration.database, databaseSource: source)
    }

    /// `--config` if given; else the system file when it exists and no `--db` is given.
    static func configurationFile(explicit: String?, database: String?) -> String? {
        explicit ?? (database == nil && FileManager.default.fileExists(atPath: Self.systemConfiguration) ? Self.systemConfiguration : nil)
    }

    /// The file's settings with paths resolved, or the defaults without a file; a bad file is EX_CONFIG.
    static func loadConfiguration(_ file: String?) throws -> ServerConfiguration {
        guard let file else { return ServerConfiguration() }
        guard FileManager.default.fileExists(atPath: file) else {
            throw CommandFailure("no configuration file at \(file)", code: .config)
        }
        do {
            return try ServerConfiguration.load(path: file)
        } catch {
            throw CommandFailure(error.description, code: .config)
        }
    }

    /// Fails with EX_NOINPUT (66) when `folder` is missing or not a folder, naming where its path came from.
    static func requireFolder(_ folder: String, _ what: String, from source: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw CommandFailure("no \(what) folder at \(folder) (\(source))", code: .noInput)
        }
        guard isDirectory.boolValue else {
            throw CommandFailure("\(folder) is not a folder; expected the \(what) folder (\(source))", code: .noInput)
        }
    }

    /// Where a folder's path came from, for messages: the command's argument, a file, or the default.
    static func source(argument: String?, option: String, file: String?) -> String {
        if argument != nil { return "from \(option)" }
        if let file { return "from \(file)" }
        return "the default; no \(option), no --config"
    }

    /// Makes the logger, reads the configuration and says on stderr which database and configuration
    /// the command uses (one line).
    func start() throws -> Setup {
        let logger = self.log.makeLogger()
        var setup = try self.setup()
        setup.logger = logger
        var line = "database \(setup.database) (\(setup.databaseSource))"
        if let file = setup.configFile, self.database != nil { line += "; config \(file)" }
        logger.info("\(line)")
        return setup
    }

    /// Runs `body` with the database opened read-only: a missing file is EX_NOINPUT (66) and is never
    /// created; a file that is not this build's database is EX_DATAERR (65).
    func withReadStore<T>(_ setup: Setup, _ body: (Store) async throws -> T) async throws -> T {
        guard FileManager.default.fileExists(atPath: setup.database) else {
            throw CommandFailure(
                "no database at \(setup.database) (import a register first: hazardmon sites import\(self.importHint(setup)))",
                code: .noInput)
        }
        var storage = StorageConfiguration(path: setup.database)
        storage.readOnly = true
        let store: Store
        do {
            store = try Store(configuration: storage)
        } catch {
            throw CommandFailure("cannot read \(setup.database) as a HazardMon database: \(error)", code: .dataError)
        }
        return try await withStore(store, body)
    }

    /// Runs `body` with the database open for writing, creating the file and its folder when missing.
    func withWriteStore<T>(_ setup: Setup, _ body: (Store) async throws -> T) async throws -> T {
        do {
            try Daemon.createDatabaseFolder(for: setup.database)
        } catch {
            guard case .databaseFolder(let folder, let reason) = error else { throw error }
            throw CommandFailure("cannot create the database's folder \(folder): \(reason)", code: .ioError)
        }
        let store: Store
        do {
            store = try Store(configuration: StorageConfiguration(path: setup.database))
        } catch {
            throw CommandFailure("\(error)", code: .ioError)
        }
        return try await withStore(store, body)
    }

    /// What a `check` command reads: its folder (DIR, else the configuration's `key`) and the register
    /// (`--sites`, else the configuration's), announced in one line on stderr, each checked to exist (66),
    /// and the register loaded (65 with its problems).
    static func checkedFolders(
        _ what: String, directory: String?, key: KeyPath<ServerConfiguration, String>, sites: String?, config: String?,
        logger: Logger
    ) async throws -> (configuration: ServerConfiguration, folder: String, registry: Registry) {
        let file = Self.configurationFile(explicit: config, database: nil)
        let configuration = try Self.loadConfiguration(file)
        let folder = directory ?? configuration[keyPath: key]
        let sitesFolder = sites ?? configuration.sites
        let sitesSource = Self.source(argument: sites, option: "--sites", file: file)
        let folderSource = Self.source(argument: directory, option: "DIR", file: file)
        logger.info("\(what) folder \(folder) (\(folderSource)), register folder \(sitesFolder) (\(sitesSource))")
        try Self.requireFolder(sitesFolder, "register", from: sitesSource)
        try Self.requireFolder(folder, what, from: folderSource)
        do {
            return (configuration, folder, try await RegistryLoader.load(directory: sitesFolder))
        } catch {
            throw CommandFailure("\(error)", code: .dataError)
        }
    }

    /// The arguments that make `sites import` write where this command read.
    func importHint(_ setup: Setup) -> String {
        let same = self.sameDatabase(setup)
        return same.isEmpty ? " sites" : same
    }

    /// ` --db PATH` or ` --config FILE` as this command was given them (empty for the defaults), so that
    /// a suggested command reads the same database.
    func sameDatabase(_ setup: Setup) -> String {
        if self.database != nil { return " --db \(setup.database)" }
        if let file = setup.configFile { return " --config \(file)" }
        return ""
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The sysexits(3) codes the commands end with; README.md lists which command uses which.
enum ExitStatus: Int32 {
    /// EX_USAGE: a bad option or argument (with the usage banner).
    case usage = 64
    /// EX_DATAERR: the input is wrong: a register or rule problem, an unknown site, an empty time range.
    case dataError = 65
    /// EX_NOINPUT: a file or folder to read does not exist (the database of a read command).
    case noInput = 66
    /// EX_UNAVAILABLE: a service the command needs cannot be had (the listen address is taken).
    case unavailable = 69
    /// EX_IOERR: reading or writing a file failed.
    case ioError = 74
    /// EX_CONFIG: the configuration or tokens file is wrong.
    case config = 78
}

/// A command that cannot go on: the message goes to stderr as one `hazardmon: …` line, without the usage
/// banner (that is for usage errors), and the process exits with `code`.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var code: ExitStatus

    init(_ message: String, code: ExitStatus) {
        self.message = message
        self.code = code
    }

    var description: String { self.message }
}

/// Writes command output to stdout. Logs go to stderr through swift-log; this is the command's result.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func write(_ data: Data) {
        FileHandle.standardOutput.write(data)
    }

    /// A message for the person at the terminal (not a log event), on stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
