// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The daemon's HTTP listeners: the feed (`listen`) and, unless `metrics_listen: none`, a second listener
/// for `/metrics` and the health endpoints, each a Hummingbird `Application` wrapped in a
/// ``ListenerService`` so that an address already in use is reported with its configuration key.
///
/// The feed gets Hummingbird's idle timeout (`idle_timeout_s`, which also bounds the wait for a request's
/// header) and a ``FeedConnectionHandler`` per connection (connection cap, TCP keepalive, body read timeout,
/// `100 Continue`, closing after `Connection: close`). The metrics listener is for a local scraper: at
/// most ``metricsConnections`` connections, with the same idle timeout.
struct FeedServer {
    /// Connections the metrics listener keeps open at most (further ones wait in the backlog).
    static let metricsConnections = 16
    /// File descriptors kept free beyond `max_connections` for the database, PROJ, the event loops, the
    /// metrics listener and the journal.
    static let reservedFileDescriptors = 128

    let services: [ServiceGroupConfiguration.ServiceConfiguration]
    let limiter: ConnectionLimiter

    /// Builds both listeners; `onListening` runs once every listener accepts connections.
    ///
    /// The demo token beyond loopback and the open-files limit are checked by `Daemon.run` before the
    /// database is touched (``ensureFileDescriptors(for:logger:)``, `TokenTable.load(path:listen:)`).
    init(
        configuration: ServerConfiguration, state: DaemonState, loop: IngestLoop, metrics: ServerMetrics, logger: Logger,
        onListening: @escaping @Sendable (_ feedPort: Int, _ metricsPort: Int?) async -> Void
    ) {
        let listen = configuration.listen
        Self.warnAboutDemoToken(state.tokens, file: configuration.tokens, logger: logger)

        let limiter = ConnectionLimiter(maximum: configuration.maxConnections, metrics: metrics, logger: logger)
        self.limiter = limiter
        let routes = FeedRoutes(state: state, loop: loop, metrics: metrics, configuration: configuration, limiter: limiter)
        let ports = ListeningPorts(expectsMetrics: configuration.metricsListen != nil, onListening: onListening)

        let feedRouter = Router()
        routes.add(to: feedRouter)
        let readTimeout = TimeAmount.seconds(Int64(configuration.readTimeoutSeconds))
        let feed = Application(
            router: feedRouter,
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    additionalChannelHandlers: [
                        FeedConnectionHandler(
                            limiter: limiter, readTimeout: readTimeout, metrics: metrics, shouldContinue: routes.shouldContinue)
                    ],
                    idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: "hazardmon"),
            onServerRunning: { channel in
                state.isReady = true
                let port = channel.localAddress?.port ?? listen.port
                logger.info(
                    "serving",
                    metadata: [
                        "address": "\(ListenAddress(host: listen.host, port: port))", "channels": "\(state.directory.channelCount)",
                        "max_connections": "\(configuration.maxConnections)",
                    ])
                await ports.feed(port)
            },
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: ListenerService(app: feed, key: "listen", address: listen))]

        if let address = configuration.metricsListen {
            let metricsRouter = Router()
            routes.addMetrics(to: metricsRouter)
            let app = Application(
                router: metricsRouter,
                server: .http1(
                    configuration: HTTP1Channel.Configuration(
                        additionalChannelHandlers: [
                            FeedConnectionHandler(limiter: nil, readTimeout: readTimeout, metrics: metrics, shouldContinue: { _ in false })
                        ],
                        idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
                configuration: ApplicationConfiguration(
                    address: .hostname(address.host, port: address.port), serverName: "hazardmon",
                    availableConnectionsDelegate: .maximum(Self.metricsConnections, logger: logger)),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? address.port
                    // Not "address=": process tests find the feed's port by that key in the log.
                    logger.info("serving metrics", metadata: ["metrics_listen": "\(ListenAddress(host: address.host, port: port))"])
                    await ports.metrics(port)
                },
                logger: logger
            )
            services.append(.init(service: ListenerService(app: app, key: "metrics_listen", address: address)))
        }
        self.services = services
    }

    /// A loud warning for the demo token on loopback (elsewhere it is refused).
    static func warnAboutDemoToken(_ tokens: TokenTable, file: String, logger: Logger) {
        for name in tokens.demoTokenNames {
            logger.warning(
                "THE PUBLISHED DEMO TOKEN IS ACCEPTED: anyone who has read the repository can write readings with it; replace it before listening beyond loopback",
                metadata: ["tokens": "\(file)", "token": "\(name)"])
        }
    }

    /// Makes sure the open-files limit leaves room for `max_connections` plus ``reservedFileDescriptors``:
    /// raises the soft limit up to the hard one if needed, and refuses to start when even that is too low,
    /// since at the limit connections would hang without a word instead of being refused by the cap.
    static func ensureFileDescriptors(for maxConnections: Int, logger: Logger) throws(ConfigurationError) {
        #if canImport(Glibc)
        let needed = rlim_t(maxConnections + Self.reservedFileDescriptors)
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < needed else { return }
        guard limit.rlim_max >= needed else {
            throw ConfigurationError(problems: [
                "max_connections: \(maxConnections) connections need \(needed) open files, but the hard limit is \(limit.rlim_max); "
                    + "lower max_connections or raise LimitNOFILE= in the unit"
            ])
        }
        let previous = limit.rlim_cur
        limit.rlim_cur = needed
        guard setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw ConfigurationError(problems: [
                "max_connections: \(maxConnections) connections need \(needed) open files; the limit \(previous) could not be raised"
            ])
        }
        logger.info("raised the open-files limit for max_connections", metadata: ["from": "\(previous)", "to": "\(needed)"])
        #endif
    }
}

