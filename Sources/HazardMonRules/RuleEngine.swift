// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// The threshold rule engine: readings in, site warning levels and notices out, incrementally.
///
/// ```swift
/// var engine = RuleEngine(rules: ruleSet, channels: boundChannels)
/// engine.restore(...)                                   // after a restart: state and recent readings
/// let output = engine.apply(readings, health: reports)   // inside the ingest commit's transaction
/// let changed = engine.takeCheckpoint()                 // written in the same transaction
/// ```
///
/// ## Semantics
/// - **Event time.** Windows and timers use reading time stamps, never the arrival time. Readings of a
///   batch are evaluated in (time stamp, channel) order, so the outcome does not depend on how devices
///   split their batches.
/// - **Late readings** (older than the newest of their channel) are inserted where they belong, so every
///   later window includes them. The rule is then assessed at the late reading's own time and at the
///   channel's newest time; either may *raise* the level at once (marked `late`, without waiting for
///   `for`/`consecutive`, since that time has passed). A late reading never lowers a level: lowering
///   happens only on readings in order, after hysteresis and hold.
/// - **Duplicates** never reach the engine: the store answers them and the daemon passes only accepted
///   readings.
/// - **Persistence.** A level is raised when its condition has held for `for` (event time) and for
///   `consecutive` readings, each level with its own timer; lowered when the measure falls below the
///   level's threshold by the hysteresis band and the level has been held for `hold`; and lapses to
///   none when its channel has sent nothing for `expiry` (checked by ``advanceClock(to:)``).
/// - **Sites.** A site's level is the highest level of its warning rules; every change is a
///   ``LevelTransition`` with the evidence of the rules at the new level. Maintenance rules (no data,
///   device health) and near-threshold watches give ``RuleNotice``s and never change a site's level.
///
/// ## Cost
/// Per reading: one dictionary lookup for the channel, an O(1) append to its ring buffer, and per
/// rule on the channel an assessment that is O(windows × log readings held) for window rules and
/// O(smoothing) for rates (inverse-velocity fits are bounded by their point cap). State: a
/// ``ChannelSeries`` per channel (24-byte slots, at most twice the readings held) and an ``InstanceState`` per
/// rule instance.
public struct RuleEngine: Sendable {
    /// The rule set the engine runs.
    public let rules: RuleSet
    /// Every rule instance, in binding order.
    public let instances: [RuleInstance]
    private let programs: [RuleProgram]
    /// Instance → what a reading on its channel does to it, so the per-reading path can tell without
    /// copying the program (and retaining its arrays).
    private let roles: [Role]
    /// The window tables of instances whose role is ``Role/windows``, indexed by ``windowSlot``.
    private let windowPrograms: ContiguousArray<WindowProgram>
    /// Instance → index into ``windowPrograms``, or -1.
    private let windowSlot: [Int]
    /// Instance → its persistence, read per reading without touching the instance's definition.
    private let persistences: [Persistence]
    private var states: [InstanceState]
    private var series: [ChannelSeries]
    /// Channel id → index into `series`.
    private let seriesIndex: [Int64: Int]
    /// Series index s → the instances that evaluate on its readings:
    /// `instancesOfSeries[seriesInstanceStart[s]..<seriesInstanceStart[s + 1]]` (one flat array, so a
    /// reading retains no per-series array).
    private let instancesOfSeries: [Int]
    private let seriesInstanceStart: [Int]
    /// Instance → index of its series, or -1.
    private let seriesOfInstance: [Int]
    /// Instance → index of the series its antecedent class is read from, or -1.
    private let antecedentSeries: [Int]
    /// Sites by number, so that the per-reading path never hashes a site code: instance → its site's
    /// number, and per site number its code, its warning instances (not maintenance, combinations
    /// included) and its combination instances.
    private let siteOfInstance: [Int]
    private let siteCodes: [String]
    private let warningInstancesOfSite: [[Int]]
    private let combinationsOfSite: [[Int]]
    /// Site number → its current level (the level of ``sites``, which holds only sites ever raised).
    private var siteLevels: [WarningLevel]
    /// Device id → device-health instances.
    private let healthInstancesOfDevice: [String: [Int]]
    /// Instances that expire or go silent with the clock.
    private let clockInstances: [Int]
    private var sites: [String: SiteStatus] = [:]
    /// Instances changed since the last checkpoint: a flag per instance and the list of those flagged.
    private var dirtyFlags: [Bool]
    private var dirtyInstances: [Int] = []
    private var dirtySites: Set<String> = []

