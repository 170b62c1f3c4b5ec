// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRules
import Testing

private let minute: Int64 = 60_000
private let hour: Int64 = 3_600_000
private let day: Int64 = 86_400_000
/// A realistic epoch (2023-11-14), so the fits are tested against millisecond time stamps near 1.7·10¹².
private let epoch: Int64 = 1_700_000_000_000

/// One reading: minutes after `epoch`, value.
private struct Reading: Sendable {
    var minutes: Int64
    var value: Double
}

private func series(_ readings: [Reading]) -> ChannelSeries {
    var series = ChannelSeries(span: 1_000 * day, capacity: 100_000)
    for reading in readings { series.add(timestamp: epoch + reading.minutes * minute, value: reading.value) }
    return series
}

/// Readings every `step` minutes, values from `value(k)`, k = 0..<count.
private func regular(_ count: Int, every step: Int64, _ value: (Int) -> Double) -> [Reading] {
    (0..<count).map { Reading(minutes: Int64($0) * step, value: value($0)) }
}

/// 0, 0.5, 1.0, … every 10 minutes: 3 mm/h, every value exact in binary.
private let constantVelocity = regular(13, every: 10) { Double($0) * 0.5 }

/// Fukuzono series failing at `failureHours`: hourly readings whose hourly steps are v(t_k) = 1/(A·(t_f − t_k)),
/// so with a 1 h velocity window the measured 1/v is exactly A·(t_f − t_k): a line reaching 0 at t_f when each
/// 1/v is placed at t_k. The measure places it at the middle of its hour, so it finds t_f − 30 min.
private func accelerating(hours: Int, failureHours: Double, a: Double = 0.5) -> [Reading] {
    var value = 0.0
    return (0..<hours).map { k in
        if k > 0 { value += 1 / (a * (failureHours - Double(k))) }
        return Reading(minutes: Int64(k) * 60, value: value)
    }
}

struct RateCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    fileprivate var readings: [Reading]
    var at: Int
    var window: Int64
    var per: Int64
    var smoothing: Int
    var expected: Double?
    /// 0: the result must be exactly `expected`.
    var tolerance: Double = 0
}

struct AngleCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    /// Displacement over one day, mm.
    var change: Double
    var uniformVelocityPerDay: Double
    var expected: Double?
    var tolerance: Double
}

@Suite struct DeformationMeasureTests {
    // MARK: rate

