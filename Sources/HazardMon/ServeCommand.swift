// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonRegistry
import HazardMonRules
import HazardMonServer
import HazardMonStore
import Logging

/// `hazardmon serve`: the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: sensor feed, ingestion loop, health and metrics endpoints.",
        discussion: """
            Without a configuration file (--config, or /etc/hazardmon/hazardmon.yaml
            when it exists) it serves the sample county from a checkout: sites/, the
            database var/hazardmon.sqlite, the demo token in deploy/sample-tokens.yaml,
            on 127.0.0.1:8080:
              hazardmon serve
              curl -H 'Authorization: Bearer hazardmon-sample-county-demo-token' \\
                -d '{"readings":[{"device":"26669271","channel":"L3_YL_1",
                      "ts":"2026-11-29T08:00:00Z","value":1.5}]}' \\
                http://127.0.0.1:8080/v1/readings
            Every key of the configuration file is documented in
            deploy/hazardmon.example.yaml. --db and --log-level override the file's
            database and log_level.

            Signals: SIGTERM and SIGINT stop gracefully (queued readings are committed
            first). SIGHUP reloads three things: the site register (the sites folder),
            the rule files (the thresholds folder) and the tokens file. A reload that
            finds problems keeps the previous register, rules or tokens and logs why.
            Nothing else is reloaded: listen address, database, and the other settings
            need a restart.

            Logs go to stderr, one line per event; under systemd with the journal's
            priority prefix (<3> error ... <7> debug), elsewhere with a UTC time stamp.
            Exit status: 64 usage, 65 bad register or rules at start, 74 the database
            cannot be opened, 78 bad configuration or tokens file, or a listen address
            that is taken (the message names the key to change).
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let file = GlobalOptions.configurationFile(explicit: self.global.config, database: self.global.database)
        // A bad file ends here, before logging is set up: its problems go to stderr, one per line (exit 78).
        var configuration = try GlobalOptions.loadConfiguration(file)
        if let database = self.global.database { configuration.database = database }
        let logger = self.global.log.makeLogger(default: configuration.logLevel)
        logger.info(
            "starting hazardmon \(HazardMonVersion.current)",
            metadata: [
                "config": "\(file ?? "none (defaults of a checkout)")", "database": "\(configuration.database)",
                "logs": "times in UTC",
            ])
        do {
            try await Daemon.run(configuration: configuration, logger: logger)
        } catch {
            throw Self.startFailure(error, logger: logger)
        }
    }

    /// Logs why the daemon stopped, one event per problem, and picks the sysexits code.
    static func startFailure(_ error: any Error, logger: Logger) -> ExitCode {
        switch error {
        case let error as ConfigurationError:
            for problem in error.problems { logger.critical("cannot start: configuration or tokens file", metadata: ["problem": "\(problem)"]) }
            return ExitCode(ExitStatus.config.rawValue)
        case let error as RegistryError:
            // Daemon.importRegister has logged each problem already.
            logger.critical("cannot start: the register has problems and none is stored", metadata: ["problems": "\(error.issues.count)"])
            return ExitCode(ExitStatus.dataError.rawValue)
        case let error as RuleError:
            logger.critical("cannot start: the rule files have problems", metadata: ["problems": "\(error.issues.count)"])
            return ExitCode(ExitStatus.dataError.rawValue)
        case let error as StorageError:
            logger.critical("cannot start: database", metadata: ["error": "\(error)"])
            return ExitCode(ExitStatus.ioError.rawValue)
        case let error as DaemonStartError:
            logger.critical("cannot start", metadata: ["problem": "\(error)"])
            switch error {
            case .noRegister: return ExitCode(ExitStatus.dataError.rawValue)
            case .databaseFolder: return ExitCode(ExitStatus.ioError.rawValue)
            }
        default:
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            return ExitCode.failure
        }
    }
}

/// `hazardmon tokens …`: device tokens.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Make device tokens and their hashed entries for the tokens file.",
        subcommands: [New.self, Hash.self]
    )

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a random token; print it once, and add its entry to the tokens file.",
            discussion: """
                With --file, the entry is appended to that tokens file (refused when the
                name is taken); a missing file is created with its tokens: header and mode
                0640. Without --file, a snippet is printed to paste into the file. Only the
                SHA-256 of the token is stored; the token itself is shown once.
                  hazardmon tokens new --name station-7 --devices 26669271,39048755 \\
                    --file /etc/hazardmon/tokens.yaml
                Send SIGHUP (systemctl reload hazardmon) to make the daemon read it.
                """)

        @Option(help: "A unique name, shown in logs.")
        var name: String

        @Option(help: "Comma-separated device ids the token may write.")
        var devices: String?

        @Option(help: "Comma-separated site codes: every device on them.")
        var sites: String?

        @Flag(help: "Every device of the register (a county gateway).")
        var allDevices = false

        @Option(help: "The tokens file to add the entry to (created when missing).")
        var file: String?

        @OptionGroup var log: LogOptions

        static let header = """
            # HazardMon device tokens (the daemon's `tokens` file). Made by `hazardmon tokens new`.
            # Each entry: name (unique, shown in logs), sha256 (hex SHA-256 of the token), and what it may
            # write: devices: [ids] (or ["*"] for every device) and/or sites: [site codes].
            # SIGHUP (systemctl reload hazardmon) makes the daemon read this file again.
            tokens:

            """

        func validate() throws {
            if self.devices == nil && self.sites == nil && !self.allDevices {
                throw ValidationError("say what the token may write: --devices, --sites or --all-devices")
            }
            // Names go into YAML unquoted and into log lines: keep them to a safe alphabet.
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@")
            if self.name.isEmpty || !self.name.allSatisfy(allowed.contains) {
                throw ValidationError("--name '\(self.name)': use letters, digits and - _ . @ only (e.g. station-7)")
            }
        }

        func run() throws {
            _ = self.log.makeLogger()
            let token = TokenTable.newToken()
            let entry = self.entry(hash: TokenTable.hash(token: token))
            guard let file = self.file else {
                Output.write(
                    "token (shown once; give it to the device, it is not stored): \(token)\n\n"
                        + "entry for the tokens file (a new file needs the 'tokens:' header line first):\n"
                        + "tokens:\n" + entry)
                return
            }
            let created = try Self.add(entry, named: self.name, to: file)
            Output.write(
                "token (shown once; give it to the device, it is not stored): \(token)\n"
                    + "\(created ? "created" : "added to") \(file): token '\(self.name)'; reload the daemon (SIGHUP) to use it\n")
        }

        /// The YAML entry, indented under `tokens:`.
        func entry(hash: String) -> String {
            var entry = "  - name: \(self.name)\n    sha256: \(hash)\n"
            let devices = (self.allDevices ? ["*"] : []) + (self.devices?.split(separator: ",").map(String.init) ?? [])
            if !devices.isEmpty { entry += "    devices: [\(devices.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
            if let sites = self.sites {
                entry += "    sites: [\(sites.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", "))]\n"
            }
            return entry
        }

        /// Appends `entry` to the tokens file, or creates the file (mode 0640) with the header; returns
        /// whether it was created. The result is checked as the daemon will read it before it is written.
        static func add(_ entry: String, named name: String, to file: String) throws -> Bool {
            let manager = FileManager.default
            let existing: String?
            if manager.fileExists(atPath: file) {
                guard let data = manager.contents(atPath: file) else {
                    throw CommandFailure("cannot read the tokens file \(file)", code: .ioError)
                }
                let text = String(decoding: data, as: UTF8.self)
                existing = text.allSatisfy(\.isWhitespace) ? nil : text
            } else {
                let folder = (file as NSString).deletingLastPathComponent
                var isDirectory: ObjCBool = false
                if !folder.isEmpty, !(manager.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
                    throw CommandFailure("cannot create \(file): no folder \(folder)", code: .noInput)
                }
                existing = nil
            }
            if let existing {
                do {
                    _ = try TokenTable.parse(existing, file: file)
                } catch {
                    throw CommandFailure("the tokens file has problems; nothing was added:\n\(error)", code: .config)
                }
            }
            let appended = (existing.map { $0.hasSuffix("\n") } ?? true ? "" : "\n") + entry
            let text = (existing ?? Self.header) + appended
            do {
                _ = try TokenTable.parse(text, file: file)
            } catch {
                if error.problems.contains(where: { $0.hasSuffix("name: '\(name)' is listed twice") }) {
                    throw CommandFailure("\(file) already has a token named '\(name)'; nothing was added", code: .dataError)
                }
                throw CommandFailure("cannot append to \(file) (is its tokens: list in block style?):\n\(error)", code: .config)
            }
            do {
                if existing != nil {
                    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
                    defer { try? handle.close() }
                    try handle.seekToEnd()
                    try handle.write(contentsOf: Data(appended.utf8))
                    try handle.synchronize()
                    return false
                }
                guard manager.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o640]) else {
                    throw CommandFailure("cannot create \(file)", code: .ioError)
                }
                // The umask may have taken bits away; the mode is part of the promise.
                try manager.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file)
                return true
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw CommandFailure("cannot write \(file): \(fileErrorReason(error))", code: .ioError)
            }
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the SHA-256 of a token read from stdin.")

        @OptionGroup var log: LogOptions

        func run() throws {
            guard let token = readLine(strippingNewline: true), !token.isEmpty else {
                throw CommandFailure("no token on stdin; e.g. echo \"$TOKEN\" | hazardmon tokens hash", code: .noInput)
            }
            Output.write(TokenTable.hash(token: token) + "\n")
        }
    }
}
