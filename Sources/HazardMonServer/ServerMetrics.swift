// SPDX-License-Identifier: Apache-2.0
import CoreMetrics
import Foundation
import HazardMonCore
import HazardMonStore
import Metrics
import Prometheus
import Synchronization

/// The daemon's metrics, recorded through swift-metrics into one Prometheus registry per server (no
/// process-global bootstrap, so several servers can run in one test process).
///
/// | name | type | meaning |
/// |---|---|---|
/// | `hazardmon_readings_total{result}` | counter | readings by outcome: accepted, duplicate, conflict, ignored, and rejected |
/// | `hazardmon_readings_rejected_total{reason}` | counter | rejections by reason: unknown_device, unknown_channel, bad_timestamp, future, too_old, out_of_range, not_a_number |
/// | `hazardmon_requests_total{status}` | counter | feed requests by HTTP status |
/// | `hazardmon_ingest_queue_depth` | gauge | readings waiting for the next commit |
/// | `hazardmon_ingest_batch_size` | histogram | readings per commit |
/// | `hazardmon_ingest_commit_seconds` | histogram | commit latency |
/// | `hazardmon_device_last_seen_age_seconds{device}` | gauge | seconds since a device's last reading, as of the scrape |
/// | `hazardmon_device_battery_percent{device}` | gauge | battery from the device's last status block |
/// | `hazardmon_device_supply_volts{device}` | gauge | external supply voltage from the last status block |
/// | `hazardmon_device_sensor_faults{device}` | gauge | channels the last status block reports not ok (sensor_state ≠ 0) |
/// | `hazardmon_site_level{site}` | gauge | a site's warning level after its last transition: 0 none, 1 blue, 2 yellow, 3 orange, 4 red |
/// | `hazardmon_level_transitions_total{to}` | counter | committed site level transitions by the level reached |
/// | `hazardmon_rule_notices_total{kind}` | counter | committed notices raised, by kind: no_data, device_fault, low_battery, near_threshold |
/// | `hazardmon_http_connections` | gauge | open feed connections |
/// | `hazardmon_http_connections_refused_total` | counter | feed connections closed on accept because `max_connections` were open |
/// | `hazardmon_http_read_timeouts_total` | counter | feed connections closed because a request body stalled longer than `read_timeout_s` |
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    let queueDepth: CoreMetrics.Recorder
    private let batchSize: CoreMetrics.Recorder
    private let commitLatency: CoreMetrics.Timer
    private let results: [ItemResult.Status: CoreMetrics.Counter]
    private let lastSeen = Mutex<[String: Int64]>([:])
    private let connections: CoreMetrics.Recorder
    private let connectionsRefused: CoreMetrics.Counter
    private let readTimeouts: CoreMetrics.Counter

    public init() {
        var factory = PrometheusMetricsFactory(registry: self.registry)
        factory.defaultValueHistogramBuckets = [1, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000]
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(1000),
        ]
        self.factory = factory
        self.queueDepth = CoreMetrics.Gauge(label: "hazardmon_ingest_queue_depth", factory: factory)
        self.batchSize = CoreMetrics.Recorder(label: "hazardmon_ingest_batch_size", aggregate: true, factory: factory)
        self.commitLatency = CoreMetrics.Timer(label: "hazardmon_ingest_commit_seconds", factory: factory)
        var results: [ItemResult.Status: CoreMetrics.Counter] = [:]
        for status in ItemResult.Status.allCases {
            results[status] = CoreMetrics.Counter(label: "hazardmon_readings_total", dimensions: [("result", status.rawValue)], factory: factory)
        }
        self.results = results
        self.connections = CoreMetrics.Gauge(label: "hazardmon_http_connections", factory: factory)
        self.connectionsRefused = CoreMetrics.Counter(label: "hazardmon_http_connections_refused_total", factory: factory)
        self.readTimeouts = CoreMetrics.Counter(label: "hazardmon_http_read_timeouts_total", factory: factory)
        self.connections.record(0)
    }

    func recordConnections(open: Int) {
        self.connections.record(open)
    }

    func recordConnectionRefused() {
        self.connectionsRefused.increment()
    }

    func recordReadTimeout() {
        self.readTimeouts.increment()
    }

    func recordCommit(batchSize: Int, duration: Duration, outcomes: [ReadingOutcome]) {
        self.batchSize.record(batchSize)
        self.commitLatency.recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Counts a request's final results and notes when each device was last heard from.
    func record(results: [ItemResult], at now: Int64) {
        var counts: [ItemResult.Status: Int] = [:]
        var devices: Set<String> = []
        for result in results {
            counts[result.status, default: 0] += 1
            if result.status == .rejected {
                CoreMetrics.Counter(label: "hazardmon_readings_rejected_total", dimensions: [("reason", Self.reasonCode(result.reason))], factory: self.factory)
                    .increment()
            } else {
                devices.insert(result.device)
            }
        }
        for (status, count) in counts { self.results[status]?.increment(by: count) }
        if !devices.isEmpty {
            self.lastSeen.withLock { seen in
                for device in devices { seen[device] = max(seen[device] ?? now, now) }
            }
        }
    }

    /// Committed site level transitions and notices of the rule engine.
    func record(transitions: [LevelTransition], notices: [RuleNotice]) {
        for transition in transitions {
            CoreMetrics.Gauge(label: "hazardmon_site_level", dimensions: [("site", transition.siteCode)], factory: self.factory)
                .record(transition.to.rawValue)
            CoreMetrics.Counter(label: "hazardmon_level_transitions_total", dimensions: [("to", transition.to.name)], factory: self.factory)
                .increment()
        }
        for notice in notices where notice.active {
            CoreMetrics.Counter(label: "hazardmon_rule_notices_total", dimensions: [("kind", notice.kind.rawValue)], factory: self.factory)
                .increment()
        }
    }

    /// Device health from committed status blocks (the newest per device wins within a request).
    func record(health: [DeviceHealthRow]) {
        var newest: [String: DeviceHealthRow] = [:]
        for row in health where (newest[row.deviceID]?.timestamp ?? .min) <= row.timestamp {
            newest[row.deviceID] = row
        }
        for (device, row) in newest {
            if let battery = row.batteryPercent {
                CoreMetrics.Gauge(label: "hazardmon_device_battery_percent", dimensions: [("device", device)], factory: self.factory)
                    .record(battery)
            }
            if let volts = row.supplyVolt {
                CoreMetrics.Gauge(label: "hazardmon_device_supply_volts", dimensions: [("device", device)], factory: self.factory)
                    .record(volts)
            }
            CoreMetrics.Gauge(label: "hazardmon_device_sensor_faults", dimensions: [("device", device)], factory: self.factory)
                .record(row.sensorState.values.filter { $0 != 0 }.count)
        }
    }

    func record(requestStatus: Int) {
        CoreMetrics.Counter(label: "hazardmon_requests_total", dimensions: [("status", String(requestStatus))], factory: self.factory).increment()
    }

    /// The Prometheus text exposition, with device ages brought up to date first.
    public func exposition(now: Int64) -> [UInt8] {
        let seen = self.lastSeen.withLock { $0 }
        for (device, at) in seen {
            CoreMetrics.Gauge(label: "hazardmon_device_last_seen_age_seconds", dimensions: [("device", device)], factory: self.factory)
                .record(Double(now - at) / 1000)
        }
        return self.registry.emitToBuffer()
    }

    /// A short label for a rejection reason, for the `reason` dimension.
    static func reasonCode(_ reason: String?) -> String {
        guard let reason else { return "other" }
        if reason.hasPrefix("unknown device") { return "unknown_device" }
        if reason.hasPrefix("unknown channel") { return "unknown_channel" }
        if reason.contains("in the future") { return "future" }
        if reason.contains("older than the retention") { return "too_old" }
        if reason.contains("RFC 3339") { return "bad_timestamp" }
        if reason.contains("valid range") { return "out_of_range" }
        if reason.contains("not a finite number") || reason.contains("is not a number") || reason.contains("list of") { return "not_a_number" }
        return "other"
    }
}
