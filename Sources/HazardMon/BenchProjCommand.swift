// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonGeo

/// `hazardmon bench proj`: throughput of ``HazardMonGeo/Geodesy`` against a raw C `proj_trans_generic` loop.
///
/// Both sides transform the same points (``BenchProjPoints``, identical to the LCG in
/// `Benchmarks/proj/proj_c_baseline.c`) from EPSG:4490 to EPSG:4524 in batches of 10,000, several runs
/// each, and report the median. The goal is a wrapper/C ratio of at least 0.8.
struct BenchProjCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proj",
        abstract: "Measure PROJ wrapper throughput against a raw C proj_trans_generic loop.",
        discussion: """
            Transforms the same pseudo-random points (106.5-109.5E, 28-32N) from
            EPSG:4490 to EPSG:4524 through Geodesy.transform in batches of 10,000, with
            and without the area-of-use check, then runs the compiled C baseline on the
            same points and prints the ratio of the medians.

            Build the baseline and run everything in release mode with
            Benchmarks/proj/run.sh, e.g.:
              Benchmarks/proj/run.sh --points 2000000 --runs 7
            """
    )

    @Option(help: "Points transformed per run.")
    var points: Int = 1_000_000

    @Option(help: "Runs per variant; the median is reported.")
    var runs: Int = 5

    @Option(help: "Path of the compiled C baseline (see Benchmarks/proj/run.sh).")
    var baseline: String = ".build/bench/proj_c_baseline"

    static let source = "EPSG:4490"
    static let target = "EPSG:4524"
    static let batchSize = 10_000

    func validate() throws {
        guard self.points > 0 else { throw ValidationError("--points must be positive") }
        guard self.runs > 0 else { throw ValidationError("--runs must be positive") }
    }

    func run() async throws {
        let input = BenchProjPoints.generate(count: self.points)
        let batches = stride(from: 0, to: input.count, by: Self.batchSize).map { start in
            Array(input[start..<min(start + Self.batchSize, input.count)])
        }
        print(
            "proj bench: \(self.points) points x \(self.runs) runs, \(Self.source) -> \(Self.target), "
                + "batches of \(Self.batchSize)"
        )

        let geodesy = try Geodesy()
        let unchecked: Measurement
        let checked: Measurement
        do {
            // Build the transformation (reads proj.db) before timing, as the C side does.
            try await geodesy.prepare(from: Self.source, to: Self.target)
            unchecked = try await self.measure(geodesy, batches, checkArea: false)
            print("wrapper, checkArea: false: \(unchecked.summary)")
            checked = try await self.measure(geodesy, batches, checkArea: true)
            print("wrapper, checkArea: true:  \(checked.summary)")
        } catch {
            await geodesy.close()
            throw error
        }
        await geodesy.close()

        let c = try self.runBaseline()
        print("C proj_trans_generic:      \(c.summary)")
        if c.checksum != unchecked.checksum {
            print("warning: checksums differ (wrapper \(unchecked.checksum), C \(c.checksum)): not the same work")
        }
        print(
            "proj wrapper/C ratio: \(Self.ratio(unchecked.median, c.median)) "
                + "(wrapper \(Self.rate(unchecked.median)) pts/s, C \(Self.rate(c.median)) pts/s)"
        )
        print(
            "proj wrapper(checkArea)/C ratio: \(Self.ratio(checked.median, c.median)) "
                + "(wrapper \(Self.rate(checked.median)) pts/s, C \(Self.rate(c.median)) pts/s)"
        )
    }

    /// Points per second of each run, and the checksum of the last run's output.
    struct Measurement {
        var rates: [Double]
        var checksum: String

        var median: Double {
            let sorted = self.rates.sorted()
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }

        var summary: String {
            "median \(BenchProjCommand.rate(self.median)) pts/s (runs: "
                + self.rates.map { BenchProjCommand.rate($0) }.joined(separator: ", ") + ")"
        }
    }

    private func measure(_ geodesy: Geodesy, _ batches: [[Coordinate2D]], checkArea: Bool) async throws -> Measurement {
        var rates: [Double] = []
        var checksum = 0.0
        let clock = ContinuousClock()
        for _ in 0..<self.runs {
            checksum = 0
            let start = clock.now
            for batch in batches {
                let output = try await geodesy.transform(batch, from: Self.source, to: Self.target, checkArea: checkArea)
                // The same reduction as the C side, in the same order, so the checksums must agree exactly.
                for point in output {
                    checksum += point.x + point.y
                }
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            rates.append(Double(self.points) / seconds)
        }
        return Measurement(rates: rates, checksum: String(format: "%.6f", checksum))
    }

    private func runBaseline() throws -> Measurement {
        guard FileManager.default.isExecutableFile(atPath: self.baseline) else {
            throw ValidationError(
                "C baseline not found at \(self.baseline); build it with Benchmarks/proj/run.sh or pass --baseline"
            )
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.baseline)
        process.arguments = [String(self.points), String(self.runs)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ValidationError("C baseline exited with status \(process.terminationStatus): \(output)")
        }
        var rates: [Double] = []
        var checksum = ""
        for line in output.split(separator: "\n") {
            if line.hasPrefix("run "), let rate = line.split(separator: " ").dropFirst(2).first.flatMap({ Double($0) }) {
                rates.append(rate)
            } else if line.hasPrefix("checksum=") {
                checksum = String(line.dropFirst("checksum=".count))
            }
        }
        guard rates.count == self.runs else {
            throw ValidationError("unexpected output from the C baseline:\n\(output)")
        }
        return Measurement(rates: rates, checksum: checksum)
    }

    static func rate(_ pointsPerSecond: Double) -> String {
        String(format: "%.2fM", pointsPerSecond / 1e6)
    }

    static func ratio(_ wrapper: Double, _ c: Double) -> String {
        String(format: "%.2fx", wrapper / c)
    }
}

/// The benchmark's points: uniform over 106.5-109.5E, 28-32N, from the same 64-bit LCG (Knuth's MMIX
/// constants, seed 20261129, lon drawn before lat) as `Benchmarks/proj/proj_c_baseline.c`.
enum BenchProjPoints {
    static func generate(count: Int) -> [Coordinate2D] {
        var state: UInt64 = 20_261_129
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * (1.0 / 9_007_199_254_740_992.0)
        }
        return (0..<count).map { _ in
            let lon = 106.5 + 3.0 * next()
            let lat = 28.0 + 4.0 * next()
            return Coordinate2D(lon: lon, lat: lat)
        }
    }
}
