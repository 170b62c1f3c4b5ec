// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonRegistry
import HazardMonRules
import HazardMonServer
import Logging
import Testing

/// The shipped example configuration, started as a user starts it: from the checkout, and copied into an
/// `/etc/hazardmon`-like folder with the state folder linked as `var` (deploy/README.md's install steps).
@Suite("The shipped example configuration starts the daemon")
struct ExampleConfigTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let example = Self.checkout.appendingPathComponent("deploy/hazardmon.example.yaml")
    static let demoToken = "hazardmon-sample-county-demo-token"

    /// One reading of the sample county's first rain gauge, through the demo or a given token.
    static func postOneReading(_ client: TestClient, token: String) async throws -> TestClient.Reply {
        try await client.post([("26669271", "L3_YL_1", stamp(-60), 0.5)], token: token)
    }

    @Test("from the checkout: deploy/ names the sample county, the demo token and deploy/var")
    func fromCheckout() async throws {
        var configuration = try ServerConfiguration.load(path: Self.example.path)
        let deploy = Self.checkout.appendingPathComponent("deploy").path
        #expect(configuration.sites == deploy + "/sites")
        #expect(configuration.thresholds == deploy + "/thresholds")
        #expect(configuration.tokens == deploy + "/tokens.yaml")
        #expect(configuration.database == deploy + "/var/hazardmon.sqlite")
        // Only the port (8080 may be taken on a test machine) and the database (tests do not write into the
        // source tree) differ from what `hazardmon serve --config deploy/hazardmon.example.yaml` uses.
        try await withTemporaryFolder { folder in
            configuration.port = 0
            configuration.metricsListen = ListenAddress(host: "127.0.0.1", port: 0)
            configuration.database = folder.appendingPathComponent("var/hazardmon.sqlite").path
            let reply = try await withDaemon(configuration: configuration) { client in
                try await Self.postOneReading(client, token: Self.demoToken)
            }
            #expect(reply.status == 200)
            #expect(reply.statuses == ["accepted"])
        }
    }

    /// An installed layout in `folder`: etc/ with the example copied unchanged, the sample register and
    /// rules, a tokens file made as the install does; state/ linked as etc/var.
    static func install(into folder: URL, tokens: Bool = true) throws -> (etc: URL, state: URL) {
        let files = FileManager.default
        let etc = folder.appendingPathComponent("etc")
        let state = folder.appendingPathComponent("state")
        try files.createDirectory(at: etc, withIntermediateDirectories: true)
        try files.createDirectory(at: state, withIntermediateDirectories: true)
        try files.copyItem(at: Self.example, to: etc.appendingPathComponent("hazardmon.yaml"))
        for name in ["sites", "thresholds"] {
            try files.copyItem(at: Self.checkout.appendingPathComponent(name), to: etc.appendingPathComponent(name))
        }
        try files.createSymbolicLink(at: etc.appendingPathComponent("var"), withDestinationURL: state)
        if tokens {
            let text = "tokens:\n  - name: gw1\n    sha256: \(TokenTable.hash(token: "gw1-token"))\n    devices: [\"*\"]\n"
            try Data(text.utf8).write(to: etc.appendingPathComponent("tokens.yaml"))
        }
        return (etc, state)
    }

    @Test("copied to an /etc/hazardmon-like folder: the database lands in the linked state folder")
    func installed() async throws {
        try await withTemporaryFolder { folder in
            let (etc, state) = try Self.install(into: folder)
            var configuration = try ServerConfiguration.load(path: etc.appendingPathComponent("hazardmon.yaml").path)
            #expect(configuration.tokens == etc.path + "/tokens.yaml")
            configuration.port = 0
            configuration.metricsListen = ListenAddress(host: "127.0.0.1", port: 0)
            let reply = try await withDaemon(configuration: configuration) { client in
                let demo = try await Self.postOneReading(client, token: Self.demoToken)
                #expect(demo.status == 401)  // the demo token is not installed
                return try await Self.postOneReading(client, token: "gw1-token")
            }
            #expect(reply.status == 200)
            #expect(reply.statuses == ["accepted"])
            #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("hazardmon.sqlite").path))
        }
    }

    /// Runs the daemon expecting a refused start; returns the error's text.
    static func refusedStart(_ configuration: ServerConfiguration) async -> String {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        do {
            try await Daemon.run(configuration: configuration, logger: logger, environment: [:]) { handle in await handle.stop() }
            return "started"
        } catch {
            return "\(error)"
        }
    }

    static func contents(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test("a missing tokens file says what to run, and the refused start creates no database")
    func missingTokens() async throws {
        try await withTemporaryFolder { folder in
            let (etc, state) = try Self.install(into: folder, tokens: false)
            let file = etc.appendingPathComponent("hazardmon.yaml").path
            var configuration = try ServerConfiguration.load(path: file)
            configuration.port = 0
            configuration.metricsListen = ListenAddress(host: "127.0.0.1", port: 0)
            let error = await Self.refusedStart(configuration)
            let tokens = etc.path + "/tokens.yaml"
            #expect(
                error
                    == "\(tokens): no tokens file (the 'tokens' key of \(file)); make it and its first token with: hazardmon tokens new --name NAME --all-devices --file \(tokens)"
            )
            #expect(Self.contents(state) == [])
        }
    }

    @Test("a one-line configuration elsewhere names the missing folders and their keys")
    func oneLine() async throws {
        try await withTemporaryFolder { folder in
            let file = folder.appendingPathComponent("hazardmon.yaml")
            try Data("listen: 127.0.0.1:0\nmetrics_listen: none\n".utf8).write(to: file)
            let configuration = try ServerConfiguration.load(path: file.path)
            let error = await Self.refusedStart(configuration)
            #expect(error.contains("\(folder.path)/sites: no such folder (the 'sites' key of \(file.path))"))
            #expect(error.contains("\(folder.path)/thresholds: no such folder (the 'thresholds' key of \(file.path))"))
            #expect(Self.contents(folder) == ["hazardmon.yaml"])
        }
    }

    @Test("bad rules or a bad register refuse the start before the database exists")
    func refusedBeforeDatabase() async throws {
        try await withTemporaryFolder { folder in
            let (etc, state) = try Self.install(into: folder)
            var configuration = try ServerConfiguration.load(path: etc.appendingPathComponent("hazardmon.yaml").path)
            configuration.port = 0
            configuration.metricsListen = ListenAddress(host: "127.0.0.1", port: 0)
            let rules = etc.appendingPathComponent("thresholds/zz-bad.yaml")
            try Data("rules:\n  - id: broken\n    sensor: rain\n".utf8).write(to: rules)
            let ruleError = await Self.refusedStart(configuration)
            #expect(ruleError.contains("zz-bad.yaml:2"))
            #expect(Self.contents(state) == [])

            try FileManager.default.removeItem(at: rules)
            let villages = etc.appendingPathComponent("sites/villages.csv")
            let text = try String(contentsOf: villages, encoding: .utf8)
            try Data((text + "not-a-code,某村,某乡\n").utf8).write(to: villages)
            let registerError = await Self.refusedStart(configuration)
            #expect(registerError.contains("villages.csv"))
            #expect(Self.contents(state) == [])
        }
    }
}
