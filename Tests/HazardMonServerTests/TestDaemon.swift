// SPDX-License-Identifier: Apache-2.0
import Foundation
import FoundationNetworking
import HazardMonServer
import Logging
import Testing

/// A small register written into a temporary folder: two sites, five devices.
enum TestRegister {
    static let files: [String: String] = [
        "county.yaml": """
            name: 测试县
            region_code: "500999"
            working_crs: EPSG:4545
            extent: [107.6, 29.6, 108.6, 30.6]
            """,
        "villages.csv": "code,name,township\n500999001001,青岩村,青岩镇\n500999002001,龙潭村,龙潭乡\n",
        "geohazard.csv": """
            code,name,township,village_code,crs,lon,lat,hazard_type,people
            G001,青岩村滑坡,青岩镇,500999001001,EPSG:4490,108.123456,30.123456,landslide,41

            """,
        "flash_flood.csv": """
            code,name,township,village_code,crs,lon,lat,river,people
            F001,龙潭河龙潭村段,龙潭乡,500999002001,EPSG:4490,108.05,30.11,龙潭河,102

            """,
        "devices.csv": """
            site_code,point_code,point_name,device_id,channel,kind,unit,interval_s,min,max
            G001,P1,雨量,10000001,L3_YL_1,rain,mm,300,0,300
            G001,P1,雨量,10000001,L3_HS_1,soil_moisture,%,600,0,100
            G001,P2,裂缝,10000002,L1_LF_1,crack,mm,600,0,2000
            G001,P3,GNSS,10000004,L1_GP_X,gnss,mm,3600,-5000,5000
            G001,P3,GNSS,10000004,L1_GP_Y,gnss,mm,3600,-5000,5000
            G001,P3,GNSS,10000004,L1_GP_Z,gnss,mm,3600,-5000,5000
            G001,P4,倾角,10000005,L1_QJ_X,tilt,°,600,-90,90
            G001,P4,倾角,10000005,L1_QJ_Y,tilt,°,600,-90,90
            F001,W1,水位,10000003,L3_DB_1,water_level,m,300,0,30

            """,
    ]

    /// Rules for the register: rain at G001, water level at every flash-flood site.
    static let rules = """
        rules:
          - id: g-rain
            applies_to: {site: G001}
            sensor: rain
            accumulation: {windows: [1h], tiers: {blue: [35], yellow: [45]}}
          - id: f-water
            applies_to: {kind: flash_flood}
            sensor: water_level
            level: {tiers: {blue: 1.5, yellow: 2.0}}
        """

    static let countyToken = "county-gateway-token"
    static let floodToken = "flood-station-token"

    static func tokensFile() -> String {
        """
        tokens:
          - name: county
            sha256: \(TokenTable.hash(token: Self.countyToken))
            devices: ["*"]
          - name: flood
            sha256: \(TokenTable.hash(token: Self.floodToken))
            sites: ["F001"]
        """
    }

    /// Writes the register, the rules and the tokens into `folder`.
    static func write(into folder: URL) throws {
        let thresholds = folder.appendingPathComponent("thresholds")
        try FileManager.default.createDirectory(at: thresholds, withIntermediateDirectories: true)
        try Data(Self.rules.utf8).write(to: thresholds.appendingPathComponent("rules.yaml"))
        let sites = folder.appendingPathComponent("sites")
        try FileManager.default.createDirectory(at: sites, withIntermediateDirectories: true)
        for (name, text) in Self.files {
            try Data(text.utf8).write(to: sites.appendingPathComponent(name))
        }
        try Data(Self.tokensFile().utf8).write(to: folder.appendingPathComponent("tokens.yaml"))
    }
}

/// A temporary folder, removed afterwards.
func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hazardmon-server-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

/// A real daemon on 127.0.0.1 with an ephemeral port, on a real SQLite file, stopped afterwards.
func withDaemon<T>(
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (TestClient, URL) async throws -> T
) async throws -> T {
    try await withTemporaryFolder { folder in
        try TestRegister.write(into: folder)
        return try await withDaemon(in: folder, configure: configure, body)
    }
}

