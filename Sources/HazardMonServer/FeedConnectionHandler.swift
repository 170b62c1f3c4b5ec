// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// One per feed connection, between the HTTP codec and Hummingbird's request handling. It does what the
/// feed port needs against a hostile network and Hummingbird does not do itself:
///
/// - **Connection cap.** Asks the ``ConnectionLimiter`` when the connection opens and closes it at once
///   when the feed is full.
/// - **TCP keepalive.** `SO_KEEPALIVE` with probes after 60 s idle, every 10 s, 6 times: a gateway that
///   vanished (cellular link gone, NAT entry dropped) is noticed even while a request waits.
/// - **Body read timeout.** From a request's head to its end, each gap between two reads may last at most
///   `read_timeout_s`; then the connection is closed (`hazardmon_http_read_timeouts_total`). A stalled body
///   therefore holds its memory and its connection only that long. Once the daemon is stopping (the
///   server's quiesce event) the gap is ``stoppingReadTimeout``, so a stalled upload delays SIGTERM by about
///   a second, not by `read_timeout_s`. The idle and header timeouts are Hummingbird's `idleTimeout`
///   (`idle_timeout_s`).
/// - **`Expect: 100-continue`.** Answered `100 Continue` at once when `shouldContinue` accepts the head (a
///   known token, a declared length within the limit); otherwise the final answer (401, 413) comes first.
/// - **Closing after `Connection: close` answers.** An answer whose head says `Connection: close` (every
///   400/401/413 of the feed, and Hummingbird's 400 for an unparseable request) ends the connection: the
///   server sends its FIN after the answer, then reads and discards what the client still sends until the
///   client's FIN or for at most ``lingerTimeout``, and closes. Without the reading, a client that sent
///   a large header could never get its FIN through the full receive window, and the server's socket sat in
///   FIN-WAIT-2 until the daemon stopped; closing without reading would send a reset that can destroy the
///   answer before the client reads it (the "lingering close" of Apache httpd).
///
/// Event-loop confined, like every channel handler: all state is touched on the channel's event loop only.
final class FeedConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a closing connection keeps reading the client's leftovers.
    static let lingerTimeout = TimeAmount.seconds(2)

    private let limiter: ConnectionLimiter?
    private let readTimeout: TimeAmount
    private let shouldContinue: @Sendable (HTTPRequest) -> Bool
    private let metrics: ServerMetrics
    private var opened = false
    private var admitted = false
    private var readTimer: Scheduled<Void>?
    private var closeAfterResponse = false
    private var lingering = false
    private var readingBody = false
    private var quiescing = false

    /// The gap allowed between two reads of a body once the daemon is stopping: a device still sending
    /// finishes, a stalled upload does not hold up the stop for a whole `read_timeout_s`.
    static let stoppingReadTimeout = TimeAmount.seconds(1)

    init(
        limiter: ConnectionLimiter?, readTimeout: TimeAmount, metrics: ServerMetrics,
        shouldContinue: @escaping @Sendable (HTTPRequest) -> Bool
    ) {
        self.limiter = limiter
        self.readTimeout = readTimeout
        self.metrics = metrics
        self.shouldContinue = shouldContinue
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.open(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.open(context)
        context.fireChannelActive()
    }

    private func open(_ context: ChannelHandlerContext) {
        guard !self.opened else { return }
        self.opened = true
        if let limiter = self.limiter {
            guard limiter.admit() else {
                context.close(promise: nil)
                return
            }
            self.admitted = true
        }
        Self.enableKeepalive(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finish()
    }

    private func finish() {
        self.readTimer?.cancel()
        self.readTimer = nil
        if self.admitted {
            self.admitted = false
            self.limiter?.release()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.lingering { return }  // leftovers of a request already answered with Connection: close
        switch self.unwrapInboundIn(data) {
        case .head(let request):
            self.readingBody = true
            self.armReadTimer(context)
            if request.headerFields[.expect]?.lowercased() == "100-continue", self.shouldContinue(request) {
                context.writeAndFlush(self.wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .body:
            self.armReadTimer(context)
        case .end:
            self.readingBody = false
            self.readTimer?.cancel()
            self.readTimer = nil
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.lingering {
            context.read()  // nobody above reads any more; keep draining until the client's FIN
            return
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.lingering { return }  // the decoder complaining about leftovers after a 400
        context.fireErrorCaught(error)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if self.lingering, let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)  // the client's FIN: nothing lingers
            return
        }
        if event is ChannelShouldQuiesceEvent {
            self.quiescing = true
            if self.readingBody { self.armReadTimer(context) }  // with the short stopping timeout
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let response):
            if response.status.kind != .informational, response.headerFields[.connection]?.lowercased() == "close" {
                self.closeAfterResponse = true
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard self.closeAfterResponse, !self.lingering else {
                context.write(data, promise: promise)
                return
            }
            self.lingering = true
            self.readTimer?.cancel()
            self.readTimer = nil
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(data, promise: written)
            written.futureResult.cascade(to: promise)
            written.futureResult.assumeIsolated().whenComplete { _ in
                context.close(mode: .output, promise: nil)
                context.read()
            }
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTimeout) {
                context.close(promise: nil)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        context.read()
    }

    private func armReadTimer(_ context: ChannelHandlerContext) {
        self.readTimer?.cancel()
        let timeout = self.quiescing ? min(self.readTimeout, Self.stoppingReadTimeout) : self.readTimeout
        self.readTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.readTimer = nil
            self.metrics.recordReadTimeout()
            context.close(promise: nil)
        }
    }

    /// `SO_KEEPALIVE` with Linux's per-socket timings: first probe after 60 s idle, then every 10 s, 6 tries.
    private static func enableKeepalive(_ channel: any Channel) {
        guard let options = channel.syncOptions else { return }
        try? options.setOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
        #if canImport(Glibc)
        try? options.setOption(ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_KEEPIDLE)), value: 60)
        try? options.setOption(ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_KEEPINTVL)), value: 10)
        try? options.setOption(ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_KEEPCNT)), value: 6)
        #endif
    }
}

@available(*, unavailable)
extension FeedConnectionHandler: Sendable {}
