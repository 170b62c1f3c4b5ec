// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Pure, allocation-free measures over a channel series, evaluated "as of" reading i (only readings 0...i are used).
///
/// These back the deformation rule kinds ``RuleKind/rate(window:per:smoothing:tiers:)``,
/// ``RuleKind/tangentialAngle(uniformVelocityPerDay:window:smoothing:tiers:)`` and
/// ``RuleKind/inverseVelocity(window:velocityWindow:minimumPoints:horizons:)`` (domain.md §3). They run for
/// every reading, so none of them allocates, and they find the reading at the old end of a window by
/// galloping back from i: O(log d) for d readings in the window. ``rate(_:at:window:per:smoothing:)`` and
/// ``tangentialAngle(_:at:uniformVelocityPerDay:window:smoothing:)`` then cost O(1) more (the smoothed
/// means come from the series' exact running totals);
/// ``inverseVelocity(_:at:window:velocityWindow:minimumPoints:pointLimit:)`` one such search per point, at
/// most ``inverseVelocityPointLimit`` points.
///
/// ```swift
/// // Displacement rate in mm/day over the last 24 h, each end averaged over 3 readings:
/// let v = DeformationMeasures.rate(series, at: series.count - 1, window: 86_400_000, per: 86_400_000, smoothing: 3)
/// ```
///
/// Every function returns `nil` when `i` is not a valid index of `s`.
public enum DeformationMeasures {
    /// Milliseconds per hour: the time unit of the inverse-velocity fit.
    public static let millisecondsPerHour: Int64 = 3_600_000
    /// Milliseconds per day: the `per` of the tangential angle's rate.
    public static let millisecondsPerDay: Int64 = 86_400_000
    /// At most this many readings of the window become points of an inverse-velocity fit.
    ///
    /// When the window holds more, this many are taken spread evenly over it by index (always including
    /// its oldest and its newest reading), so the fit still spans the whole configured window at a cost
    /// bounded per call. See ``inverseVelocity(_:at:window:velocityWindow:minimumPoints:pointLimit:)``.
    public static let inverseVelocityPointLimit = 256
    /// A predicted failure further than this from the evaluated reading (ms, 100 years) is no prediction:
    /// ``inverseVelocity(_:at:window:velocityWindow:minimumPoints:pointLimit:)`` returns nil.
    ///
    /// Velocities are differences of floating-point values, so a constant velocity gives 1/v values that
    /// differ in their last bits and a slope of either sign of about 10⁻¹⁷–10⁻¹⁵ of 1/v per hour: a
    /// "failure" some 10¹¹ years or more away, which this bound turns into nil (and keeps out of `Int64`).
    public static let inverseVelocityMaximumLead: Int64 = 100 * 365 * 86_400_000

    /// Change of the smoothed value over `window` ms ending at reading i, per `per` ms.
    ///
    /// The smoothed value at an index k is the mean of the `smoothing` readings ending at k (fewer near the
    /// start of the series: what there is, at least 1). The old end is the last reading at or before
    /// `timestamp(i) - window`, j = `index(after: t_i - window) - 1`. The rate is
    /// `(smoothed(i) - smoothed(j)) / (t_i - t_j) * per`.
    ///
    /// The means are taken from the series' exact micro-unit totals (``ChannelSeries/microSum(_:_:)``), so
    /// values are resolved to 10⁻⁶ of the channel's unit and a change of readings 4.4 → 16.4 over exactly
    /// `per` is exactly 12, not 11.999999999999998 (what `16.4 - 4.4` gives in `Double`): a rate that meets
    /// a tier of 12 reaches it.
    ///
    /// - Parameters:
    ///   - s: The channel's series.
    ///   - i: The reading evaluated; readings after it are not used.
    ///   - window: How far back the old end is, ms; must be > 0.
    ///   - per: The time unit of the result, ms (3 600 000 for unit per hour).
    ///   - smoothing: How many readings are averaged at each end; values < 1 count as 1.
    /// - Returns: The rate in unit per `per`, or nil when there is no reading at or before `t_i - window`
    ///   (not enough history), when `t_i - t_j` is 0, or when `window <= 0`.
    public static func rate(
        _ s: borrowing ChannelSeries,
        at i: Int,
        window: Int64,
        per: Int64,
        smoothing: Int
    ) -> Double? {
        guard i >= 0, i < s.count, window > 0 else { return nil }
        let t = s.timestamp(i)
        let j = Self.last(s, atOrBefore: Self.before(t, window), below: i)
        guard j >= 0 else { return nil }
        let elapsed = t - s.timestamp(j)
        guard elapsed > 0 else { return nil }
        let n = max(1, smoothing)
        let ni = min(n, i + 1)
        let nj = min(n, j + 1)
        let sumI = s.microSum(i - ni + 1, i)
        let sumJ = s.microSum(j - nj + 1, j)
        // Same count at both ends (the usual case): one exact integer difference, one rounding.
        let change =
            ni == nj
            ? Double(sumI - sumJ) / Double(ni)
            : Double(sumI) / Double(ni) - Double(sumJ) / Double(nj)
        // `per / elapsed` is exactly 1 when the window is the unit, so the change comes through unrounded.
        return change / ChannelSeries.scale * (Double(per) / Double(elapsed))
    }

