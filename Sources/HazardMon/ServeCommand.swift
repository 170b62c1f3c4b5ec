// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonServer
import Logging

/// `hazardmon serve`: the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: sensor feed, ingestion loop, health and metrics endpoints.",
        discussion: """
            Without --config it serves the sample county from a checkout (sites/, database under var/, the demo
            token in deploy/sample-tokens.yaml) on 127.0.0.1:8080:
              hazardmon serve
              curl -H 'Authorization: Bearer hazardmon-sample-county-demo-token' \\
                   -d '{"readings":[{"device":"26669271","channel":"L3_YL_1","ts":"2026-11-29T08:00:00Z","value":1.5}]}' \\
                   http://127.0.0.1:8080/v1/readings
            Every key of the configuration file is documented in deploy/hazardmon.example.yaml.
            SIGTERM/SIGINT stop gracefully; SIGHUP reloads the register and the tokens.
            """
    )

    @Option(help: "YAML configuration file (see deploy/hazardmon.example.yaml).")
    var config: String?

    @Option(help: "Override the configuration's log level.")
    var logLevel: Logger.Level?

    func run() async throws {
        var configuration: ServerConfiguration
        do {
            configuration = try self.config.map { try ServerConfiguration.load(path: $0) } ?? ServerConfiguration()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        if let level = self.logLevel { configuration.logLevel = level }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            try await Daemon.run(configuration: configuration, logger: Logger(label: "hazardmon"))
        } catch let error as ConfigurationError {
            // A tokens file, a demo token beyond loopback, a port in use: what to change, and EX_CONFIG.
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(78)
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
            abstract: "Make a random token; print it once, and the entry to add to the tokens file.")

        @Option(help: "A unique name, shown in logs.")
        var name: String

        @Option(help: "Comma-separated device ids the token may write.")
        var devices: String?

        @Option(help: "Comma-separated site codes: every device on them.")
        var sites: String?

        @Flag(help: "Every device of the register (a county gateway).")
        var allDevices = false

        func validate() throws {
            if self.devices == nil && self.sites == nil && !self.allDevices {
                throw ValidationError("say what the token may write: --devices, --sites or --all-devices")
            }
        }

        func run() throws {
            let token = TokenTable.newToken()
            var entry = "  - name: \(self.name)\n    sha256: \(TokenTable.hash(token: token))\n"
            let devices = (self.allDevices ? ["*"] : []) + (self.devices?.split(separator: ",").map(String.init) ?? [])
            if !devices.isEmpty { entry += "    devices: [\(devices.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
            if let sites = self.sites {
                entry += "    sites: [\(sites.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", "))]\n"
            }
            Output.write("token (shown once; give it to the device, it is not stored): \(token)\n\nentry for the tokens file:\n\(entry)")
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the SHA-256 of a token read from stdin.")

        func run() throws {
            guard let token = readLine(strippingNewline: true), !token.isEmpty else {
                throw ValidationError("give the token on stdin")
            }
            Output.write(TokenTable.hash(token: token) + "\n")
        }
    }
}
