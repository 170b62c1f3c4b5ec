// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonGeo
import HazardMonRegistry
import HazardMonRules
import HazardMonStore
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Builds and runs the daemon: one `ServiceGroup` of the ingest loop, the reload listener, the systemd
/// watchdog and the HTTP server, in dependency order (style.md §6). Shutdown runs in reverse: HTTP stops
/// accepting and finishes its requests (which wait for their commit), then the ingest loop commits what
/// is queued, and the store closes last.
public enum Daemon {
    /// Runs until SIGTERM or SIGINT, then stops gracefully. SIGHUP reloads the register, the rules and the tokens.
    ///
    /// - Parameter onListening: Called once the server accepts connections, with the bound port (tests use
    ///   port 0 and read the real one here) and a handle that stops the daemon as SIGTERM would.
    public static func run(
        configuration: ServerConfiguration, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment,
        onListening: @escaping @Sendable (DaemonHandle) async -> Void = { _ in }
    ) async throws {
        let notifier = SystemdNotifier(environment: environment)
        // Everything that can refuse the start is checked before the database is touched, so that a refused
        // start leaves nothing behind: no database file, no folder, no half-imported register.
        try configuration.checkPaths()
        let tokens = try TokenTable.load(path: configuration.tokens, listen: configuration.listen)
        try await Self.probeListeners(configuration)
        try FeedServer.ensureFileDescriptors(for: configuration.maxConnections, logger: logger)
        let databaseExists = FileManager.default.fileExists(atPath: configuration.database)
        let loaded = try await Self.loadRegister(configuration.sites, logger: logger, haveStored: databaseExists)
        // Bad rules at start are fatal: a county must not believe it is protected by rules that do not run.
        let checkedRules = try loaded.map { try Self.loadRules(configuration, registry: $0, logger: logger) }
        try Self.createDatabaseFolder(for: configuration.database)
        let storage = StorageConfiguration(path: configuration.database, synchronous: configuration.synchronousFull ? .full : .normal)
        try await withStore(storage) { store in
            if let loaded {
                try await Self.store(loaded, from: configuration.sites, into: store, logger: logger)
            } else if try await store.registry() == nil {
                // The register folder is bad and the existing database holds no register either.
                throw DaemonStartError.noRegister(folder: configuration.sites, database: configuration.database)
            }
            let records = try await store.channels()
            let state = DaemonState(directory: ChannelDirectory(records: records), tokens: tokens)
            let registry = try await store.registry()
            let rules = try checkedRules ?? Self.loadRules(configuration, registry: registry, logger: logger)
            let metrics = ServerMetrics()
            let runtime = RulesRuntime(
                RulesRuntime.Configuration(
                    rules: rules, channels: BoundChannel.from(records: records, registry: registry), source: configuration.thresholds),
                metrics: metrics, logger: logger)
            let loop = IngestLoop(
                writer: try IngestWriter(configuration: storage), tickMilliseconds: configuration.tickIntervalMilliseconds,
                queueBound: configuration.queueBound, flushReadings: configuration.flushReadings, participant: runtime,
                clockMilliseconds: configuration.ruleClockSeconds * 1000, metrics: metrics, logger: logger)

            let groupBox = Mutex<ServiceGroup?>(nil)
            let server = FeedServer(
                configuration: configuration, state: state, loop: loop, metrics: metrics, logger: logger
            ) { port, metricsPort in
                try? notifier?.ready(status: "serving \(state.directory.channelCount) channels on port \(port)")
                if let group = groupBox.withLock({ $0 }) { await onListening(DaemonHandle(port: port, metricsPort: metricsPort, group: group)) }
            }
            let limiter = server.limiter
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        // The watchdog first, so that it keeps pinging while the others drain (reverse order).
                        .init(service: WatchdogService(notifier: notifier, logger: logger) {
                            let queued = loop.queuedReadings
                            let committed = loop.committed
                            let feed = limiter.saturation.map { "; \($0)" } ?? ""
                            return "\(committed.readings) readings committed in \(committed.batches) batches; \(queued) queued; "
                                + "\(limiter.open) connections\(feed)"
                        }),
                        .init(service: IngestService(loop: loop, state: state, notifier: notifier, logger: logger)),
                        .init(
                            service: ReloadService(
                                configuration: configuration, store: store, state: state, rules: runtime, notifier: notifier,
                                logger: logger)),
                    ] + server.services,
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                ).withShutdownTimeout(seconds: configuration.shutdownTimeoutSeconds)
            )
            groupBox.withLock { $0 = group }
            try await group.run()
        }
        logger.info("stopped")
    }

    /// Loads the rule files and checks them against the register; every problem is logged as
    /// `file:line: field: reason` and the load fails with ``RuleError``.
    static func loadRules(_ configuration: ServerConfiguration, registry: Registry?, logger: Logger) throws -> RuleSet {
        do {
            // Without a register (the import at start refuses to go on then) there is nothing to check against.
            let rules =
                try registry.map { try RuleCheck.load(directory: configuration.thresholds, registry: $0, retentionDays: configuration.retentionDays) }
                ?? RuleFileLoader.load(directory: configuration.thresholds)
            logger.info("rules loaded", metadata: ["folder": "\(configuration.thresholds)", "rules": "\(rules.rules.count)"])
            return rules
        } catch let error as RuleError {
            logger.error(
                "rules rejected", metadata: ["folder": "\(configuration.thresholds)", "problems": "\(error.issues.count)"])
            for issue in error.issues.prefix(50) { logger.error("rule problem", metadata: ["problem": "\(issue)"]) }
            throw error
        }
    }

    /// Loads and stores the register in `folder` (SIGHUP). An invalid register is logged and thrown; the
    /// stored one stays in force.
    static func importRegister(_ folder: String, into store: Store, logger: Logger) async throws {
        guard let registry = try await Self.loadRegister(folder, logger: logger, haveStored: false) else { return }
        try await Self.store(registry, from: folder, into: store, logger: logger)
    }

    /// Reads and checks the register in `folder` without touching the database. An invalid register is
    /// logged problem by problem; it is thrown unless `haveStored` (a database exists whose stored register
    /// may be served instead: a county's daemon keeps serving the last good register rather than refusing
    /// to start over one bad row, and says so loudly), in which case the result is `nil`.
    static func loadRegister(_ folder: String, logger: Logger, haveStored: Bool) async throws -> Registry? {
        do {
            return try await RegistryLoader.load(directory: folder)
        } catch let error as RegistryError {
            logger.error(
                "register rejected; \(haveStored ? "keeping the stored register, if the database has one" : "nothing to serve")",
                metadata: ["folder": "\(folder)", "problems": "\(error.issues.count)"])
            for issue in error.issues.prefix(50) { logger.error("register problem", metadata: ["problem": "\(issue)"]) }
            if !haveStored { throw error }
            return nil
        }
    }

    static func store(_ registry: Registry, from folder: String, into store: Store, logger: Logger) async throws {
        let diff = try await store.replaceRegistry(registry)
        logger.info("register loaded", metadata: ["folder": "\(folder)", "sites": "\(registry.sites.count)", "diff": "\(diff)"])
    }

    /// Binds and closes each configured listen address once, so that an address in use (or not of this
    /// machine) refuses the start before the database is created; the real bind later reports a race the
    /// same way. Port 0 (tests) needs no probe.
    static func probeListeners(_ configuration: ServerConfiguration) async throws {
        var addresses = [("listen", configuration.listen)]
        if let metrics = configuration.metricsListen { addresses.append(("metrics_listen", metrics)) }
        for (key, address) in addresses where address.port != 0 {
            do {
                let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: address.host, port: address.port).get()
                try await channel.close()
            } catch let error as IOError {
                throw explainBindError(error, key: key, address: address)
            }
        }
    }

    /// Creates the database's folder when missing, with an error that names the `database` key.
    public static func createDatabaseFolder(for database: String) throws(DaemonStartError) {
        let folder = (database as NSString).deletingLastPathComponent
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .databaseFolder(folder: folder, reason: fileErrorReason(error))
        }
    }
}