    /// Binds `rules` to `channels` and starts with every level at none.
    public init(rules: RuleSet, channels: [BoundChannel]) {
        self.rules = rules
        let instances = RuleBinder.instances(of: rules, channels: channels)
        self.instances = instances
        self.programs = instances.map { instance in
            RuleProgram(instance.definition, interval: Int64(instance.channel?.channel.intervalSeconds ?? 0) * 1000)
        }
        var windowPrograms = ContiguousArray<WindowProgram>()
        var windowSlot = [Int](repeating: -1, count: instances.count)
        self.roles = self.programs.enumerated().map { index, program in
            switch program {
            case .windows(let normal, .none):
                windowSlot[index] = windowPrograms.count
                windowPrograms.append(normal)
                return .windows
            case .noData: return .noData
            case .combination, .health: return .none
            default: return .assess
            }
        }
        self.windowPrograms = windowPrograms
        self.windowSlot = windowSlot
        self.persistences = instances.map { $0.definition.persistence }
        self.dirtyFlags = [Bool](repeating: false, count: instances.count)
        self.states = instances.map { InstanceState(digest: $0.digest) }

        // One series per channel any rule reads, keeping the longest span a rule on it needs, plus a margin of
        // readings for smoothing at the old end of rate windows.
        var spans: [Int64: (span: Int64, interval: Int64)] = [:]
        func need(_ channel: BoundChannel, _ span: Int64, smoothing: Int) {
            let interval = max(1000, Int64(channel.channel.intervalSeconds) * 1000)
            let margin = Int64(smoothing + 1) * interval
            let span = span + (span > 0 ? margin : 0)
            spans[channel.id] = (max(spans[channel.id]?.span ?? 0, span), interval)
        }
        let byID = Dictionary(channels.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for instance in instances {
            guard let channel = instance.channel else { continue }
            var smoothing = 1
            switch instance.definition.kind {
            case .rate(_, _, let s, _), .tangentialAngle(_, _, let s, _): smoothing = s
            default: break
            }
            need(channel, instance.definition.span, smoothing: smoothing)
            if let id = instance.antecedentChannelID, let source = byID[id] { need(source, 0, smoothing: 0) }
        }
        var seriesIndex: [Int64: Int] = [:]
        var series: [ChannelSeries] = []
        for channel in channels {
            guard let need = spans[channel.id], seriesIndex[channel.id] == nil else { continue }
            seriesIndex[channel.id] = series.count
            // At most twice the readings the declared interval allows over the span, plus slack.
            let capacity = Int(min(Int64(Int32.max), need.span / need.interval * 2 + 64))
            series.append(ChannelSeries(span: need.span, capacity: capacity))
        }
        self.seriesIndex = seriesIndex
        self.series = series
        var instancesOfSeries = [[Int]](repeating: [], count: series.count)
        var seriesOfInstance = [Int](repeating: -1, count: instances.count)
        var antecedentSeries = [Int](repeating: -1, count: instances.count)
        var siteNumber: [String: Int] = [:]
        var siteCodes: [String] = []
        var siteOfInstance = [Int](repeating: 0, count: instances.count)
        for (index, instance) in instances.enumerated() {
            if siteNumber[instance.siteCode] == nil {
                siteNumber[instance.siteCode] = siteCodes.count
                siteCodes.append(instance.siteCode)
            }
            siteOfInstance[index] = siteNumber[instance.siteCode]!
        }
        var warning = [[Int]](repeating: [], count: siteCodes.count)
        var combinations = [[Int]](repeating: [], count: siteCodes.count)
        var health: [String: [Int]] = [:]
        var clock: [Int] = []
        for (index, instance) in instances.enumerated() {
            let site = siteOfInstance[index]
            if let channel = instance.channel, let s = seriesIndex[channel.id] {
                instancesOfSeries[s].append(index)
                seriesOfInstance[index] = s
            }
            if let id = instance.antecedentChannelID, let s = seriesIndex[id] { antecedentSeries[index] = s }
            switch instance.definition.kind {
            case .combination:
                combinations[site].append(index)
                warning[site].append(index)
            case .deviceHealth:
                if let device = instance.deviceID { health[device, default: []].append(index) }
            case .noData:
                clock.append(index)
            default:
                warning[site].append(index)
                if instance.definition.persistence.expiry != nil { clock.append(index) }
            }
        }
        self.seriesInstanceStart = instancesOfSeries.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.count) }
        self.instancesOfSeries = instancesOfSeries.flatMap { $0 }
        self.seriesOfInstance = seriesOfInstance
        self.antecedentSeries = antecedentSeries
        self.siteOfInstance = siteOfInstance
        self.siteCodes = siteCodes
        self.warningInstancesOfSite = warning
        self.combinationsOfSite = combinations
        self.siteLevels = [WarningLevel](repeating: .none, count: siteCodes.count)
        self.healthInstancesOfDevice = health
        self.clockInstances = clock
    }

    // MARK: Reading the state

    /// The current status of every site that has been above none (sites never raised are absent).
    public var siteStatuses: [String: SiteStatus] { self.sites }

    /// The current level of a site.
    public func level(ofSite code: String) -> WarningLevel { self.sites[code]?.level ?? .none }

    /// The state of an instance by key.
    public func state(of key: String) -> InstanceState? {
        self.instances.firstIndex { $0.key == key }.map { self.states[$0] }
    }

    /// Channels whose recent readings the engine needs after a restart, with how far back (ms before the
    /// channel's newest reading). Load them with ``restore(channelID:readings:)``.
    public var history: [(channelID: Int64, span: Int64)] {
        self.seriesIndex.map { (channelID: $0.key, span: self.series[$0.value].span) }.sorted { $0.channelID < $1.channelID }
    }

    /// Bytes held by the engine's per-channel series and per-instance state (an estimate of the heap it uses).
    public var memoryBytes: Int {
        self.series.reduce(0) { $0 + $1.memoryBytes + 64 } + self.states.count * (MemoryLayout<InstanceState>.stride + 96)
    }

    /// How many channels the engine keeps readings for.
    public var channelCount: Int { self.series.count }

    // MARK: Restoring

    /// Puts back a channel's recent readings (oldest first) without evaluating them: they were evaluated
    /// before the restart, and their effect is in the restored instance states.
    public mutating func restore(channelID: Int64, readings: [(timestamp: Int64, value: Double)]) {
        guard let s = self.seriesIndex[channelID] else { return }
        for reading in readings { self.series[s].add(timestamp: reading.timestamp, value: reading.value) }
    }

    /// Puts back instance states and site statuses saved by earlier checkpoints. A state saved for an
    /// edited rule (another digest) or a rule that is gone is dropped: that instance starts from none.
    ///
    /// - Parameter now: When the restore happens (wall clock, ms): the time of the transitions it returns.
    /// - Returns: A ``LevelTransition/Cause/reconfigured`` transition for every site whose level the
    ///   changed rules no longer support (a rule removed, a threshold raised), so the log says why it moved.
    @discardableResult
    public mutating func restore(states saved: [String: InstanceState], sites savedSites: [SiteStatus], now: Int64 = 0) -> EngineOutput {
        for (index, instance) in self.instances.enumerated() {
            if let state = saved[instance.key], state.digest == instance.digest { self.states[index] = state }
        }
        for site in savedSites { self.sites[site.siteCode] = site }
        for (number, code) in self.siteCodes.enumerated() { self.siteLevels[number] = self.sites[code]?.level ?? .none }
        var output = EngineOutput()
        let numbers = Dictionary(uniqueKeysWithValues: self.siteCodes.enumerated().map { ($1, $0) })
        for code in Set(self.sites.keys).union(self.siteCodes).sorted() {
            let number = numbers[code]
            let level = number.map(self.computedLevel(ofSite:)) ?? .none
            let from = self.level(ofSite: code)
            guard level != from else { continue }
            let evidence = number.map { self.evidence(ofSite: $0, at: level) } ?? []
            self.sites[code] = SiteStatus(siteCode: code, level: level, since: now, evidence: evidence)
            if let number { self.siteLevels[number] = level }
            self.dirtySites.insert(code)
            output.transitions.append(
                LevelTransition(siteCode: code, from: from, to: level, at: now, cause: .reconfigured, evidence: evidence))
        }
        return output
    }

    /// The states and site statuses changed since the last checkpoint; clears the change marks.
    public mutating func takeCheckpoint() -> EngineCheckpoint {
        let instances = self.dirtyInstances.sorted().map { (key: self.instances[$0].key, state: self.states[$0]) }
        let sites = self.dirtySites.sorted().compactMap { self.sites[$0] }
        for index in self.dirtyInstances { self.dirtyFlags[index] = false }
        self.dirtyInstances.removeAll(keepingCapacity: true)
        self.dirtySites.removeAll(keepingCapacity: true)
        return EngineCheckpoint(instances: instances, sites: sites)
    }

    /// Every instance state and site status, as a full checkpoint (for a new database or a test).
    public func fullCheckpoint() -> EngineCheckpoint {
        EngineCheckpoint(
            instances: self.instances.indices.map { (key: self.instances[$0].key, state: self.states[$0]) },
            sites: self.sites.keys.sorted().compactMap { self.sites[$0] })
    }

    // MARK: Readings

    /// Evaluates accepted readings and device reports; returns the site transitions and notices they caused.
    public mutating func apply(_ readings: [ReadingRow], health: [EngineHealth] = []) -> EngineOutput {
        var output = EngineOutput()
        let ordered: [ReadingRow]
        if zip(readings, readings.dropFirst()).allSatisfy({ ($0.timestamp, $0.channelID) <= ($1.timestamp, $1.channelID) }) {
            ordered = readings
        } else {
            ordered = readings.sorted { ($0.timestamp, $0.channelID) < ($1.timestamp, $1.channelID) }
        }
        for reading in ordered {
            guard let s = self.seriesIndex[reading.channelID] else { continue }
            let placement = self.series[s].add(timestamp: reading.timestamp, value: reading.value)
            let first = self.seriesInstanceStart[s]
            let end = self.seriesInstanceStart[s + 1]
            switch placement {
            case .appended:
                let newest = self.series[s].count - 1
                for k in first..<end {
                    self.evaluate(self.instancesOfSeries[k], series: s, at: newest, time: reading.timestamp, into: &output)
                }
            case .inserted(let position):
                for k in first..<end {
                    self.evaluateLate(self.instancesOfSeries[k], series: s, at: position, time: reading.timestamp, into: &output)
                }
            case .tooOld:
                // No window reaches back to it, but a level rule judges the value itself: it may still raise.
                for k in first..<end {
                    self.evaluateLateValue(self.instancesOfSeries[k], reading.value, time: reading.timestamp, into: &output)
                }
            case .repeated:
                continue
            }
        }
        for report in health.sorted(by: { ($0.timestamp, $0.deviceID) < ($1.timestamp, $1.deviceID) }) {
            for index in self.healthInstancesOfDevice[report.deviceID] ?? [] {
                self.evaluateHealth(index, report, into: &output)
            }
        }
        return output
    }

    /// Time-driven work at wall-clock `now` (ms): channels silent too long, levels whose data stopped.
    public mutating func advanceClock(to now: Int64) -> EngineOutput {
        var output = EngineOutput()
        for index in self.clockInstances {
            let s = self.seriesOfInstance[index]
            guard s >= 0, let latest = self.series[s].latest else { continue }
            let instance = self.instances[index]
            switch self.programs[index] {
            case .noData(let limit):
                // Judged against the clock only: readings of a backlog that are still older than the limit
                // leave the channel behind, so the notice neither clears nor flaps while a device catches up.
                let silent = now - latest > limit
                guard silent != self.states[index].silent else { continue }
                self.states[index].silent = silent
                self.markDirty(index)
                output.notices.append(
                    RuleNotice(
                        kind: .noData, rule: instance.definition.id, siteCode: instance.siteCode,
                        subject: instance.channel?.name ?? "", active: silent, at: silent ? latest + limit : latest,
                        detail: silent
                            ? "silent since \(Timestamp.format(latest)) (limit \(RuleFileDuration.text(limit)))"
                            : "reporting again (newest reading \(Timestamp.format(latest)))"))
            default:
                guard let expiry = instance.definition.persistence.expiry, self.states[index].level > .none,
                    now - latest >= expiry
                else { continue }
                // The level lapsed `expiry` after the last reading: that is the transition's (event) time, also
                // when the clock notices it later, as with a backlog whose readings are already that old.
                let lapsed = latest + expiry
                let from = self.states[index].level
                self.states[index].level = .none
                self.states[index].since = lapsed
                self.states[index].pendingSince = [nil, nil, nil, nil]
                self.states[index].pendingCount = [0, 0, 0, 0]
                self.states[index].evidence = Evidence(
                    rule: instance.definition.id, level: .none, channelID: instance.channel?.id, channel: instance.channel?.name,
                    measure: "expired", value: Double(expiry) / 3_600_000, threshold: Double(expiry) / 3_600_000,
                    at: lapsed, detail: "no data since \(Timestamp.format(latest)); \(from.name) lapsed after \(RuleFileDuration.text(expiry))")
                self.markDirty(index)
                self.levelChanged(index, time: lapsed, cause: .expired, late: false, into: &output)
            }
        }
        return output
    }

    // MARK: Evaluation

    private enum Role: UInt8 {
        /// A window table without antecedent moisture: the common case, read from ``windowPrograms``.
        case windows
        case assess, noData, none
    }

    private func assess(_ index: Int, series s: Int, at j: Int) -> Assessment {
        if self.roles[index] == .windows {
            return self.windowPrograms[self.windowSlot[index]].assess(self.series[s], at: j)
        }
        return self.assessOther(index, series: s, at: j)
    }

    private func assessOther(_ index: Int, series s: Int, at j: Int) -> Assessment {
        let series = self.series[s]
        switch self.programs[index] {
        case .level(let tiers):
            return tiers.assess(series.value(j), name: .value, window: nil)
        case .windows(let normal, let antecedent):
            guard let antecedent else { return normal.assess(series, at: j) }
            let time = series.timestamp(j)
            var measure: Double?
            switch antecedent.source {
            case .channel:
                let a = self.antecedentSeries[index]
                if a >= 0 {
                    let k = self.series[a].index(after: time) - 1
                    if k >= 0 { measure = self.series[a].value(k) }
                }
            case .rain(let window):
                let end = series.index(after: time - antecedent.longest) - 1
                let start = series.index(after: time - antecedent.longest - window)
                measure = Double(series.microSum(start, end)) / ChannelSeries.scale
            }
            let moisture = measure.map(antecedent.moistureClass) ?? .normal
            let detail = AssessmentDetail.moisture(moisture, measure)
            switch moisture {
            case .dry: return antecedent.dry.assess(series, at: j, detail: detail)
            case .normal: return normal.assess(series, at: j, detail: detail)
            case .wet: return antecedent.wet.assess(series, at: j, detail: detail)
            }
        case .rate(let window, let per, let smoothing, let tiers):
            guard let rate = DeformationMeasures.rate(series, at: j, window: window, per: per, smoothing: smoothing) else {
                return .nothing
            }
            return tiers.assess(rate, name: .ratePer(per), window: window)
        case .angle(let v0, let window, let smoothing, let tiers):
            guard
                let angle = DeformationMeasures.tangentialAngle(
                    series, at: j, uniformVelocityPerDay: v0, window: window, smoothing: smoothing)
            else { return .nothing }
            return tiers.assess(angle, name: .tangentialAngle, window: window)
        case .inverseVelocity(let window, let velocityWindow, let minimumPoints, let tiers):
            guard
                let fit = DeformationMeasures.inverseVelocity(
                    series, at: j, window: window, velocityWindow: velocityWindow, minimumPoints: minimumPoints)
            else { return .nothing }
            let left = Double(max(0, fit.failureAt - series.timestamp(j)))
            var assessment = tiers.assess(
                left, name: .timeToFailure, window: window,
                detail: .fit(failureAt: fit.failureAt, points: fit.points, rSquared: fit.rSquared))
            // Shown in hours: the tiers are horizons in ms.
            assessment.value = left / 3_600_000
            assessment.threshold = assessment.threshold.map { $0 / 3_600_000 }
            return assessment
        case .combination, .noData, .health:
            return .nothing
        }
    }

    private mutating func evaluate(_ index: Int, series s: Int, at j: Int, time: Int64, into output: inout EngineOutput) {
        switch self.roles[index] {
        case .noData:
            // Cleared by the clock (advanceClock), which knows how far behind the channel still is.
            return
        case .none:
            return
        case .assess, .windows:
            break
        }
        let assessment = self.assess(index, series: s, at: j)
        let before = self.states[index].level
        self.step(index, assessment, time: time, late: false, into: &output)
        if self.states[index].level != before {
            self.levelChanged(index, time: time, cause: self.states[index].level > before ? .raised : .lowered, late: false, into: &output)
        }
    }

    private mutating func evaluateLate(_ index: Int, series s: Int, at j: Int, time: Int64, into output: inout EngineOutput) {
        guard self.roles[index] == .assess || self.roles[index] == .windows else { return }
        // The window ending at the late reading, and the current one, which now includes it.
        let newest = self.series[s].count - 1
        let atLate = self.assess(index, series: s, at: j)
        let atNewest = self.assess(index, series: s, at: newest)
        let (assessment, when) = atNewest.level > atLate.level ? (atNewest, self.series[s].timestamp(newest)) : (atLate, time)
        guard assessment.level > self.states[index].level else { return }
        self.raise(index, to: assessment.level, assessment, time: when)
        self.levelChanged(index, time: when, cause: .raised, late: true, into: &output)
    }

    /// A late reading older than its channel's series: only level rules can judge it, raise-only.
    private mutating func evaluateLateValue(_ index: Int, _ value: Double, time: Int64, into output: inout EngineOutput) {
        guard case .level(let tiers) = self.programs[index] else { return }
        let assessment = tiers.assess(value, name: .value, window: nil)
        guard assessment.level > self.states[index].level else { return }
        self.raise(index, to: assessment.level, assessment, time: time)
        self.levelChanged(index, time: time, cause: .raised, late: true, into: &output)
    }

    /// The persistence state machine of one instance for one assessment at event time `time`.
    ///
    /// Works on the stored state in place (no copy of the state, its arrays or its evidence) and marks the
    /// instance dirty when anything in it changed.
    private mutating func step(_ index: Int, _ a: Assessment, time: Int64, late: Bool, into output: inout EngineOutput) {
        // The common case: nothing reached, nothing pending, raised or watched, so the state machine below
        // would leave the state as it is.
        if a.level == .none, !a.watch, self.states[index].level == .none, !self.states[index].watching,
            self.states[index].pendingSince[0] == nil, self.states[index].pendingSince[1] == nil,
            self.states[index].pendingSince[2] == nil, self.states[index].pendingSince[3] == nil
        {
            return
        }
        let persistence = self.persistences[index]
        var changed = false
        for l in 0..<4 {
            if a.level.rawValue > l {
                if self.states[index].pendingSince[l] == nil {
                    self.states[index].pendingSince[l] = time
                    self.states[index].pendingCount[l] = 1
                    changed = true
                } else if self.states[index].pendingCount[l] < persistence.consecutive {
                    // Counted only as far as it matters: a count that kept growing would change the stored
                    // state at every reading of a long storm.
                    self.states[index].pendingCount[l] += 1
                    changed = true
                }
            } else if self.states[index].pendingSince[l] != nil {
                self.states[index].pendingSince[l] = nil
                self.states[index].pendingCount[l] = 0
                changed = true
            }
        }
        let current = self.states[index].level
        var target = current
        if a.level > current {
            for l in current.rawValue..<a.level.rawValue {
                if let since = self.states[index].pendingSince[l], time - since >= persistence.forDuration,
                    self.states[index].pendingCount[l] >= persistence.consecutive
                {
                    target = WarningLevel.warning[l]
                }
            }
        }
        if target > current {
            // Evidence first: a combination's evidence reads the levels as they were before this step.
            let evidence = self.evidence(index, a, level: target, time: time)
            self.states[index].level = target
            self.states[index].since = time
            self.states[index].evidence = evidence
            changed = true
        } else if a.holdLevel < current, time - self.states[index].since >= persistence.hold {
            let evidence = self.evidence(index, a, level: a.holdLevel, time: time)
            self.states[index].level = a.holdLevel
            self.states[index].since = time
            self.states[index].evidence = evidence
            changed = true
        }
        // Near-threshold watch: only while nothing is raised.
        let watching = a.watch && self.states[index].level == .none
        if watching != self.states[index].watching {
            self.states[index].watching = watching
            changed = true
            let instance = self.instances[index]
            output.notices.append(
                RuleNotice(
                    kind: .nearThreshold, rule: instance.definition.id, siteCode: instance.siteCode,
                    subject: instance.channel?.name ?? instance.siteCode, active: watching, at: time,
                    detail: watching
                        ? "\(a.measureText) \(a.value.plainText) reached \((instance.definition.watchFraction ?? 0) * 100)% of \(a.threshold?.plainText ?? "?")"
                        : "\(a.measureText) \(a.value.plainText) back below the watch mark"))
        }
        if changed { self.markDirty(index) }
    }

    /// Raises an instance at once (late readings, combinations without persistence).
    private mutating func raise(_ index: Int, to level: WarningLevel, _ a: Assessment, time: Int64) {
        self.states[index].level = level
        self.states[index].since = time
        self.states[index].evidence = self.evidence(index, a, level: level, time: time)
        self.states[index].watching = false
        self.markDirty(index)
    }

    private func evidence(_ index: Int, _ a: Assessment, level: WarningLevel, time: Int64) -> Evidence {
        let instance = self.instances[index]
        let detail: String?
        switch a.detail {
        case .none:
            detail = nil
        case .moisture(let moisture, let measure):
            detail = "moisture \(moisture.rawValue)" + (measure.map { " (\($0.plainText))" } ?? " (no antecedent data)")
        case .fit(let failureAt, let points, let rSquared):
            detail = "fitted failure \(Timestamp.format(failureAt)) from \(points) points, r² \(rSquared.plainText)"
        case .combination:
            detail = self.combinationParts(index)
        }
        return Evidence(
            rule: instance.definition.id, level: level, channelID: instance.channel?.id, channel: instance.channel?.name,
            measure: a.measureText, value: a.value, threshold: a.threshold, at: time, window: a.window, detail: detail)
    }

    /// A combination's conditions with the levels of their rules now: `rule=level≥level, …`.
    private func combinationParts(_ index: Int) -> String? {
        guard case .combination(_, let conditions, _) = self.programs[index] else { return nil }
        let site = self.siteOfInstance[index]
        return conditions.map { condition in
            "\(condition.rule)=\(self.level(ofRule: condition.rule, site: site).name)≥\(condition.atLeast.name)"
        }.joined(separator: ", ")
    }

    @inline(__always)
    private mutating func markDirty(_ index: Int) {
        guard !self.dirtyFlags[index] else { return }
        self.dirtyFlags[index] = true
        self.dirtyInstances.append(index)
    }

    // MARK: Combinations

    /// The level of a rule on a site: the highest of its instances there.
    private func level(ofRule rule: String, site: Int) -> WarningLevel {
        var level = WarningLevel.none
        for index in self.warningInstancesOfSite[site] where self.instances[index].definition.id == rule {
            level = max(level, self.states[index].level)
        }
        return level
    }

    /// An instance's level changed at `time`: settle the combinations of its site, then the site's level.
    private mutating func levelChanged(
        _ index: Int, time: Int64, cause: LevelTransition.Cause, late: Bool, into output: inout EngineOutput
    ) {
        let site = self.siteOfInstance[index]
        self.updateCombinations(ofSite: site, time: time, into: &output)
        self.updateSite(site, time: time, cause: cause, late: late, into: &output)
    }

    private mutating func updateCombinations(ofSite site: Int, time: Int64, into output: inout EngineOutput) {
        let combinations = self.combinationsOfSite[site]
        guard !combinations.isEmpty else { return }
        // Combinations may refer to combinations: settle in rounds, at most one per combination.
        for _ in 0..<combinations.count {
            var changed = false
            for index in combinations {
                guard case .combination(let all, let conditions, let level) = self.programs[index] else { continue }
                var holding = 0
                for condition in conditions where self.level(ofRule: condition.rule, site: site) >= condition.atLeast {
                    holding += 1
                }
                let holds = all ? holding == conditions.count : holding > 0
                let reached = holds ? level : .none
                // The conditions' text is built only if this changes the combination's level (as evidence).
                let a = Assessment(
                    level: reached, holdLevel: reached, watch: false, measure: all ? .all : .any, value: Double(holding),
                    threshold: Double(all ? conditions.count : 1), detail: .combination)
                let before = self.states[index].level
                self.step(index, a, time: time, late: false, into: &output)
                if self.states[index].level != before { changed = true }
            }
            if !changed { break }
        }
    }

    // MARK: Sites

    private func computedLevel(ofSite site: Int) -> WarningLevel {
        self.warningInstancesOfSite[site].reduce(WarningLevel.none) { max($0, self.states[$1].level) }
    }

    private func evidence(ofSite site: Int, at level: WarningLevel) -> [Evidence] {
        guard level > .none else { return [] }
        return self.warningInstancesOfSite[site].compactMap { index in
            self.states[index].level == level ? self.states[index].evidence : nil
        }
    }

    private mutating func updateSite(
        _ site: Int, time: Int64, cause: LevelTransition.Cause, late: Bool, into output: inout EngineOutput
    ) {
        let level = self.computedLevel(ofSite: site)
        let from = self.siteLevels[site]
        guard level != from else { return }
        let evidence = self.evidence(ofSite: site, at: level)
        let code = self.siteCodes[site]
        self.siteLevels[site] = level
        self.sites[code] = SiteStatus(siteCode: code, level: level, since: time, evidence: evidence)
        self.dirtySites.insert(code)
        let actualCause: LevelTransition.Cause = level > from ? .raised : (cause == .expired ? .expired : .lowered)
        output.transitions.append(
            LevelTransition(siteCode: code, from: from, to: level, at: time, cause: actualCause, late: late, evidence: evidence))
    }

    // MARK: Device health

    private mutating func evaluateHealth(_ index: Int, _ report: EngineHealth, into output: inout EngineOutput) {
        guard case .health(let batteryBelow, let faults) = self.programs[index] else { return }
        let instance = self.instances[index]
        var state = self.states[index]
        if let limit = batteryBelow, let battery = report.batteryPercent {
            let low = battery < limit
            if low != state.lowBattery {
                state.lowBattery = low
                output.notices.append(
                    RuleNotice(
                        kind: .lowBattery, rule: instance.definition.id, siteCode: instance.siteCode, subject: report.deviceID,
                        active: low, at: report.timestamp,
                        detail: "battery \(battery.plainText)% \(low ? "below" : "back above") \(limit.plainText)%"))
            }
        }
        if faults {
            let failing = report.sensorState.filter { $0.value != 0 }.sorted { $0.key < $1.key }
            let faulty = !failing.isEmpty
            if faulty != state.faulty {
                state.faulty = faulty
                output.notices.append(
                    RuleNotice(
                        kind: .deviceFault, rule: instance.definition.id, siteCode: instance.siteCode, subject: report.deviceID,
                        active: faulty, at: report.timestamp,
                        detail: faulty
                            ? failing.map { "\($0.key): \(Self.stateName($0.value))" }.joined(separator: ", ")
                            : "all sensors report ok"))
            }
        }
        if state != self.states[index] {
            self.states[index] = state
            self.markDirty(index)
        }
    }

    /// The meaning of a `sensor_state` code (domain.md §2).
    static func stateName(_ code: Int) -> String {
        switch code {
        case -1: "power fault (-1)"
        case -2: "data error (-2)"
        case -3: "no data (-3)"
        default: "state \(code)"
        }
    }
}
