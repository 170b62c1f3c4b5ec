// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HTTPTypes
import HazardMonStore
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP side: `POST /v1/readings`, `GET|HEAD /healthz`, `GET|HEAD /readyz` on the feed listener;
/// `GET /metrics` (and the health endpoints) on the `metrics_listen` listener only. A path's other methods
/// get 405 with `Allow`.
///
/// Feed responses (all JSON):
/// - 200 `{"accepted":n,"duplicate":n,"conflict":n,"rejected":n,"ignored":n,"results":[{"index":0,"device":"..",
///   "channel":"..","status":"accepted"}, …]}`: every accepted, duplicate and conflicting value is committed;
///   rejected ones never will be (the reason says why), so a device need not resend them.
/// - 400 malformed body (the error names the position), 401 no or unknown token (with `WWW-Authenticate`),
///   403 a device the token may not write (named in the log only), 413 body over the limit, 503 queue full,
///   stopping, or `body_memory_bytes` taken by other bodies (with `Retry-After`; nothing of that request was stored).
public struct FeedRoutes: Sendable {
    let state: DaemonState
    let loop: IngestLoop
    let metrics: ServerMetrics
    let configuration: ServerConfiguration
    let limiter: ConnectionLimiter?
    let budget: BodyBudget

    public init(
        state: DaemonState, loop: IngestLoop, metrics: ServerMetrics, configuration: ServerConfiguration, limiter: ConnectionLimiter? = nil
    ) {
        self.state = state
        self.loop = loop
        self.metrics = metrics
        self.configuration = configuration
        self.limiter = limiter
        self.budget = BodyBudget(capacity: configuration.bodyMemoryBytes)
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/readings") { request, context in
            let response = await self.readings(request, logger: context.logger)
            self.metrics.record(requestStatus: Int(response.status.code))
            return response
        }
        self.addHealth(to: router)
        Self.refuseOtherMethods(router, path: "/v1/readings", allow: [.post])
    }

    /// The routes of the `metrics_listen` listener: `/metrics`, `/healthz` and `/readyz`.
    public func addMetrics(to router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.metrics.exposition(now: IngestLoop.nowMilliseconds())))
            )
        }
        Self.refuseOtherMethods(router, path: "/metrics", allow: [.get, .head])
        self.addHealth(to: router)
    }

    private func addHealth(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            Self.json(.ok, ["status": "ok"])
        }
        router.head("/healthz") { _, _ in
            Self.json(.ok, ["status": "ok"])
        }
        router.get("/readyz") { _, _ in self.readiness() }
        router.head("/readyz") { _, _ in self.readiness() }
        Self.refuseOtherMethods(router, path: "/healthz", allow: [.get, .head])
        Self.refuseOtherMethods(router, path: "/readyz", allow: [.get, .head])
    }

    /// 200 while the daemon serves and the feed can take connections; 503 with the reason otherwise.
    func readiness() -> Response {
        guard self.state.isReady else { return Self.json(.serviceUnavailable, ["status": "not ready"]) }
        if let saturation = self.limiter?.saturation {
            return Self.json(.serviceUnavailable, ["status": "not ready", "reason": saturation])
        }
        return Self.json(.ok, ["status": "ready", "channels": "\(self.state.directory.channelCount)"])
    }

    /// 405 with `Allow` for the common methods a path does not take (instead of the router's 404).
    static func refuseOtherMethods(_ router: Router<BasicRequestContext>, path: RouterPath, allow: [HTTPRequest.Method]) {
        let allowed = allow.map(\.rawValue).joined(separator: ", ")
        for method in [HTTPRequest.Method.get, .head, .post, .put, .patch, .delete, .options] where !allow.contains(method) {
            router.on(path, method: method) { _, _ in
                Self.json(.methodNotAllowed, ["error": "\(path) takes \(allowed)"], headers: [.allow: allowed])
            }
        }
    }

    /// Whether to answer `Expect: 100-continue` at once: a POST to the feed with a known token and a
    /// declared length within the limit. Anything else gets its final answer without the body being sent.
    public func shouldContinue(_ request: HTTPRequest) -> Bool {
        guard request.method == .post, request.path?.split(separator: "?").first == "/v1/readings" else { return false }
        let length = request.headerFields[.contentLength].flatMap(Int.init) ?? self.configuration.bodyLimitBytes
        if length > self.configuration.bodyLimitBytes || self.budget.reserved + length > self.budget.capacity { return false }
        return Self.bearer(request.headerFields).flatMap(self.state.tokens.grant(forToken:)) != nil
    }

    /// The token of an `Authorization: Bearer` header; the scheme name is case-insensitive (RFC 9110 §11.1).
    static func bearer(_ fields: HTTPFields) -> String? {
        guard let header = fields[.authorization], header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// The 200 answer, written by hand: `JSONEncoder` was a quarter of the feed's CPU at 1,000 readings a
    /// request. Keys are sorted as `JSONEncoder` would sort them.
    static func summary(_ results: [ItemResult]) -> Response {
        var counts: [ItemResult.Status: Int] = [:]
        for result in results { counts[result.status, default: 0] += 1 }
        var writer = JSONTextWriter(capacity: 64 + results.count * 80)
        writer.object { w in
            w.key("accepted") { $0.integer(counts[.accepted] ?? 0) }
            w.key("conflict") { $0.integer(counts[.conflict] ?? 0) }
            w.key("duplicate") { $0.integer(counts[.duplicate] ?? 0) }
            w.key("ignored") { $0.integer(counts[.ignored] ?? 0) }
            w.key("rejected") { $0.integer(counts[.rejected] ?? 0) }
            w.key("results") { w in
                w.array(results) { w, result in
                    w.object { w in
                        w.key("channel") { $0.string(result.channel) }
                        w.key("device") { $0.string(result.device) }
                        w.key("index") { $0.integer(result.index) }
                        w.key("reason", result.reason) { $0.string($1) }
                        w.key("status") { $0.string(result.status.rawValue) }
                    }
                }
            }
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: writer.text)))
    }

    func readings(_ request: Request, logger: Logger) async -> Response {
        // Authenticate before reading the body: an unknown caller does not get to make us parse 4 MiB.
        // Answers sent before the body was read (401, 413) close the connection (FeedConnectionHandler), so
        // an unread body is never drained; so do 400s, after which the stream cannot be trusted.
        guard let grant = Self.bearer(request.headers).flatMap(self.state.tokens.grant(forToken:)) else {
            return Self.json(
                .unauthorized, ["error": "a valid bearer token is required"], headers: [.wwwAuthenticate: "Bearer", .connection: "close"])
        }
        let limit = self.configuration.bodyLimitBytes
        // Built only when sent: this is every feed request's path.
        func tooLarge() -> Response {
            Self.json(.contentTooLarge, ["error": "body over the limit of \(limit) bytes; send smaller batches"], headers: [.connection: "close"])
        }
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limit { return tooLarge() }
        let reservation = declared ?? limit
        guard self.budget.reserve(reservation) else {
            logger.notice("body memory budget exhausted", metadata: ["token": "\(grant.name)", "body_memory_bytes": "\(self.budget.capacity)"])
            return Self.json(
                .serviceUnavailable, ["error": "too many request bodies in flight; retry"], headers: [.retryAfter: "1", .connection: "close"])
        }
        defer { self.budget.release(reservation) }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            return tooLarge()
        } catch {
            logger.notice("request body unreadable", metadata: ["token": "\(grant.name)", "error": "\(error)"])
            return Self.json(.badRequest, ["error": "the request body could not be read: \(Self.bodyError(error))"], headers: [.connection: "close"])
        }
        let document: FeedDocument
        do {
            document = try FeedDocument.decode(Data(body.readableBytesView))
        } catch {
            return Self.json(.badRequest, ["error": "\(error)"], headers: [.connection: "close"])
        }
        let now = IngestLoop.nowMilliseconds()
        var intake = FeedIntake(
            document: document, directory: self.state.directory, grant: grant,
            limits: FeedIntake.Limits(
                now: now, futureToleranceMilliseconds: Int64(self.configuration.futureToleranceSeconds) * 1000,
                retentionMilliseconds: Int64(self.configuration.retentionDays) * 86_400_000))
        guard intake.forbidden.isEmpty else {
            logger.warning("token may not write these devices", metadata: ["token": "\(grant.name)", "devices": "\(intake.forbidden.sorted())"])
            // The devices are in the log only: the answer must not tell a token holder which device ids exist.
            return Self.json(.forbidden, ["error": "this token may not write some device of the request; nothing was stored"])
        }
        if !intake.rows.isEmpty || !intake.health.isEmpty {
            do {
                let outcomes = try await self.loop.submit(intake.rows, health: intake.health)
                for (position, outcome) in zip(intake.rowResults, outcomes) {
                    switch outcome {
                    case .accepted: break
                    case .duplicate: intake.results[position].status = .duplicate
                    case .conflict(let stored):
                        intake.results[position].status = .conflict
                        intake.results[position].reason = "already stored with value \(stored); the first value stays"
                    }
                }
            } catch {
                logger.notice("readings not committed", metadata: ["error": "\(error)", "readings": "\(intake.rows.count)"])
                return Self.json(.serviceUnavailable, ["error": "\(error)"], headers: [.retryAfter: "1"])
            }
        }
        self.metrics.record(results: intake.results, at: now)
        if !intake.health.isEmpty { self.metrics.record(health: intake.health) }
        logger.debug("readings", metadata: ["token": "\(grant.name)", "values": "\(intake.results.count)"])
        return Self.summary(intake.results)
    }

    /// A body read error in words: NIO's parser errors describe themselves poorly.
    static func bodyError(_ error: any Error) -> String {
        switch error {
        case let error as HTTPParserError: "malformed HTTP framing (\(error))"
        default: "\(error)"
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