/// The operating system's words for a failed file operation ("Permission denied"): the POSIX reason under
/// Foundation's error when there is one, not `Error Domain=NSCocoaErrorDomain Code=…`.
public func fileErrorReason(_ error: any Error) -> String {
    let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
    if let posix = underlying, posix.domain == NSPOSIXErrorDomain, let text = strerror(Int32(posix.code)) {
        return String(cString: text)
    }
    return (error as NSError).localizedFailureReason ?? error.localizedDescription
}

/// Why the daemon refused to start (besides configuration, token, register and rule problems, which
/// carry their own `file:line` errors).
public enum DaemonStartError: Error, Sendable, CustomStringConvertible {
    case noRegister(folder: String, database: String)
    case databaseFolder(folder: String, reason: String)

    public var description: String {
        switch self {
        case .noRegister(let folder, let database):
            "\(folder): the register has problems (logged above) and \(database) holds no register to serve instead"
        case .databaseFolder(let folder, let reason):
            "\(folder): cannot create the folder for the database (the 'database' key): \(reason)"
        }
    }
}

/// A running daemon, for tests and embedding: its port, and a graceful stop.
public struct DaemonHandle: Sendable {
    public let port: Int
    /// The port of the `metrics_listen` listener, nil with `metrics_listen: none`.
    public let metricsPort: Int?
    let group: ServiceGroup

