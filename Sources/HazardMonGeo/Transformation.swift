// SPDX-License-Identifier: Apache-2.0
import CProj
import HazardMonCore

/// One cached CRS-to-CRS transformation, already normalised for visualisation.
///
/// `proj_normalize_for_visualization` makes input and output lon/lat and easting/northing whatever axis
/// order the CRS authority declares (EPSG:4490 and the CGCS2000 Gauss-Krüger codes declare lat/lon and
/// northing/easting), so every ``HazardMonCore/Coordinate2D`` crossing this type is `x` = lon/easting,
/// `y` = lat/northing. Not `Sendable`: it is owned by the ``Geodesy`` actor's cache.
final class Transformation {
    /// The normalised operation. Holds the context alive (see ``ProjObject``).
    let operation: ProjObject
    /// Whether PROJ marked the operation (or one of its candidates) as a ballpark transformation.
    let isBallpark: Bool

    init(operation: ProjObject, isBallpark: Bool = false) {
        self.operation = operation
        self.isBallpark = isBallpark
    }

    /// Why PROJ could not transform one point.
    struct Failure: Error {
        let message: String
    }

    /// Transforms one point with `proj_trans`, resetting the error state first and checking both
    /// `proj_errno` and the output for infinities (PROJ's `HUGE_VAL`) afterwards.
    func transform(_ point: Coordinate2D) -> Result<Coordinate2D, Failure> {
        let pj = self.operation.raw
        let context = self.operation.context
        context.clearMessages()
        proj_errno_reset(pj)
        // z = 0 and t = HUGE_VAL ("no time") are the values proj_trans_generic uses when given no z or t,
        // so the batch and the per-point paths compute the same thing.
        let output = proj_trans(pj, PJ_FWD, proj_coord(point.x, point.y, 0, .infinity))
        let code = proj_errno(pj)
        let result = Coordinate2D(x: output.xy.x, y: output.xy.y)
        if code != 0 || !result.isFinite {
            return .failure(Failure(message: Self.message(errno: code, context: context)))
        }
        context.clearMessages()
        return .success(result)
    }

    /// Transforms points in place with one `proj_trans_generic` call, straight on the array's storage.
    ///
    /// - Returns: nil when PROJ reported no error and every output is finite; otherwise the index from
    ///   which the caller must re-run points one by one with ``transform(_:)`` to find out which failed
    ///   and why (`proj_trans_generic` has one error state for the whole batch).
    func transformInPlace(_ points: inout [Coordinate2D]) -> Int? {
        let pj = self.operation.raw
        let context = self.operation.context
        guard !points.isEmpty else { return nil }
        context.clearMessages()
        proj_errno_reset(pj)
        Self.transformGeneric(pj, &points)
        if proj_errno(pj) != 0 {
            return 0
        }
        context.clearMessages()
        return points.firstIndex { !$0.isFinite }
    }

    /// Runs `proj_trans_generic` over `points` in place: x and y are read and written with the stride of
    /// ``HazardMonCore/Coordinate2D``, z and t take PROJ's defaults (0 and "no time").
    static func transformGeneric(_ pj: OpaquePointer, _ points: inout [Coordinate2D]) {
        let count = points.count
        let stride = MemoryLayout<Coordinate2D>.stride
        points.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress,
                let xs = base.pointer(to: \.x),
                let ys = base.pointer(to: \.y)
            else { return }
            _ = proj_trans_generic(pj, PJ_FWD, xs, stride, count, ys, stride, count, nil, 0, 0, nil, 0, 0)
        }
    }

    /// PROJ's logged text for the failure, else the string for `errno`.
    private static func message(errno code: Int32, context: ProjContext) -> String {
        if let logged = context.takeMessage() {
            return logged
        }
        if code != 0, let raw = context.raw, let text = proj_context_errno_string(raw, code) {
            return String(cString: text)
        }
        return "PROJ returned a non-finite coordinate"
    }
}

@available(*, unavailable)
extension Transformation: Sendable {}
