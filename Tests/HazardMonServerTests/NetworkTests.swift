// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HazardMonServer
import HazardMonStore
import Testing

/// The feed port against a hostile or broken network, over real sockets on 127.0.0.1 (`RawConnection`).
/// Timeouts are set to 1 s so that every test ends within a few seconds.
@Suite("The feed port against the network")
struct NetworkTests {
    static func shortTimeouts(_ configuration: inout ServerConfiguration) {
        configuration.idleTimeoutSeconds = 1
        configuration.readTimeoutSeconds = 1
    }

    static func metric(_ client: TestClient, _ name: String) async throws -> Double? {
        let text = try await client.metrics().text
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    static let body = #"{"readings":[{"device":"10000001","channel":"L3_YL_1","ts":"\#(stamp(-60))","value":1.5}]}"#

    @Test("an idle connection and one that stalls in its header are closed after idle_timeout_s")
    func idleAndHeaderTimeout() async throws {
        try await withDaemon(configure: Self.shortTimeouts) { client, _ in
            let idle = try RawConnection(port: client.port)
            let halfHeader = try RawConnection(port: client.port)
            #expect(await halfHeader.send("POST /v1/readings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"))
            try await Task.sleep(for: .milliseconds(400))
            #expect(await !idle.waitForEnd(within: .zero), "still open before the timeout")
            #expect(await idle.waitForEnd(within: .seconds(3)))
            #expect(await halfHeader.waitForEnd(within: .seconds(3)))
            #expect(idle.received.isEmpty && halfHeader.received.isEmpty)
            // Keep-alive between requests counts as idle too.
            let keepAlive = try RawConnection(port: client.port)
            #expect(await keepAlive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
            #expect(await keepAlive.waitFor("HTTP/1.1 200 OK", within: .seconds(2)))
            #expect(await keepAlive.waitForEnd(within: .seconds(3)))
            #expect(try await Self.metric(client, "hazardmon_http_connections") == 0)
        }
    }

    @Test("a body that stalls is cut after read_timeout_s, counted, and its connection freed")
    func bodyReadTimeout() async throws {
        // Hummingbird's idle timer also cuts a body that stops (uncounted), so it must be the later one here,
        // as it is with the defaults (30 s idle, 15 s read); at 1 s each the two raced on a busy machine.
        try await withDaemon(configure: {
            $0.idleTimeoutSeconds = 3
            $0.readTimeoutSeconds = 1
        }) { client, folder in
            let stalled = try RawConnection(port: client.port)
            let head = "POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestRegister.countyToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(Self.body.utf8.count)\r\n\r\n"
            #expect(await stalled.send(head + Self.body.dropLast(1)))
            let started = ContinuousClock.now
            #expect(await stalled.waitForEnd(within: .seconds(4)))
            #expect(ContinuousClock.now - started >= .milliseconds(800))
            #expect(try await Self.metric(client, "hazardmon_http_read_timeouts_total") == 1)
            #expect(try await Self.metric(client, "hazardmon_http_connections") == 0)
            let stored = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                try await $0.readingCount()
            }
            #expect(stored == 0)
        }
    }