    static let rateCases: [RateCase] = [
        // j: t_i - 60 min = 60 min → reading 6 (3.0); 6.0 - 3.0 over exactly one hour.
        RateCase(
            testDescription: "constant velocity, 1 h window, per hour",
            readings: constantVelocity, at: 12, window: hour, per: hour, smoothing: 1, expected: 3),
        // Means (5, 5.5, 6) = 5.5 and (2, 2.5, 3) = 2.5: smoothing a straight line keeps its slope.
        RateCase(
            testDescription: "constant velocity, smoothing 3",
            readings: constantVelocity, at: 12, window: hour, per: hour, smoothing: 3, expected: 3),
        RateCase(
            testDescription: "constant velocity per day",
            readings: constantVelocity, at: 12, window: hour, per: day, smoothing: 1, expected: 72),
        // 30 min: 6.0 - 4.5 = 1.5 per half hour.
        RateCase(
            testDescription: "constant velocity, 30 min window, per hour",
            readings: constantVelocity, at: 12, window: 30 * minute, per: hour, smoothing: 1, expected: 3),
        // Reading 6 is at exactly t_i - window, the oldest allowed old end; readings 7...12 exist but are not used.
        RateCase(
            testDescription: "just enough history, later readings ignored",
            readings: constantVelocity, at: 6, window: hour, per: hour, smoothing: 1, expected: 3),
        RateCase(
            testDescription: "not enough history",
            readings: constantVelocity, at: 5, window: hour, per: hour, smoothing: 1, expected: nil),
        RateCase(
            testDescription: "first reading",
            readings: constantVelocity, at: 0, window: hour, per: hour, smoothing: 1, expected: nil),
        RateCase(
            testDescription: "zero window",
            readings: constantVelocity, at: 12, window: 0, per: hour, smoothing: 1, expected: nil),
        // Irregular: 0, 10, 25, 40 min. t_i - 20 min = 20 min → old end is the reading at 10 min (1.0):
        // 3.0 over 30 min = 6 per hour.
        RateCase(
            testDescription: "irregular time stamps: old end at or before t_i - window",
            readings: [Reading(minutes: 0, value: 0), Reading(minutes: 10, value: 1), Reading(minutes: 25, value: 2.5),
                       Reading(minutes: 40, value: 4)],
            at: 3, window: 20 * minute, per: hour, smoothing: 1, expected: 6),
        // Values k every 10 min, i = 6, 50 min window → j = 1. smoothed(6) = mean(4, 5, 6) = 5; smoothed(1) has
        // only two readings: mean(0, 1) = 0.5. 4.5 over 50 min = 5.4 per hour.
        RateCase(
            testDescription: "short smoothing at the start of the series",
            readings: regular(7, every: 10) { Double($0) }, at: 6, window: 50 * minute, per: hour, smoothing: 3,
            expected: 5.4, tolerance: 1e-12),
        // 16.4 - 4.4 is 11.999999999999998 in Double; the exact micro-unit sums give 12.
        RateCase(
            testDescription: "decimal readings meet a round tier exactly",
            readings: [Reading(minutes: 0, value: 4.4), Reading(minutes: 60, value: 16.4)],
            at: 1, window: hour, per: hour, smoothing: 1, expected: 12),
        RateCase(
            testDescription: "falling value gives a negative rate",
            readings: regular(7, every: 10) { 10 - Double($0) * 0.25 }, at: 6, window: hour, per: hour, smoothing: 1,
            expected: -1.5),
    ]

    @Test(arguments: Self.rateCases)
    func rate(_ c: RateCase) throws {
        let s = series(c.readings)
        let got = DeformationMeasures.rate(s, at: c.at, window: c.window, per: c.per, smoothing: c.smoothing)
        guard let expected = c.expected else {
            #expect(got == nil)
            return
        }
        let value = try #require(got)
        if c.tolerance == 0 {
            #expect(value == expected)
        } else {
            #expect(abs(value - expected) <= c.tolerance)
        }
    }

