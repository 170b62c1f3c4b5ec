// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonStore
import Logging

/// Flags every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file.")
    var db: String = "var/hazardmon.sqlite"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Sends swift-log to stderr (the journal under systemd) at the chosen level. Call once per process.
    func makeLogger(label: String = "hazardmon") -> Logger {
        let level = self.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }

    /// Runs `body` with the store open, creating the database's folder when it is missing.
    func withOpenStore<T>(_ body: (Store) async throws -> T) async throws -> T {
        let folder = (self.db as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        return try await withStore(StorageConfiguration(path: self.db), body)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Writes command output to stdout. Logs go to stderr through swift-log; this is the command's result.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func write(_ data: Data) {
        FileHandle.standardOutput.write(data)
    }
}
