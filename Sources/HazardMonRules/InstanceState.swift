// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// What the engine remembers about one rule instance between readings, beyond its channel's readings
/// (which the database holds and a restart reloads): the level, the `for` timers and counters, the
/// notices in force and the evidence of the level. Stored (as JSON) in the same transaction as the
/// readings that changed it, so a restart resumes exactly where the engine stopped.
public struct InstanceState: Sendable, Hashable, Codable {
    /// The instance's level after persistence and hysteresis.
    public var level: WarningLevel = .none
    /// When the instance entered ``level`` (event time, ms); the hold time counts from here.
    public var since: Int64 = 0
    /// For each level blue...red (index 0...3): since when (event time) the measure has continuously
    /// reached it, or nil.
    public var pendingSince: [Int64?] = [nil, nil, nil, nil]
    /// For each level blue...red: how many consecutive readings reached it.
    public var pendingCount: [Int] = [0, 0, 0, 0]
    /// What raised (or last lowered) the level.
    public var evidence: Evidence?
    /// Notices in force: near-threshold watch, no data, device fault, low battery.
    public var watching = false
    public var silent = false
    public var faulty = false
    public var lowBattery = false
    /// The digest of the definition this state belongs to.
    public var digest: String = ""

    public init() {}

    init(digest: String) { self.digest = digest }

    /// The state as `JSONEncoder` with `.sortedKeys` writes it (and `JSONDecoder` reads it back), written
    /// by hand: encoding changed states was the largest cost of the rules in the ingest commit.
    public var jsonText: String {
        var json = JSONTextWriter(capacity: 256)
        json.object { json in
            json.key("digest") { $0.string(self.digest) }
            json.key("evidence", self.evidence) { $1.write(to: &$0) }
            json.key("faulty") { $0.bool(self.faulty) }
            json.key("level") { $0.integer(self.level.rawValue) }
            json.key("lowBattery") { $0.bool(self.lowBattery) }
            json.key("pendingCount") { $0.array(self.pendingCount) { $0.integer($1) } }
            json.key("pendingSince") { $0.array(self.pendingSince) { json, since in since.map { json.integer($0) } ?? json.null() } }
            json.key("silent") { $0.bool(self.silent) }
            json.key("since") { $0.integer(self.since) }
            json.key("watching") { $0.bool(self.watching) }
        }
        return json.text
    }
}

/// What one call into the engine produced.
public struct EngineOutput: Sendable, Hashable {
    public var transitions: [LevelTransition] = []
    public var notices: [RuleNotice] = []

    public init(transitions: [LevelTransition] = [], notices: [RuleNotice] = []) {
        self.transitions = transitions
        self.notices = notices
    }

    public var isEmpty: Bool { self.transitions.isEmpty && self.notices.isEmpty }

    public mutating func append(_ other: EngineOutput) {
        self.transitions += other.transitions
        self.notices += other.notices
    }
}

/// The engine's changed state since the last checkpoint: what the daemon writes in the commit.
public struct EngineCheckpoint: Sendable, Hashable {
    /// Instance key → state, for instances that changed.
    public var instances: [(key: String, state: InstanceState)]
    /// Sites whose status changed.
    public var sites: [SiteStatus]

    public var isEmpty: Bool { self.instances.isEmpty && self.sites.isEmpty }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.sites == rhs.sites && lhs.instances.count == rhs.instances.count
            && zip(lhs.instances, rhs.instances).allSatisfy { $0.key == $1.key && $0.state == $1.state }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.sites)
        for (key, state) in self.instances {
            hasher.combine(key)
            hasher.combine(state)
        }
    }
}

/// A device status report as the engine takes it.
public struct EngineHealth: Sendable, Hashable {
    public var deviceID: String
    public var timestamp: Int64
    public var batteryPercent: Double?
    /// Channel code → state code (0 ok, −1 power fault, −2 data error, −3 no data).
    public var sensorState: [String: Int]

    public init(deviceID: String, timestamp: Int64, batteryPercent: Double?, sensorState: [String: Int]) {
        self.deviceID = deviceID
        self.timestamp = timestamp
        self.batteryPercent = batteryPercent
        self.sensorState = sensorState
    }
}
