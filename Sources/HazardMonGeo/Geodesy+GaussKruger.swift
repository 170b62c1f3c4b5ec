// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

extension Geodesy {
    /// Checks survey X (north) / Y (east) values against a CRS and returns them as easting/northing.
    ///
    /// Registers in China write X, the northing, first and Y, the easting, second; in a prefixed zone Y
    /// starts with the zone number (zone 36: `Y = 36 512 345.6`). For a CGCS2000 Gauss-Krüger code
    /// (EPSG:4491-4554) the prefix must match the code: a prefixed zone code needs that zone's prefix, an
    /// unprefixed code needs none, and values whose X looks like an easting while Y looks like a northing are
    /// reported as swapped. Other CRSs are not checked here. No PROJ call is made.
    ///
    /// - Parameters:
    ///   - x: Survey X, the northing in metres.
    ///   - y: Survey Y, the easting in metres, with the zone prefix when the CRS is a prefixed zone.
    ///   - crs: The CRS the values were surveyed in, e.g. `"EPSG:4524"`.
    /// - Returns: `Coordinate2D(x: y, y: x)`: easting, northing.
    /// - Throws: ``SurveyCoordinateError/missingZonePrefix(y:crs:zone:)``,
    ///   ``SurveyCoordinateError/wrongZonePrefix(y:prefix:crs:zone:)``,
    ///   ``SurveyCoordinateError/unexpectedZonePrefix(y:prefix:crs:zone:)`` or
    ///   ``SurveyCoordinateError/swappedAxes(x:y:crs:)``.
    public static func surveyPoint(x: Double, y: Double, crs: String) throws(SurveyCoordinateError) -> Coordinate2D {
        let point = Coordinate2D(x: y, y: x)
        guard let zone = GaussKruger.zone(crs: crs) else { return point }

        // No Gauss-Krüger easting lies in 1 000 000 ..< 10 000 000: unprefixed ones are below 1 000 000 and
        // prefixes start at 13. A Y there is a northing; if X then looks like an easting, they are swapped.
        let yLooksLikeNorthing = y >= 1_000_000 && y < 10_000_000
        let xLooksLikeEasting = (x >= 0 && x < 1_000_000) || GaussKruger.prefix(ofEasting: x) != nil
        if yLooksLikeNorthing && xLooksLikeEasting {
            throw .swappedAxes(x: x, y: y, crs: crs)
        }

        let prefix = GaussKruger.prefix(ofEasting: y)
        switch (zone.prefixed, prefix) {
        case (true, nil):
            throw .missingZonePrefix(y: y, crs: crs, zone: zone)
        case (true, let prefix?) where prefix != zone.number:
            throw .wrongZonePrefix(y: y, prefix: prefix, crs: crs, zone: zone)
        case (false, let prefix?):
            throw .unexpectedZonePrefix(y: y, prefix: prefix, crs: crs, zone: zone)
        default:
            return point
        }
    }

    /// Transforms survey X (north) / Y (east) values, as written in a register, to another CRS.
    ///
    /// The values are first checked with ``surveyPoint(x:y:crs:)`` (zone prefix, swapped columns), then
    /// transformed with the area of use of `crs` checked.
    ///
    /// ```swift
    /// // X = 3 375 558.7405 (north), Y = 36 519 199.8045 (east, zone 36)
    /// let lonLat = try await geodesy.transformSurvey(x: 3_375_558.7405, y: 36_519_199.8045,
    ///                                                crs: "EPSG:4524", to: "EPSG:4490")
    /// // lonLat ≈ (108.2, 30.5)
    /// ```
    ///
    /// - Parameters:
    ///   - x: Survey X, the northing in metres.
    ///   - y: Survey Y, the easting in metres, prefixed when `crs` is a prefixed zone.
    ///   - crs: The CRS the values were surveyed in.
    ///   - to: The target CRS.
    ///   - ballpark: Whether PROJ's ballpark transformations are acceptable (see ``BallparkPolicy``).
    /// - Returns: The point in `to`, lon/lat or easting/northing.
    /// - Throws: The ``SurveyCoordinateError`` cases of ``surveyPoint(x:y:crs:)``;
    ///   ``SurveyCoordinateError/geographicCRS(crs:)`` when `crs` is geographic; PROJ's errors wrapped in
    ///   ``SurveyCoordinateError/projection(_:)``.
    public func transformSurvey(
        x: Double, y: Double, crs: String, to: String, ballpark: BallparkPolicy = .allow
    ) throws(SurveyCoordinateError) -> Coordinate2D {
        let point = try self.checkedSurveyPoint(x: x, y: y, crs: crs)
        do throws(ProjError) {
            return try self.transform(point, from: crs, to: to, ballpark: ballpark)
        } catch {
            throw .projection(error)
        }
    }

    /// ``surveyPoint(x:y:crs:)``, plus the refusal of a geographic `crs` for CRSs that are not
    /// CGCS2000 Gauss-Krüger zones.
    ///
    /// - Returns: easting, northing.
    /// - Throws: As ``surveyPoint(x:y:crs:)``, ``SurveyCoordinateError/geographicCRS(crs:)``, or PROJ's
    ///   error about `crs` wrapped in ``SurveyCoordinateError/projection(_:)``.
    public func checkedSurveyPoint(x: Double, y: Double, crs: String) throws(SurveyCoordinateError) -> Coordinate2D {
        let point = try Self.surveyPoint(x: x, y: y, crs: crs)
        if GaussKruger.zone(crs: crs) == nil {
            let isGeographic: Bool
            do throws(ProjError) {
                isGeographic = try self.describe(crs).isGeographic
            } catch {
                throw .projection(error)
            }
            if isGeographic {
                throw .geographicCRS(crs: crs)
            }
        }
        return point
    }
}