    /// Improved tangential angle (Xu Qiang 2009), in degrees.
    ///
    /// With T = S / v₀ (displacement in days of uniform-stage deformation), α = arctan(ΔT/Δt) =
    /// arctan(v / v₀), where v = ``rate(_:at:window:per:smoothing:)`` over `window` in unit per day and v₀
    /// = `uniformVelocityPerDay`. Uniform deformation gives 45°, acceleration approaches 90°, a standstill
    /// 0°, a negative rate a negative angle.
    ///
    /// The rate is resolved to 10⁻⁶ of the unit (see ``rate(_:at:window:per:smoothing:)``), so near 80° with
    /// v₀ = 2 mm/day the angle moves in steps of about 9·10⁻⁷°.
    ///
    /// - Parameters:
    ///   - s: The channel's series (cumulative displacement).
    ///   - i: The reading evaluated; readings after it are not used.
    ///   - uniformVelocityPerDay: v₀, the mean rate of the uniform (constant-velocity) stage, unit per day.
    ///   - window: The rate's window, ms.
    ///   - smoothing: Readings averaged at each end of the window.
    /// - Returns: α in degrees in (−90, 90), or nil when the rate is nil or v₀ is not a positive number.
    public static func tangentialAngle(
        _ s: borrowing ChannelSeries,
        at i: Int,
        uniformVelocityPerDay: Double,
        window: Int64,
        smoothing: Int
    ) -> Double? {
        guard uniformVelocityPerDay > 0, uniformVelocityPerDay.isFinite,
            let v = Self.rate(s, at: i, window: window, per: Self.millisecondsPerDay, smoothing: smoothing)
        else { return nil }
        return atan(v / uniformVelocityPerDay) * (180 / Double.pi)
    }

    /// Inverse velocity (Fukuzono 1985): the failure time where a line fitted to 1/v reaches 0.
    ///
    /// For each reading k with `t_i - window < t_k <= t_i`, the velocity is
    /// v_k = (value(k) − value(k′)) / (t_k − t_k′) per hour, k′ the last reading at or before
    /// `t_k - velocityWindow`; readings without such a k′ or with v_k <= 0 give no point. The points
    /// (t_k, 1/v_k) are fitted by least squares to 1/v = m·t + c, with t in hours relative to t_i (so the
    /// fit does not lose digits to epoch milliseconds) and c the fitted 1/v at t_i.
    ///
    /// **Point limit.** When the window holds more than `pointLimit` readings, only `pointLimit` of them,
    /// spread evenly by index over the window (the oldest and the newest always among them), are used;
    /// the cost per call is then at most `pointLimit` searches back over one `velocityWindow` each, whatever
    /// the sampling rate.
    ///
    /// **No failure.** The result is nil unless there are at least `minimumPoints` (and 2) points, the line
    /// falls (m < 0) and it reaches 0 within ``inverseVelocityMaximumLead`` of t_i. A decelerating series
    /// (m > 0) is nil; so is a constant velocity: m = 0, or floating-point noise that puts the crossing
    /// some 10¹¹ years away. The fit is not tested for significance: with noisy readings a
    /// constant velocity can give a clearly negative m, and ``InverseVelocityFit/rSquared`` is what tells.
    ///
    /// The failure time may lie before t_i (the line already crossed 0: failure overdue); the caller's time
    /// left is then negative and reaches every falling horizon.
    ///
    /// v_k is the mean velocity over (t_k′, t_k], so it is placed at the middle of that interval: placed at
    /// t_k, the fitted line would lag by about `velocityWindow / 2` on a smooth accelerating curve and the
    /// failure time come out that much late, which is the unsafe side.
    ///
    /// - Parameters:
    ///   - s: The channel's series (cumulative displacement).
    ///   - i: The reading evaluated; readings after it are not used.
    ///   - window: The fitting window, ms.
    ///   - velocityWindow: How far back each velocity is taken from, ms.
    ///   - minimumPoints: The fewest points a fit may use.
    ///   - pointLimit: The most points a fit may use (values < 2 count as 2).
    /// - Returns: The predicted failure time and the fit, or nil.
    public static func inverseVelocity(
        _ s: borrowing ChannelSeries,
        at i: Int,
        window: Int64,
        velocityWindow: Int64,
        minimumPoints: Int,
        pointLimit: Int = DeformationMeasures.inverseVelocityPointLimit
    ) -> InverseVelocityFit? {
        guard i >= 0, i < s.count, window > 0, velocityWindow > 0 else { return nil }
        let t = s.timestamp(i)
        let first = Self.last(s, atOrBefore: Self.before(t, window), below: i) + 1
        let readings = i - first + 1
        let limit = max(2, pointLimit)
        let taken = min(readings, limit)
        let hoursPerMillisecond = 1 / Double(Self.millisecondsPerHour)

        // Plain sums of x (hours before t_i, so small) and of y minus the first point's y: with both
        // shifted near 0 the co-moments below do not cancel, without a division per point.
        var n = 0
        var y0 = 0.0
        var sx = 0.0
        var sy = 0.0
        var sxx = 0.0
        var sxy = 0.0
        var syy = 0.0
        var lastY = 0.0
        // k' only moves forward as k does: step on from the previous one, gallop when it is far.
        var kk = -2
        for m in 0..<taken {
            // All readings when they fit, else `limit` spread evenly from `first` to `i`, oldest first.
            let k = taken == readings ? first + m : first + m * (readings - 1) / (limit - 1)
            let tk = s.timestamp(k)
            let from = Self.before(tk, velocityWindow)
            if kk < -1 {
                kk = Self.last(s, atOrBefore: from, below: k)
            } else {
                var steps = 0
                while kk + 1 < k, s.timestamp(kk + 1) <= from {
                    kk += 1
                    steps += 1
                    if steps == 8 {
                        kk = Self.last(s, atOrBefore: from, below: k)
                        break
                    }
                }
            }
            guard kk >= 0 else { continue }
            let dv = s.value(k) - s.value(kk)
            guard dv > 0 else { continue }
            // 1/v in hours per unit: (t_k - t_k') / (value(k) - value(k')).
            let y = Double(tk - s.timestamp(kk)) * hoursPerMillisecond / dv
            if n == 0 { y0 = y }
            // Placed at the middle of the interval it is the mean over: at its end, the line would lag by
            // half the velocity window and the failure time come out that much late (the unsafe side).
            let x = (Double(tk - t) - Double(tk - s.timestamp(kk)) / 2) * hoursPerMillisecond
            let dy = y - y0
            n += 1
            sx += x
            sy += dy
            sxx += x * x
            sxy += x * dy
            syy += dy * dy
            lastY = y
        }
        guard n >= max(2, minimumPoints) else { return nil }
        let count = Double(n)
        let cxx = sxx - sx * sx / count
        let cxy = sxy - sx * sy / count
        let cyy = syy - sy * sy / count
        guard cxx > 0 else { return nil }
        let slope = cxy / cxx
        guard slope < 0 else { return nil }
        // The line at x = 0 (t_i), and where it reaches 0, in ms after t_i.
        let atNow = y0 + sy / count - slope * sx / count
        let lead = -atNow / slope * Double(Self.millisecondsPerHour)
        guard lead.isFinite, abs(lead) <= Double(Self.inverseVelocityMaximumLead) else { return nil }
        let rSquared = cyy > 0 ? min(1, cxy * cxy / (cxx * cyy)) : 1
        return InverseVelocityFit(
            failureAt: t + Int64(lead.rounded()),
            points: n,
            slope: slope,
            lastVelocityPerHour: 1 / lastY,
            rSquared: rSquared
        )
    }