/// Calls `onListening` once the feed and (if configured) the metrics listener both accept connections.
private final class ListeningPorts: Sendable {
    private let ports = Mutex<(feed: Int?, metrics: Int?)>((nil, nil))
    private let expectsMetrics: Bool
    private let onListening: @Sendable (Int, Int?) async -> Void

    init(expectsMetrics: Bool, onListening: @escaping @Sendable (Int, Int?) async -> Void) {
        self.expectsMetrics = expectsMetrics
        self.onListening = onListening
    }

    func feed(_ port: Int) async {
        await self.settle(self.ports.withLock { $0.feed = port; return $0 })
    }

    func metrics(_ port: Int) async {
        await self.settle(self.ports.withLock { $0.metrics = port; return $0 })
    }

    private func settle(_ ports: (feed: Int?, metrics: Int?)) async {
        guard let feed = ports.feed, !self.expectsMetrics || ports.metrics != nil else { return }
        await self.onListening(feed, ports.metrics)
    }
}

/// Runs a listener; an address that cannot be bound becomes a ``ConfigurationError`` naming the address and
/// the configuration key to change, instead of NIO's `bind(descriptor:ptr:bytes:): Address already in use`.
struct ListenerService<App: ApplicationProtocol>: Service {
    let app: App
    let key: String
    let address: ListenAddress

    func run() async throws {
        do {
            try await self.app.run()
        } catch let error as IOError {
            throw explainBindError(error, key: self.key, address: self.address)
        }
    }
}

/// A bind failure in the words of the configuration: the address and the key to change.
func explainBindError(_ error: IOError, key: String, address: ListenAddress) -> any Error {
    switch error.errnoCode {
    case EADDRINUSE:
        ConfigurationError(problems: [
            "\(key): \(address) is already in use (another hazardmon, or another server); stop it or set \(key) to a free port"
        ])
    case EACCES:
        ConfigurationError(problems: ["\(key): \(address): permission denied (ports below 1024 need privileges); set \(key) to a port above 1023"])
    case EADDRNOTAVAIL:
        ConfigurationError(problems: ["\(key): \(address) is not an address of this machine; set \(key) to one of its addresses or 0.0.0.0"])
    default:
        error
    }
}
