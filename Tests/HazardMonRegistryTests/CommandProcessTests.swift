// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// Runs the `hazardmon` executable built beside this test bundle; killed after 30 s.
///
/// - Returns: The exit status, stdout bytes and stderr text.
func runHazardmon(_ arguments: [String], stdin: String = "") throws -> (status: Int32, stdout: Data, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("hazardmon")
    process.arguments = arguments
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    if exited.wait(timeout: .now() + 30) == .timedOut {
        process.terminate()
        Issue.record("hazardmon \(arguments) did not finish in 30 s")
        exited.wait()
    }
    // The outputs here are a few kilobytes, well under a pipe's buffer, so reading after exit cannot block.
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
}

/// The commands of this part as processes: `sites export`, `sites list --format json`, `geo transform`.
@Suite("hazardmon sites export/list and geo transform as processes")
struct CommandProcessTests {
    /// Imports the `mini` register into a fresh database and runs `body` with its path.
    static func withImportedRegister(_ body: (String) throws -> Void) async throws {
        try await withMiniRegister { folder in
            let db = folder + "/test.sqlite"
            let imported = try runHazardmon(["sites", "import", folder, "--db", db, "--log-level", "error"])
            try #require(imported.status == 0, "import failed: \(imported.stderr)")
            try body(db)
        }
    }

    @Test("sites export --format csv: BOM by default, GB18030 with --encoding, refused for GeoJSON")
    func export() async throws {
        try await Self.withImportedRegister { db in
            let bom = try runHazardmon(["sites", "export", "--format", "csv", "--db", db])
            #expect(bom.status == 0)
            #expect(Array(bom.stdout.prefix(7)) == [0xEF, 0xBB, 0xBF] + Array("code".utf8))

            let out = db + ".gb18030.csv"
            let gb = try runHazardmon(["sites", "export", "--format", "csv", "--encoding", "gb18030", "--out", out, "--db", db])
            #expect(gb.status == 0)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
            #expect(bytes.starts(with: Array("code,".utf8)))
            #expect(bytes.range(of: Data([0xC1, 0xFA, 0xCC, 0xB6, 0xCF, 0xE7])) != nil)  // 龙潭乡

            let plain = try runHazardmon(["sites", "export", "--format", "csv", "--encoding", "utf8", "--db", db])
            #expect(plain.stdout.starts(with: Array("code,".utf8)))

            let geojson = try runHazardmon(["sites", "export", "--format", "geojson", "--encoding", "gb18030", "--db", db])
            #expect(geojson.status == 64)
            #expect(geojson.stderr.contains("Error: --encoding applies to --format csv; GeoJSON is always UTF-8"))
        }
    }

    @Test("sites list --format json: snake_case keys of the CSV export, nothing synthesized")
    func listJSON() async throws {
        try await Self.withImportedRegister { db in
            let list = try runHazardmon(["sites", "list", "--format", "json", "--db", db])
            #expect(list.status == 0)
            let objects = try #require(try JSONSerialization.jsonObject(with: list.stdout) as? [[String: Any]])
            #expect(objects.count == 6)
            let keys = Set(objects.flatMap(\.keys))
            #expect(keys.contains("village_code") && keys.contains("given_crs") && keys.contains("east"))
            #expect(!keys.contains { $0.contains("_0") || $0 == "lonLat" || $0 == "villageCode" || $0.contains { $0.isUppercase } })
            #expect(!String(decoding: list.stdout, as: UTF8.self).contains("\"x\""))
        }
    }

    @Test("geo transform: a bad --from is one line and exit 64; rows stay aligned; exit 1 when a line failed")
    func geoTransform() throws {
        let bad = try runHazardmon(["geo", "transform", "--from", "EPSG:999999", "--to", "EPSG:4524"], stdin: "108 30\n108.1 30.1\n")
        #expect(bad.status == 64)
        #expect(bad.stderr == "hazardmon geo transform: --from: invalid CRS \"EPSG:999999\": proj_create: crs not found\n")
        #expect(bad.stdout.isEmpty)

        let mixed = try runHazardmon(
            ["geo", "transform", "--from", "EPSG:4490", "--to", "EPSG:4524"], stdin: "# lon lat\n108.2 30.5 812.5\nx y\n\n"
        )
        #expect(mixed.status == 1)
        #expect(String(decoding: mixed.stdout, as: UTF8.self) == "# lon lat\n36519199.8045 3375558.7405 812.5\n* *\n\n")
        #expect(mixed.stderr == "line 3: expected two numbers, got 'x y'\n")

        let ballpark = try runHazardmon(["geo", "transform", "--from", "EPSG:4214", "--to", "EPSG:4490"], stdin: "108.1 30.1\n")
        #expect(ballpark.status == 0)
        #expect(ballpark.stderr.hasPrefix("warning: PROJ has no published transformation from EPSG:4214 to EPSG:4490"))
        #expect(ballpark.stderr.split(separator: "\n").count == 1)
    }
}