    /// Flat at 10 mm with one 6 mm spike on the newest reading (every 10 min): the raw 1 h rate is the whole
    /// spike, smoothing over n readings divides it by n.
    @Test(arguments: [(1, 6.0, WarningLevel.yellow), (3, 2.0, .none), (6, 1.0, .none)])
    func smoothingDampsASpike(smoothing: Int, expected: Double, level: WarningLevel) throws {
        let s = series(regular(13, every: 10) { $0 == 12 ? 16 : 10 })
        let rate = try #require(DeformationMeasures.rate(s, at: 12, window: hour, per: hour, smoothing: smoothing))
        #expect(rate == expected)
        // With a 3 mm/h blue and 5 mm/h yellow tier, only the unsmoothed spike warns.
        #expect(Tiers([.blue: 3, .yellow: 5]).level(of: rate) == level)
        // One reading later the spike is inside the smoothing at the new end only with smoothing >= 2.
        var later = s
        later.add(timestamp: epoch + 130 * minute, value: 10)
        let after = try #require(
            DeformationMeasures.rate(later, at: 13, window: hour, per: hour, smoothing: smoothing))
        #expect(after == (smoothing == 1 ? 0 : expected))
    }

    // MARK: tangential angle

    static let angleCases: [AngleCase] = [
        AngleCase(testDescription: "uniform: v = v0", change: 2, uniformVelocityPerDay: 2, expected: 45, tolerance: 0),
        AngleCase(
            testDescription: "v = 10 v0: atan 10", change: 20, uniformVelocityPerDay: 2,
            expected: 84.289_406_862_500_36, tolerance: 1e-12),
        AngleCase(
            testDescription: "v = v0 / 2: atan 0.5", change: 1, uniformVelocityPerDay: 2,
            expected: 26.565_051_177_077_99, tolerance: 1e-12),
        AngleCase(testDescription: "standstill", change: 0, uniformVelocityPerDay: 2, expected: 0, tolerance: 0),
        AngleCase(testDescription: "negative rate", change: -2, uniformVelocityPerDay: 2, expected: -45, tolerance: 0),
        // tan 80° · 2 = 11.342563639235413; the series keeps 11.342564 (10⁻⁶ mm), 0.86°/mm here → within 10⁻⁶°.
        AngleCase(
            testDescription: "v = tan 80° v0", change: 11.342_563_639_235_413, uniformVelocityPerDay: 2,
            expected: 80, tolerance: 1e-6),
        AngleCase(
            testDescription: "v = tan 85° v0", change: 22.860_104_605_522_697, uniformVelocityPerDay: 2,
            expected: 85, tolerance: 1e-6),
        AngleCase(testDescription: "v0 = 0", change: 2, uniformVelocityPerDay: 0, expected: nil, tolerance: 0),
        AngleCase(testDescription: "v0 < 0", change: 2, uniformVelocityPerDay: -2, expected: nil, tolerance: 0),
    ]

    @Test(arguments: Self.angleCases)
    func tangentialAngle(_ c: AngleCase) throws {
        let s = series([Reading(minutes: 0, value: 100), Reading(minutes: 1440, value: 100 + c.change)])
        let got = DeformationMeasures.tangentialAngle(
            s, at: 1, uniformVelocityPerDay: c.uniformVelocityPerDay, window: day, smoothing: 1)
        guard let expected = c.expected else {
            #expect(got == nil)
            return
        }
        let angle = try #require(got)
        if c.tolerance == 0 {
            #expect(angle == expected)
        } else {
            #expect(abs(angle - expected) <= c.tolerance)
        }
    }

    /// Default tiers 40/45/80/85 (domain.md §1): a rate one micro-unit either side of tan(α)·v0 puts the angle
    /// either side of the band α.
    @Test(arguments: [(80.0, WarningLevel.orange, WarningLevel.yellow), (85.0, .red, .orange)])
    func angleBandsAreReachedAtTheirAngle(band: Double, at: WarningLevel, below: WarningLevel) throws {
        let tiers = Tiers([.blue: 40, .yellow: 45, .orange: 80, .red: 85])
        let exact = tan(band * .pi / 180) * 2
        func angle(_ change: Double) throws -> Double {
            let s = series([Reading(minutes: 0, value: 0), Reading(minutes: 1440, value: change)])
            return try #require(
                DeformationMeasures.tangentialAngle(s, at: 1, uniformVelocityPerDay: 2, window: day, smoothing: 1))
        }
        let above = try angle((exact * 1e6).rounded(.up) / 1e6 + 1e-6)
        let under = try angle((exact * 1e6).rounded(.down) / 1e6 - 1e-6)
        #expect(above > band && above - band < 1e-5)
        #expect(under < band && band - under < 1e-5)
        #expect(tiers.level(of: above) == at)
        #expect(tiers.level(of: under) == below)
        // Uniform deformation reaches yellow's 45° exactly.
        #expect(try tiers.level(of: angle(2)) == .yellow)
    }

    /// 0.1 mm every hour is 2.4 mm/day: with v0 = 2.4 mm/day that is uniform deformation, 45°.
    @Test func angleConvertsTheRateToPerDay() throws {
        let s = series(regular(13, every: 60) { Double($0) * 0.1 })
        let angle = try #require(
            DeformationMeasures.tangentialAngle(s, at: 12, uniformVelocityPerDay: 2.4, window: 6 * hour, smoothing: 2))
        #expect(angle == 45)
        #expect(
            DeformationMeasures.tangentialAngle(s, at: 5, uniformVelocityPerDay: 2.4, window: 6 * hour, smoothing: 2)
                == nil)
    }

    // MARK: inverse velocity

    /// 1/v = 0.5 h/mm per hour left, failure at 100 h: the fit finds it from any reading, 24 hourly points
    /// (k = i-23...i, each with its velocity from reading k-1), slope -0.5, last velocity 1/(0.5·(100 - i)).
    @Test(arguments: [30, 60, 90, 98])
    func inverseVelocityFindsTheFailureTime(at i: Int) throws {
        let s = series(accelerating(hours: 99, failureHours: 100))
        let fit = try #require(
            DeformationMeasures.inverseVelocity(s, at: i, window: 24 * hour, velocityWindow: hour, minimumPoints: 5))
        // The series' hourly means follow the line at the ends of their hours; placed at the middle of each
        // hour, the line crosses zero half an hour earlier (the early, safe side).
        #expect(abs(fit.failureAt - (epoch + 100 * hour - hour / 2)) <= 1_000)
        #expect(fit.points == 24)
        #expect(abs(fit.slope + 0.5) < 1e-9)
        #expect(abs(fit.lastVelocityPerHour - 1 / (0.5 * Double(100 - i))) < 1e-9)
        #expect(fit.rSquared > 1 - 1e-12)
    }

    /// The same curve as a continuous displacement S(t) = -(1/A)·ln(1 - t/t_f), every 10 min, velocities over
    /// 1 h. Each velocity is the mean over the hour before t_k; placed at t_k the line would lag by about half
    /// the velocity window (the failure ~30 min late, 29.8 min computed independently). Placed at the middle of
    /// its hour, the prediction is within a quarter of a minute (0.2 min early).
    @Test func inverseVelocityOnASmoothCurveIsOnTime() throws {
        let s = series(regular(595, every: 10) { -2 * log(1 - Double($0) / 600) })
        let fit = try #require(
            DeformationMeasures.inverseVelocity(s, at: 360, window: 24 * hour, velocityWindow: hour, minimumPoints: 5))
        #expect(fit.points == 144)
        let late = Double(fit.failureAt - (epoch + 100 * hour)) / Double(minute)
        #expect(abs(late) < 0.25)
    }

    @Test func constantVelocityPredictsNoFailure() {
        // Cumulative sums of 0.1: the velocities differ in their last bits, the slope is noise (~1e-17, either
        // sign), the crossing ~10^11 years away: beyond the 100-year bound, nil (and no Int64 overflow).
        var value = 0.0
        let readings = regular(100, every: 60) { k in
            if k > 0 { value += 0.1 }
            return value
        }
        let s = series(readings)
        for velocityWindow in [hour, 6 * hour] {
            let fit = DeformationMeasures.inverseVelocity(
                s, at: 99, window: 48 * hour, velocityWindow: velocityWindow, minimumPoints: 5)
            #expect(fit == nil)
        }
    }

    /// A slow but exact Fukuzono line: a failure 50 years out is still a prediction, 200 years out is not.
    @Test(arguments: [(50, true), (99, true), (101, false), (200, false)])
    func failuresBeyondAHundredYearsAreNoPrediction(years: Int, predicted: Bool) throws {
        let failureHours = Double(years * 365 * 24)
        let s = series(accelerating(hours: 49, failureHours: failureHours))
        let fit = DeformationMeasures.inverseVelocity(
            s, at: 48, window: 24 * hour, velocityWindow: hour, minimumPoints: 5)
        #expect((fit != nil) == predicted)
        if let fit {
            #expect(abs(fit.failureAt - (epoch + Int64(failureHours) * hour - hour / 2)) <= minute)
        }
    }

    @Test func deceleratingPredictsNoFailure() {
        // Steps 1/(0.5·(10 + k)): 1/v rises, slope +0.5.
        var value = 0.0
        let s = series(regular(60, every: 60) { k in
            if k > 0 { value += 1 / (0.5 * (10 + Double(k))) }
            return value
        })
        let fit = DeformationMeasures.inverseVelocity(
            s, at: 59, window: 24 * hour, velocityWindow: hour, minimumPoints: 5)
        #expect(fit == nil)
    }

    /// Standstill and falling readings give no point: a step pattern +, 0, +, 0 … halves the points.
    @Test func nonPositiveVelocitiesGiveNoPoints() throws {
        var value = 0.0
        let s = series(regular(99, every: 60) { k in
            if k > 0, k % 2 == 0 { value += 1 / (0.25 * (100 - Double(k))) }
            return value
        })
        let fit = try #require(
            DeformationMeasures.inverseVelocity(s, at: 98, window: 24 * hour, velocityWindow: hour, minimumPoints: 5))
        // k = 75...98: the 12 even k step up, the 11 odd ones stand still; 1/v at even k = 0.25·(100 - k) again.
        #expect(fit.points == 12)
        #expect(abs(fit.slope + 0.25) < 1e-9)
        #expect(abs(fit.failureAt - (epoch + 100 * hour - hour / 2)) <= 1_000)
    }

    @Test(arguments: [
        // (i, minimumPoints, points or nil). At i = 60 the 24 h window holds 24 points.
        (60, 24, 24), (60, 25, nil),
        // At i = 3 only k = 1...3 have a reading an hour before them.
        (3, 3, 3), (3, 5, nil),
        // A single point is never a fit, whatever minimumPoints says.
        (1, 0, nil),
    ] as [(Int, Int, Int?)])
    func tooFewPointsGiveNil(at i: Int, minimumPoints: Int, points: Int?) {
        let s = series(accelerating(hours: 99, failureHours: 100))
        let fit = DeformationMeasures.inverseVelocity(
            s, at: i, window: 24 * hour, velocityWindow: hour, minimumPoints: minimumPoints)
        #expect(fit?.points == points)
    }

    /// 400 hourly readings in a 400 h window: at most 256 (or `pointLimit`) are fitted, spread over the whole
    /// window, and on an exact line they find the same failure time.
    @Test(arguments: [(DeformationMeasures.inverseVelocityPointLimit, 256), (10, 10), (1_000, 400), (1, 2)])
    func pointsAreCapped(limit: Int, points: Int) throws {
        let s = series(accelerating(hours: 600, failureHours: 1_000))
        let fit = try #require(
            DeformationMeasures.inverseVelocity(
                s, at: 599, window: 400 * hour, velocityWindow: hour, minimumPoints: 2, pointLimit: limit))
        #expect(fit.points == points)
        #expect(abs(fit.failureAt - (epoch + 1_000 * hour - hour / 2)) <= 1_000)
        #expect(abs(fit.lastVelocityPerHour - 1 / (0.5 * 401)) < 1e-9)
    }

    /// Irregular readings (gaps of 1 to 40 min, some steps back), pseudo-random but fixed: at every reading
    /// the measures agree with a plain reference that scans linearly and fits with two-pass means.
    @Test(arguments: [DeformationMeasures.inverseVelocityPointLimit, 16, 3])
    func measuresMatchAPlainReference(pointLimit: Int) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var readings: [Reading] = []
        var minutes: Int64 = 0
        var value = 0.0
        for k in 0..<1_500 {
            minutes += 1 + Int64(random() * 40)
            value += (random() - 0.2) * 0.01 * (1 + Double(k) / 200)
            readings.append(Reading(minutes: minutes, value: (value * 1e6).rounded() / 1e6))
        }
        let s = series(readings)
        let times = readings.map { epoch + $0.minutes * minute }
        let values = readings.map(\.value)
        func last(atOrBefore time: Int64, upTo k: Int) -> Int { (0...k).last { times[$0] <= time } ?? -1 }

        var fits = 0
        for i in 0..<readings.count {
            // Rate: 2 h window, per hour, smoothing 4.
            let j = last(atOrBefore: times[i] - 2 * hour, upTo: i)
            let rate = DeformationMeasures.rate(s, at: i, window: 2 * hour, per: hour, smoothing: 4)
            if j < 0 {
                #expect(rate == nil)
            } else {
                func smoothed(_ k: Int) -> Double {
                    let from = max(0, k - 3)
                    return values[from...k].reduce(0, +) / Double(k - from + 1)
                }
                let expected = (smoothed(i) - smoothed(j)) / Double(times[i] - times[j]) * Double(hour)
                #expect(abs(try #require(rate) - expected) <= 1e-9)
            }

            // Inverse velocity: 12 h window, 1 h velocities.
            let first = last(atOrBefore: times[i] - 12 * hour, upTo: i) + 1
            let count = i - first + 1
            let limit = max(2, pointLimit)
            let ks = count <= limit ? Array(first...i) : (0..<limit).map { first + $0 * (count - 1) / (limit - 1) }
            var xs: [Double] = []
            var ys: [Double] = []
            for k in ks {
                let kk = last(atOrBefore: times[k] - hour, upTo: k)
                guard kk >= 0, values[k] > values[kk] else { continue }
                // Each velocity sits at the middle of the interval it is the mean over.
                xs.append((Double(times[k] - times[i]) - Double(times[k] - times[kk]) / 2) / Double(hour))
                ys.append(Double(times[k] - times[kk]) / Double(hour) / (values[k] - values[kk]))
            }
            let fit = DeformationMeasures.inverseVelocity(
                s, at: i, window: 12 * hour, velocityWindow: hour, minimumPoints: 3, pointLimit: pointLimit)
            guard xs.count >= 3 else {
                #expect(fit == nil)
                continue
            }
            let mx = xs.reduce(0, +) / Double(xs.count)
            let my = ys.reduce(0, +) / Double(ys.count)
            let cxx = zip(xs, xs).map { ($0 - mx) * ($1 - mx) }.reduce(0, +)
            let cxy = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
            let slope = cxy / cxx
            let lead = -(my - slope * mx) / slope * Double(hour)
            guard slope < 0, abs(lead) < 3e12 else {
                #expect(fit == nil)
                continue
            }
            let got = try #require(fit)
            fits += 1
            #expect(got.points == xs.count)
            #expect(abs(got.slope - slope) <= 1e-9 * abs(slope))
            #expect(abs(Double(got.failureAt - times[i]) - lead) <= 1e-6 * abs(lead) + 1)
            #expect(abs(got.lastVelocityPerHour - 1 / ys[ys.count - 1]) <= 1e-12 / ys[ys.count - 1])
        }
        // The data must exercise both outcomes.
        #expect(fits > 100 && fits < readings.count - 100)
    }

    @Test func invalidArgumentsGiveNil() {
        let s = series(accelerating(hours: 99, failureHours: 100))
        #expect(DeformationMeasures.rate(s, at: 99, window: hour, per: hour, smoothing: 1) == nil)
        #expect(DeformationMeasures.rate(s, at: -1, window: hour, per: hour, smoothing: 1) == nil)
        #expect(DeformationMeasures.rate(s, at: 50, window: -hour, per: hour, smoothing: 1) == nil)
        for (i, window, velocityWindow) in [(99, day, hour), (50, 0, hour), (50, day, 0)] as [(Int, Int64, Int64)] {
            let fit = DeformationMeasures.inverseVelocity(
                s, at: i, window: window, velocityWindow: velocityWindow, minimumPoints: 2)
            #expect(fit == nil)
        }
    }
}
