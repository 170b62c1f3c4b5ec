// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HTTPTypes
import HazardMonStore
import Hummingbird
import Logging
import NIOCore

/// The HTTP side: `POST /v1/readings`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
///
/// Feed responses (all JSON):
/// - 200 `{"accepted":n,"duplicate":n,"conflict":n,"rejected":n,"ignored":n,"results":[{"index":0,"device":"..",
///   "channel":"..","status":"accepted"}, …]}`: every accepted, duplicate and conflicting value is committed;
///   rejected ones never will be (the reason says why), so a device need not resend them.
/// - 400 malformed body (the error names the position), 401 no or unknown token (with `WWW-Authenticate`),
///   403 a device the token may not write (all named), 413 body over the limit, 503 queue full or stopping
///   (with `Retry-After`; nothing of that request was stored).
public struct FeedRoutes: Sendable {
    let state: DaemonState
    let loop: IngestLoop
    let metrics: ServerMetrics
    let configuration: ServerConfiguration

    public init(state: DaemonState, loop: IngestLoop, metrics: ServerMetrics, configuration: ServerConfiguration) {
        self.state = state
        self.loop = loop
        self.metrics = metrics
        self.configuration = configuration
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/readings") { request, context in
            let response = await self.readings(request, logger: context.logger)
            self.metrics.record(requestStatus: Int(response.status.code))
            return response
        }
        router.get("/healthz") { _, _ in
            Self.json(.ok, ["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            self.state.isReady
                ? Self.json(.ok, ["status": "ready", "channels": "\(self.state.directory.channelCount)"])
                : Self.json(.serviceUnavailable, ["status": "not ready"])
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.metrics.exposition(now: IngestLoop.nowMilliseconds())))
            )
        }
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
        // The scheme name is case-insensitive (RFC 9110 §11.1).
        guard let header = request.headers[.authorization], header.prefix(7).lowercased() == "bearer ",
            let grant = self.state.tokens.grant(forToken: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else {
            return Self.json(.unauthorized, ["error": "a valid bearer token is required"], headers: [.wwwAuthenticate: "Bearer"])
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: self.configuration.bodyLimitBytes)
        } catch {
            return Self.json(.contentTooLarge, ["error": "body over the limit of \(self.configuration.bodyLimitBytes) bytes; send smaller batches"])
        }
        let document: FeedDocument
        do {
            document = try FeedDocument.decode(Data(body.readableBytesView))
        } catch {
            return Self.json(.badRequest, ["error": "\(error)"])
        }
        let now = IngestLoop.nowMilliseconds()
        var intake = FeedIntake(
            document: document, directory: self.state.directory, grant: grant,
            limits: FeedIntake.Limits(
                now: now, futureToleranceMilliseconds: Int64(self.configuration.futureToleranceSeconds) * 1000,
                retentionMilliseconds: Int64(self.configuration.retentionDays) * 86_400_000))
        guard intake.forbidden.isEmpty else {
            logger.warning("token may not write these devices", metadata: ["token": "\(grant.name)", "devices": "\(intake.forbidden.sorted())"])
            return Self.json(.forbidden, ["error": "token '\(grant.name)' may not write device(s) \(intake.forbidden.sorted().joined(separator: ", "))"])
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

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
