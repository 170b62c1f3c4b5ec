// SPDX-License-Identifier: Apache-2.0

/// Whether a transformation may use one of PROJ's "ballpark" operations.
///
/// When PROJ knows no published transformation between two datums (Beijing 1954 or Xi'an 1980 to
/// CGCS2000, for instance), it falls back to a ballpark one: it changes ellipsoid and ignores the datum
/// shift, which for the old Chinese datums puts points tens to a hundred metres off, silently.
///
/// ```swift
/// try await geodesy.transform(point, from: "EPSG:4214", to: "EPSG:4490", ballpark: .refuse)
/// // throws ProjError.ballparkOnly(from: "EPSG:4214", to: "EPSG:4490", operation: "Ballpark geographic offset …")
/// ```
public enum BallparkPolicy: Sendable, Hashable {
    /// Accept what PROJ picks, ballpark or not (what `cs2cs` does).
    case allow
    /// Refuse ballpark operations: the transformation is built with PROJ's `ALLOW_BALLPARK=NO`, and a pair
    /// for which PROJ has nothing else throws ``ProjError/ballparkOnly(from:to:operation:)``.
    ///
    /// One exception: between CRSs whose datums are both WGS 84 (any realisation, or the ensemble) or
    /// CGCS2000, the ballpark operation (a null shift) is accepted. The two frames were aligned at epoch
    /// 2000.0 and differ by well under a metre to about a metre today (plate motion), which is the
    /// accuracy a hand-held GPS or a GeoJSON file gives anyway; PROJ has no published operation between
    /// them.
    case refuse
}
