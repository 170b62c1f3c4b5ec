// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonRules

/// `hazardmon bench rules`: readings per second through the rule engine alone, and bytes of state per channel.
///
/// A synthetic province: `--channels` rain gauges (10 per flash-flood site) reporting every 5 minutes for
/// `--days` days, with storms; one accumulation rule per gauge with the county table's 1/3/6/24 h windows,
/// a near-threshold watch, `consecutive`, hysteresis and hold. The readings are applied in batches of 1,000
/// in (time, channel) order, as the ingest loop's commits deliver them. In the same run, two baselines
/// over the same readings:
/// - **floor**: only appending each reading to its channel's array (the least any engine must do);
/// - **rescan**: the same levels computed by summing every window from scratch for each reading, as an
///   engine without running state (or one that queried the database per reading) would.
struct BenchRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Measure the rule engine's throughput and state size against same-run baselines.",
        discussion: """
            Run in release mode: Benchmarks/rules/run.sh, or
              swift build -c release &&
                .build/release/hazardmon bench rules --channels 10000 --days 2 --runs 3
            """
    )

    @Option(help: "Rain channels (10 per site).")
    var channels: Int = 10_000

    @Option(help: "Days of 5-minute readings per channel.")
    var days: Int = 2

    @Option(help: "Runs per variant; the median is reported.")
    var runs: Int = 3

    func validate() throws {
        guard self.channels >= 10, self.days >= 1, self.runs >= 1 else {
            throw ValidationError("--channels must be at least 10, --days and --runs at least 1")
        }
    }

    static let start: Int64 = 1_784_505_600_000  // 2026-07-20T00:00:00Z

    func run() async throws {
        let bound = (0..<self.channels).map { index in
            BoundChannel(
                id: Int64(index + 1), deviceID: "R\(index)", siteCode: "SH\(index / 10)", siteKind: .flashFlood,
                pointCode: "JC\(index % 10)",
                channel: Channel(code: "L3_YL_1", kind: .rain, unit: "mm", intervalSeconds: 300, validMin: 0, validMax: 300))
        }
        let table = WindowTable(
            windows: [1, 3, 6, 24].map { Int64($0) * 3_600_000 },
            tiers: [
                (.blue, [35, 55, 70, 100]), (.yellow, [45, 75, 95, 130]), (.orange, [60, 100, 120, 160]),
                (.red, [80, 120, 150, 200]),
            ])
        let rule = RuleDefinition(
            id: "ff-rain", target: .siteKind(.flashFlood), input: .sensor(.rain), unit: "mm",
            kind: .accumulation(table: table, antecedent: nil),
            persistence: Persistence(consecutive: 2, hysteresis: 0.1, hold: 1_800_000), watchFraction: 0.75)
        let rules = RuleSet(rules: [rule], fingerprint: "bench")
        let batches = Self.readings(channels: self.channels, days: self.days)
        let total = batches.reduce(0) { $0 + $1.count }
        Output.write("\(self.channels) channels, \(total) readings (\(self.days) d at 5 min), windows 1/3/6/24 h, \(self.runs) runs\n")

        var engineTimes: [Double] = []
        var transitions = 0
        var memory = 0
        for _ in 0..<self.runs {
            var engine = RuleEngine(rules: rules, channels: bound)
            let clock = ContinuousClock()
            let started = clock.now
            var count = 0
            for batch in batches { count += engine.apply(batch).transitions.count }
            engineTimes.append(Self.seconds(clock.now - started))
            transitions = count
            memory = engine.memoryBytes
        }
        var floorTimes: [Double] = []
        for _ in 0..<self.runs {
            let clock = ContinuousClock()
            let started = clock.now
            var stores = [[(Int64, Double)]](repeating: [], count: self.channels + 1)
            for batch in batches {
                for reading in batch { stores[Int(reading.channelID)].append((reading.timestamp, reading.value)) }
            }
            floorTimes.append(Self.seconds(clock.now - started))
            precondition(stores.reduce(0) { $0 + $1.count } == total)
        }
        // The rescan baseline is O(window) per reading: measured on a tenth of the channels and scaled.
        var rescanTimes: [Double] = []
        var rescanRaised = 0
        let sample = max(1, self.channels / 10)
        let sampleBatches = batches.map { $0.filter { $0.channelID <= Int64(sample) } }
        let sampleTotal = sampleBatches.reduce(0) { $0 + $1.count }
        for _ in 0..<self.runs {
            let clock = ContinuousClock()
            let started = clock.now
            var stores = [[(Int64, Double)]](repeating: [], count: sample + 1)
            var raised = 0
            for batch in sampleBatches {
                for reading in batch {
                    let c = Int(reading.channelID)
                    stores[c].append((reading.timestamp, reading.value))
                    for (w, window) in table.windows.enumerated() {
                        var sum = 0.0
                        for (ts, value) in stores[c].reversed() {
                            if ts <= reading.timestamp - window { break }
                            sum += value
                        }
                        if sum >= table.tiers[0].values[w] { raised += 1 }
                    }
                }
            }
            rescanTimes.append(Self.seconds(clock.now - started))
            rescanRaised = raised
        }
        let engineRate = Double(total) / Self.median(engineTimes)
        let floorRate = Double(total) / Self.median(floorTimes)
        let rescanRate = Double(sampleTotal) / Self.median(rescanTimes)
        var text = ""
        text += "engine: \(Self.rate(engineRate)) readings/s (median; runs \(engineTimes.map { Self.rate(Double(total) / $0) }.joined(separator: ", "))), "
        text += "\(transitions) site transitions\n"
        text += "floor (append only): \(Self.rate(floorRate)) readings/s\n"
        text += "rescan (no running state, \(sample) channels): \(Self.rate(rescanRate)) readings/s (\(rescanRaised) window hits)\n"
        text += "engine/floor ratio: \(String(format: "%.2f", engineRate / floorRate))\n"
        text += "engine/rescan ratio: \(String(format: "%.1f", engineRate / rescanRate))x\n"
        text += "goal 1,000,000 readings/s: \(engineRate >= 1_000_000 ? "met" : "not met") (\(String(format: "%.2f", engineRate / 1_000_000))x)\n"
        text += "state: \(memory / self.channels) bytes per channel with 24 h windows full (\(memory / 1_048_576) MiB for \(self.channels) channels)\n"
        Output.write(text)
    }

    /// Five-minute readings for every channel, in (time, channel) order, cut into batches of 1,000. Mostly
    /// dry with a drizzle; each site gets a storm of a few hours at a time of its own.
    static func readings(channels: Int, days: Int) -> [[ReadingRow]] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let steps = days * 288
        var all: [ReadingRow] = []
        all.reserveCapacity(steps * channels)
        for step in 0..<steps {
            let ts = Self.start + Int64(step) * 300_000
            for channel in 0..<channels {
                let site = channel / 10
                let stormStart = (site * 37) % max(1, steps - 48)
                let storming = step >= stormStart && step < stormStart + 36
                let rain = storming ? (next() * 6).rounded() / 2 : (next() < 0.1 ? 0.2 : 0)
                all.append(ReadingRow(channelID: Int64(channel + 1), timestamp: ts, value: rain))
            }
        }
        return stride(from: 0, to: all.count, by: 1000).map { Array(all[$0..<min($0 + 1000, all.count)]) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1_000_000 ? String(format: "%.2fM", perSecond / 1_000_000) : String(format: "%.0fk", perSecond / 1000)
    }
}