/// A real daemon on the register, rules and database already in `folder` (as a restart finds them).
func withDaemon<T>(
    in folder: URL, configure: (inout ServerConfiguration) -> Void = { _ in }, environment: [String: String] = [:],
    _ body: (TestClient, URL) async throws -> T
) async throws -> T {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.tickIntervalMilliseconds = 10
    configuration.metricsListen = ListenAddress(host: "127.0.0.1", port: 0)
    configuration = configuration.resolvingPaths(against: folder.path)
    configure(&configuration)
    configuration.database = folder.appendingPathComponent("hazardmon.sqlite").path
    configuration.sites = folder.appendingPathComponent("sites").path
    configuration.tokens = folder.appendingPathComponent("tokens.yaml").path
    return try await withDaemon(configuration: configuration, environment: environment) { client in try await body(client, folder) }
}

/// A real daemon with exactly `configuration` (its port should be 0), stopped afterwards.
func withDaemon<T>(
    configuration: ServerConfiguration, environment: [String: String] = [:], _ body: (TestClient) async throws -> T) async throws -> T {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let (handles, continuation) = AsyncStream.makeStream(of: DaemonHandle.self)
    let config = configuration
    let task = Task {
        // Finishing the stream lets a daemon that fails before listening end the wait below.
        defer { continuation.finish() }
        try await Daemon.run(configuration: config, logger: logger, environment: environment) { handle in
            continuation.yield(handle)
        }
    }
    var iterator = handles.makeAsyncIterator()
    guard let handle = await iterator.next() else {
        try await task.value
        throw TestFailure("the daemon stopped before it listened")
    }
    do {
        let result = try await body(TestClient(port: handle.port, metricsPort: handle.metricsPort))
        await handle.stop()
        try await task.value
        return result
    } catch {
        await handle.stop()
        _ = try? await task.value
        throw error
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A plain HTTP client (URLSession over libcurl) for the daemon under test.
struct TestClient: Sendable {
    let port: Int
    /// The `metrics_listen` listener's port, when there is one.
    var metricsPort: Int? = nil

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: self.body, as: UTF8.self) }
        /// `results[i].status` of a feed reply.
        var statuses: [String] { (self.json["results"] as? [[String: Any]] ?? []).map { $0["status"] as? String ?? "?" } }
        var reasons: [String] { (self.json["results"] as? [[String: Any]] ?? []).map { $0["reason"] as? String ?? "" } }
        func count(_ key: String) -> Int { self.json[key] as? Int ?? -1 }
    }

    func request(
        _ method: String, _ path: String, body: Data? = nil, token: String? = nil, headers extra: [String: String] = [:],
        port: Int? = nil
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port ?? self.port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in extra { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            headers[String(describing: key).lowercased()] = String(describing: value)
        }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }

    /// `GET /metrics` from the metrics listener.
    func metrics() async throws -> Reply {
        guard let port = self.metricsPort else { throw TestFailure("the daemon has no metrics listener") }
        return try await self.request("GET", "/metrics", port: port)
    }

    /// POSTs `{"readings":[…]}` built from (device, channel, ts, value) tuples.
    func post(_ readings: [(String, String, String, Any)], token: String? = TestRegister.countyToken) async throws -> Reply {
        let items = readings.map { ["device": $0.0, "channel": $0.1, "ts": $0.2, "value": $0.3] as [String: Any] }
        let body = try JSONSerialization.data(withJSONObject: ["readings": items])
        return try await self.request("POST", "/v1/readings", body: body, token: token)
    }

    func post(raw: String, token: String? = TestRegister.countyToken) async throws -> Reply {
        try await self.request("POST", "/v1/readings", body: Data(raw.utf8), token: token)
    }
}

/// RFC 3339 for `seconds` from now, UTC.
func stamp(_ secondsFromNow: Double = 0) -> String {
    Date(timeIntervalSinceNow: secondsFromNow).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}
