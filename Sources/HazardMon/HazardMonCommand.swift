// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonServer
import HazardMonStore

@main
struct HazardMonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hazardmon",
        abstract: "Monitoring and early warning for geological-hazard, flash-flood and dangerous-rock sites.",
        discussion: """
            Import the bundled sample county and list it:
              hazardmon sites import sites
              hazardmon sites list --township 青岩镇
              hazardmon sites list --near 108.05,30.12 --within 2km
              hazardmon rules check thresholds --sites sites
            Commands that use the database take --db, or --config (the daemon's file;
            /etc/hazardmon/hazardmon.yaml when it exists), and say on stderr which
            database they use. Exit status: 0 ok, 64 usage, 65 bad data, 66 no input,
            74 I/O error, 78 bad configuration.
            """,
        version: HazardMonVersion.current,
        subcommands: [ServeCommand.self, SitesCommand.self, RulesCommand.self, RosterCommand.self, TokensCommand.self, GeoCommand.self, BenchCommand.self]
    )

    /// ArgumentParser's entry, except that a ``CommandFailure`` is a message and its sysexits code, not a
    /// usage error: it never prints the usage banner.
    static func main() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            Output.error(failure.message)
            Foundation.exit(failure.code.rawValue)
        } catch let error as CocoaError {
            // A file operation no command turned into its own message: say which file and why, never
            // "Error Domain=NSCocoaErrorDomain Code=4".
            let failure = Self.failure(error)
            Output.error(failure.message)
            Foundation.exit(failure.code.rawValue)
        } catch let error as StorageError {
            // The database failed under a command (its opening is handled where it is opened).
            Output.error("\(error)")
            Foundation.exit(error.isCorrupt ? ExitStatus.dataError.rawValue : ExitStatus.ioError.rawValue)
        } catch {
            Self.exit(withError: error)
        }
    }

    /// A Foundation file error as `PATH: reason`: a missing folder on the way to the file is named (EX_IOERR,
    /// the file cannot be made there), a missing file is EX_NOINPUT, anything else EX_IOERR.
    static func failure(_ error: CocoaError) -> CommandFailure {
        guard let path = error.filePath ?? error.url?.path else {
            return CommandFailure("a file operation failed: \(fileErrorReason(error))", code: .ioError)
        }
        let folder = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
            return CommandFailure("\(path): the folder \(folder) does not exist", code: .ioError)
        }
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile:
            return CommandFailure("\(path): no such file", code: .noInput)
        default:
            return CommandFailure("\(path): \(fileErrorReason(error))", code: .ioError)
        }
    }
}

/// `hazardmon bench …`: throughput measurements printed as ratios against a baseline from the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print ratios against a baseline measured in the same run.",
        subcommands: [BenchProjCommand.self, BenchRulesCommand.self]
    )
}

extension StorageError {
    /// The database holds something this build cannot read.
    fileprivate var isCorrupt: Bool {
        if case .corrupt = self { return true }
        return false
    }
}