    /// Stops the daemon as SIGTERM does: stop accepting, finish requests, commit the queue, close.
    public func stop() async {
        await self.group.triggerGracefulShutdown()
    }
}

extension ServiceGroupConfiguration {
    func withShutdownTimeout(seconds: Int) -> Self {
        var configuration = self
        configuration.maximumGracefulShutdownDuration = .seconds(seconds)
        return configuration
    }
}

/// Runs the ingest loop's timer until graceful shutdown, then commits what is queued and stops.
struct IngestService: Service {
    let loop: IngestLoop
    let state: DaemonState
    let notifier: SystemdNotifier?
    let logger: Logger

    func run() async throws {
        self.loop.start()
        try? await gracefulShutdown()
        self.state.isReady = false
        try? self.notifier?.stopping(status: "committing queued readings")
        await self.loop.shutdown()
    }
}

/// Reloads the register, the rules and the tokens on SIGHUP; a bad file is logged and the previous one stays.
struct ReloadService: Service {
    let configuration: ServerConfiguration
    let store: Store
    let state: DaemonState
    let rules: RulesRuntime
    let notifier: SystemdNotifier?
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await self.reload()
        }
    }

    func reload() async {
        self.logger.notice("SIGHUP: reloading the register, the rules and the tokens")
        try? self.notifier?.reloading()
        defer { try? self.notifier?.ready(status: "serving \(self.state.directory.channelCount) channels (reloaded)") }
        do {
            let tokens = try TokenTable.load(
                path: self.configuration.tokens, listen: self.configuration.listen)
            FeedServer.warnAboutDemoToken(tokens, file: self.configuration.tokens, logger: self.logger)
            self.state.tokens = tokens
            self.logger.info("tokens reloaded", metadata: ["tokens": "\(self.state.tokens.count)"])
        } catch {
            self.logger.error("tokens file rejected; the previous tokens stay", metadata: ["problems": "\(error)"])
        }
        do {
            try await Daemon.importRegister(self.configuration.sites, into: self.store, logger: self.logger)
            self.state.directory = ChannelDirectory(records: try await self.store.channels())
        } catch {
            self.logger.error("register reload failed; the previous register stays", metadata: ["error": "\(error)"])
        }
        // The rules are checked against the register now in force (new or kept); bad rules keep the old set,
        // which is rebound to the register in force.
        do {
            let registry = try await self.store.registry()
            let channels = BoundChannel.from(records: try await self.store.channels(), registry: registry)
            var rules = self.rules.configuration.rules
            do {
                rules = try Daemon.loadRules(self.configuration, registry: registry, logger: self.logger)
            } catch {
                self.logger.error("rules reload failed; the previous rules stay in force")
            }
            self.rules.replace(RulesRuntime.Configuration(rules: rules, channels: channels, source: self.configuration.thresholds))
        } catch {
            self.logger.error("rules could not be rebound after the reload; the previous binding stays", metadata: ["error": "\(error)"])
        }
    }
}