    @Test("bodies beyond body_memory_bytes get 503 with Retry-After before they are read; the budget comes back")
    func bodyMemoryBudget() async throws {
        try await withDaemon(configure: {
            Self.shortTimeouts(&$0)
            $0.bodyLimitBytes = 1024
            $0.bodyMemoryBytes = 1024
        }) { client, _ in
            let stalled = try RawConnection(port: client.port)
            #expect(
                await stalled.send(
                    "POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestRegister.countyToken)\r\nContent-Length: 1000\r\n\r\n{"))
            try await Task.sleep(for: .milliseconds(200))
            let refused = try await client.post(raw: Self.body)
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(refused.json["error"] as? String == "too many request bodies in flight; retry")
            #expect(await stalled.waitForEnd(within: .seconds(3)))  // read_timeout_s frees its reservation
            #expect(try await client.post(raw: Self.body).status == 200)
        }
    }

    @Test("beyond max_connections new connections are closed at once, counted and logged; readiness says why")
    func connectionCap() async throws {
        try await withDaemon(configure: { $0.maxConnections = 3 }) { client, _ in
            var held: [RawConnection] = []
            for _ in 0..<3 {
                let connection = try RawConnection(port: client.port)
                #expect(await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
                #expect(await connection.waitFor("HTTP/1.1 200 OK", within: .seconds(2)))
                held.append(connection)
            }
            let extra = try RawConnection(port: client.port)
            _ = await extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await extra.waitForEnd(within: .seconds(2)))
            #expect(!extra.text.contains("200 OK"))
            #expect(try await Self.metric(client, "hazardmon_http_connections_refused_total") == 1)
            #expect(try await Self.metric(client, "hazardmon_http_connections") == 3)
            let ready = try await client.request("GET", "/readyz", port: client.metricsPort)
            #expect(ready.status == 503)
            #expect(ready.json["reason"] as? String == "the feed is at its connection cap (max_connections 3)")
            // One closes: the next connection is served.
            held.removeLast()
            try await Task.sleep(for: .milliseconds(200))
            let next = try RawConnection(port: client.port)
            #expect(await next.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
            #expect(await next.waitFor("HTTP/1.1 200 OK", within: .seconds(2)))
        }
    }

    @Test("the systemd watchdog status says when the feed refuses connections")
    func watchdogStatus() async throws {
        let socket = try NotifyReceiver()
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let environment = ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "200000"]
            try await withDaemon(in: folder, configure: { $0.maxConnections = 1 }, environment: environment) { client, _ in
                #expect(await socket.waitFor("; 0 connections", within: .seconds(3)), "\(socket.received)")
                let held = try RawConnection(port: client.port)
                #expect(await held.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
                #expect(await held.waitFor("200 OK", within: .seconds(2)))
                let refused = try RawConnection(port: client.port)
                #expect(await refused.waitForEnd(within: .seconds(2)))
                #expect(
                    await socket.waitFor("; 1 connections; the feed is at its connection cap (max_connections 1)", within: .seconds(3)),
                    "\(socket.received)")
            }
        }
    }

    @Test("after a 400 for a huge header the server reads the rest, sees the FIN and closes: no FIN-WAIT-2")
    func noFinWait2AfterBadRequest() async throws {
        try await withDaemon { client, _ in
            let header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 4 * 1024 * 1024) + "\r\n\r\n"
            var connections: [RawConnection] = []
            for _ in 0..<5 {
                let connection = try RawConnection(port: client.port)
                _ = await connection.send(header, within: .seconds(5))
                #expect(await connection.waitFor("HTTP/1.1 400 Bad Request", within: .seconds(5)))
                #expect(connection.text.lowercased().contains("connection: close"))
                #expect(await connection.waitForEnd(within: .seconds(3)), "the server sent its FIN after the 400")
                connections.append(connection)
            }
            connections.removeAll()  // the clients close
            let deadline = ContinuousClock.now + .seconds(4)
            while ContinuousClock.now < deadline, try await Self.metric(client, "hazardmon_http_connections") != 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await Self.metric(client, "hazardmon_http_connections") == 0)
            #expect(tcpSockets(localPort: client.port, state: "05") == 0, "sockets left in FIN-WAIT-2")
        }
    }

    @Test("Expect: 100-continue is answered at once for a known token, and not for an unknown one")
    func expectContinue() async throws {
        try await withDaemon { client, _ in
            let connection = try RawConnection(port: client.port)
            let started = ContinuousClock.now
            #expect(
                await connection.send(
                    "POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestRegister.countyToken)\r\n"
                        + "Content-Length: \(Self.body.utf8.count)\r\nExpect: 100-continue\r\n\r\n"))
            #expect(await connection.waitFor("HTTP/1.1 100 Continue\r\n", within: .seconds(1)))
            #expect(ContinuousClock.now - started < .milliseconds(500))
            #expect(await connection.send(Self.body))
            #expect(await connection.waitFor("\"accepted\":1", within: .seconds(3)))
            #expect(connection.text.contains("HTTP/1.1 200 OK"))

            let unknown = try RawConnection(port: client.port)
            #expect(
                await unknown.send(
                    "POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guessed\r\n"
                        + "Content-Length: \(Self.body.utf8.count)\r\nExpect: 100-continue\r\n\r\n"))
            #expect(await unknown.waitFor("HTTP/1.1 401 Unauthorized", within: .seconds(2)))
            #expect(!unknown.text.contains("100 Continue"))
            #expect(await unknown.waitForEnd(within: .seconds(3)), "closed without reading the unauthenticated body")
        }
    }

    @Test("broken chunk framing is a 400 naming the framing, not a 413; the connection is closed")
    func badChunkFraming() async throws {
        try await withDaemon { client, _ in
            let connection = try RawConnection(port: client.port)
            #expect(
                await connection.send(
                    "POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestRegister.countyToken)\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"rea\r\nzz\r\nnot a chunk\r\n"))
            #expect(await connection.waitFor("\r\n\r\n{", within: .seconds(3)))
            #expect(connection.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "got \(connection.text)")
            #expect(connection.text.contains(#""error":"the request body could not be read: malformed HTTP framing"#))
            #expect(await connection.waitForEnd(within: .seconds(3)))
        }
    }

    @Test("a declared Content-Length over the limit is 413 before any body is sent")
    func declaredTooLarge() async throws {
        try await withDaemon { client, _ in
            let connection = try RawConnection(port: client.port)
            #expect(
                await connection.send(
                    "POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestRegister.countyToken)\r\n"
                        + "Content-Length: 4194305\r\nExpect: 100-continue\r\n\r\n"))
            #expect(await connection.waitFor("HTTP/1.1 413 Payload Too Large", within: .seconds(2)), "got \(connection.text)")
            #expect(!connection.text.contains("100 Continue"))
            #expect(await connection.waitForEnd(within: .seconds(3)))
        }
    }

    @Test("HEAD /healthz is 200; a path's other methods are 405 with Allow")
    func methods() async throws {
        try await withDaemon { client, _ in
            #expect(try await client.request("HEAD", "/healthz").status == 200)
            #expect(try await client.request("HEAD", "/readyz").status == 200)
            let put = try await client.request("PUT", "/v1/readings", body: Data("{}".utf8), token: TestRegister.countyToken)
            #expect(put.status == 405)
            #expect(put.headers["allow"] == "POST")
            let get = try await client.request("GET", "/v1/readings")
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
            let post = try await client.request("POST", "/healthz", body: Data())
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            #expect(try await client.request("GET", "/nothing").status == 404)
        }
    }

    @Test("metrics only on metrics_listen; with none, nowhere")
    func metricsListener() async throws {
        try await withDaemon { client, _ in
            #expect(try await client.request("GET", "/metrics").status == 404)
            let metrics = try await client.metrics()
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("hazardmon_http_connections "))
            #expect(try await client.request("GET", "/healthz", port: client.metricsPort).status == 200)
            #expect(try await client.request("POST", "/v1/readings", body: Data(Self.body.utf8), port: client.metricsPort).status == 404)
        }
        try await withDaemon(configure: { $0.metricsListen = nil }) { client, _ in
            let status = try await client.request("GET", "/metrics").status
            #expect(client.metricsPort == nil && status == 404)
        }
    }

    @Test("a port in use names the address and the configuration key")
    func busyPort() async throws {
        try await withDaemon { first, _ in
            try await withTemporaryFolder { folder in
                try TestRegister.write(into: folder)
                let error = await #expect(throws: ConfigurationError.self) {
                    try await withDaemon(in: folder, configure: { $0.port = first.port }) { _, _ in }
                }
                #expect(
                    error?.description
                        == "listen: 127.0.0.1:\(first.port) is already in use (another hazardmon, or another server); stop it or set listen to a free port")
                let metricsError = await #expect(throws: ConfigurationError.self) {
                    try await withDaemon(in: folder, configure: { $0.metricsListen = ListenAddress(host: "127.0.0.1", port: first.port) }) { _, _ in }
                }
                #expect(metricsError?.description.hasPrefix("metrics_listen: 127.0.0.1:\(first.port) is already in use") == true)
            }
        }
    }
}