    /// The last reading at or before `time` among readings `0..<end`, given `timestamp(end) > time`; -1 when
    /// there is none.
    ///
    /// Gallops back from `end` (1, 2, 4, … readings), then bisects: O(log d) for an answer d readings back,
    /// cheaper than a bisection of the whole series when windows are short, and it never looks at readings
    /// after `end`.
    @inline(__always)
    private static func last(_ s: borrowing ChannelSeries, atOrBefore time: Int64, below end: Int) -> Int {
        var high = end  // timestamp(high) > time
        var step = 1
        var low = end - 1
        while low >= 0, s.timestamp(low) > time {
            high = low
            step &*= 2
            low = high - step
        }
        low = max(low, -1)  // timestamp(low) <= time, or low == -1
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if s.timestamp(mid) <= time { low = mid } else { high = mid }
        }
        return low
    }

    /// `time - span`, saturating at `Int64.min` instead of trapping.
    @inline(__always) private static func before(_ time: Int64, _ span: Int64) -> Int64 {
        let (difference, overflow) = time.subtractingReportingOverflow(span)
        return overflow ? .min : difference
    }
}

/// The result of an inverse-velocity fit: the predicted failure time and how it was reached.
///
/// See ``DeformationMeasures/inverseVelocity(_:at:window:velocityWindow:minimumPoints:pointLimit:)``.
public struct InverseVelocityFit: Sendable, Hashable {
    /// Where the fitted 1/v line reaches 0, ms UTC; may be before the evaluated reading (overdue).
    public var failureAt: Int64
    /// How many (t, 1/v) points the fit used.
    public var points: Int
    /// The slope of 1/v against time, in (hours per unit) per hour; negative.
    public var slope: Double
    /// The velocity of the newest point used, unit per hour.
    public var lastVelocityPerHour: Double
    /// Coefficient of determination of the fit, 0...1 (1 when all points lie on the line).
    public var rSquared: Double

    public init(failureAt: Int64, points: Int, slope: Double, lastVelocityPerHour: Double, rSquared: Double) {
        self.failureAt = failureAt
        self.points = points
        self.slope = slope
        self.lastVelocityPerHour = lastVelocityPerHour
        self.rSquared = rSquared
    }
}