@Suite("Feed tokens")
struct FeedTokenTests {
    static let demoTokens = """
        tokens:
          - name: sample-county-demo
            sha256: \(TokenTable.demoTokenHash)
            devices: ["*"]
        """

    @Test("two entries with the same hash are refused, naming both lines")
    func duplicateHash() throws {
        let hash = TokenTable.hash(token: "one-token")
        let text = """
            tokens:
              - name: flood
                sha256: \(hash)
                sites: ["F001"]
              - name: county
                sha256: \(hash.uppercased())
                devices: ["*"]
            """
        let error = #expect(throws: ConfigurationError.self) { try TokenTable.parse(text, file: "tokens.yaml") }
        #expect(error?.problems == ["tokens.yaml:5: sha256: token 'county' has the same hash as token 'flood' at line 2; list each token once"])
    }

    @Test("a missing tokens file says how to make one")
    func missingFile() throws {
        let error = #expect(throws: ConfigurationError.self) { try TokenTable.load(path: "/nonexistent/hazardmon/tokens.yaml") }
        #expect(
            error?.description
                == "/nonexistent/hazardmon/tokens.yaml: no tokens file; create it with: hazardmon tokens new --name NAME --all-devices --file /nonexistent/hazardmon/tokens.yaml"
        )
    }

    @Test("the published demo token is refused beyond loopback and accepted on loopback")
    func demoToken() async throws {
        let table = try TokenTable.parse(Self.demoTokens, file: "t.yaml")
        #expect(table.demoTokenNames == ["sample-county-demo"])
        #expect(TokenTable.hash(token: "hazardmon-sample-county-demo-token") == TokenTable.demoTokenHash)
        let error = #expect(throws: ConfigurationError.self) {
            try table.checkDemoToken(file: "t.yaml", listen: ListenAddress(host: "0.0.0.0", port: 8080))
        }
        #expect(
            error?.description
                == "t.yaml: token 'sample-county-demo' is the published demo token (deploy/sample-tokens.yaml); it is refused while listen is 0.0.0.0:8080, which is not loopback. Make real tokens with: hazardmon tokens new --name NAME --all-devices --file t.yaml"
        )
        #expect(throws: Never.self) { try table.checkDemoToken(file: "t.yaml", listen: ListenAddress(host: "127.0.0.1", port: 8080)) }
        #expect(throws: Never.self) { try table.checkDemoToken(file: "t.yaml", listen: ListenAddress(host: "::1", port: 8080)) }

        // The daemon refuses to start with it on 0.0.0.0 (nothing is bound before the check).
        try await withTemporaryFolder { folder in
            try TestRegister.write(into: folder)
            let file = folder.appendingPathComponent("tokens.yaml")
            try Data(Self.demoTokens.utf8).write(to: file)
            // What a SIGHUP reload reads with: refused beyond loopback (the previous tokens stay), taken on loopback.
            #expect(throws: ConfigurationError.self) { try TokenTable.load(path: file.path, listen: ListenAddress(host: "0.0.0.0", port: 8080)) }
            #expect(try TokenTable.load(path: file.path, listen: ListenAddress(host: "127.0.0.1", port: 8080)).count == 1)
            let refused = await #expect(throws: ConfigurationError.self) {
                try await withDaemon(in: folder, configure: { $0.host = "0.0.0.0" }) { _, _ in }
            }
            #expect(refused?.description.contains("is the published demo token") == true)
            // On loopback it serves (with a warning in the log).
            let status = try await withDaemon(in: folder) { client, _ in try await client.request("GET", "/healthz").status }
            #expect(status == 200)
        }
    }
}

@Suite("Network configuration keys")
struct NetworkConfigurationTests {
    @Test("metrics_listen, idle_timeout_s, read_timeout_s and max_connections are read and checked")
    func keys() throws {
        let configuration = try ServerConfiguration.parse(
            "metrics_listen: 127.0.0.1:9999\nidle_timeout_s: 5\nread_timeout_s: 7\nmax_connections: 200\n", file: "c.yaml", baseFolder: ".")
        #expect(configuration.metricsListen == ListenAddress(host: "127.0.0.1", port: 9999))
        #expect(configuration.idleTimeoutSeconds == 5 && configuration.readTimeoutSeconds == 7 && configuration.maxConnections == 200)
        #expect(ServerConfiguration().bodyMemoryBytes == 268_435_456)
        let small = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.parse("body_limit_bytes: 8192\nbody_memory_bytes: 4096\n", file: "c.yaml", baseFolder: ".")
        }
        #expect(small?.problems == ["c.yaml:2: body_memory_bytes: 4096 is below body_limit_bytes (8192); no full-size batch could be taken"])
        #expect(try ServerConfiguration.parse("metrics_listen: none\n", file: "c.yaml", baseFolder: ".").metricsListen == nil)
        let defaults = ServerConfiguration()
        #expect(defaults.metricsListen == ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(defaults.idleTimeoutSeconds == 30 && defaults.readTimeoutSeconds == 15 && defaults.maxConnections == 1000)
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.parse("metrics_listen: everywhere\nmax_connections: 0\n", file: "c.yaml", baseFolder: ".")
        }
        #expect(
            Set(error?.problems ?? []) == [
                "c.yaml:1: metrics_listen: 'everywhere' is not HOST:PORT (e.g. 127.0.0.1:9464) or none",
                "c.yaml:2: max_connections: '0' must be a whole number in 1...1000000",
            ])
    }
}

/// An abstract-namespace datagram socket standing in for systemd's `NOTIFY_SOCKET`.
final class NotifyReceiver {
    let address: String
    private let descriptor: Int32
    private(set) var received: [String] = []

    init() throws {
        let name = "hazardmon-network-test-\(UUID().uuidString)"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8] = [0] + Array(name.utf8)
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count)
        let result = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard result == 0 else {
            close(fd)
            throw TestFailure("bind @\(name): errno \(errno)")
        }
        self.descriptor = fd
        self.address = "@" + name
    }

    deinit { close(self.descriptor) }

    /// Waits until a received datagram contains `text`.
    func waitFor(_ text: String, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                let datagram = String(decoding: buffer[..<count], as: UTF8.self)
                self.received.append(datagram)
                if datagram.contains(text) { return true }
            } else {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        return false
    }
}
