// SPDX-License-Identifier: Apache-2.0
import CProj
import HazardMonCore

/// Coordinate transformations through PROJ, with cached transformations and errors in PROJ's own words.
///
/// A `Geodesy` owns one PROJ context (`PJ_CONTEXT`) and every PROJ object made on it. CRSs are given as
/// text, at either end of a transformation: an authority code (`"EPSG:4524"`), a PROJ string
/// (`"+proj=tmerc +lon_0=108.25 +ellps=GRS80"`) or WKT (1 or 2).
///
/// ```swift
/// let geodesy = try Geodesy()
/// let metric = try await geodesy.transform(Coordinate2D(lon: 108.2, lat: 30.5), from: "EPSG:4490", to: "EPSG:4524")
/// // metric.x == 36_519_199.8045 (easting, zone prefix 36), metric.y == 3_375_558.7405 (northing)
/// await geodesy.close()
/// ```
///
/// ## Axis order
/// Every transformation is normalised with `proj_normalize_for_visualization`, so points go in and come
/// out as ``HazardMonCore/Coordinate2D``: `x` is longitude or easting, `y` is latitude or northing, even
/// though EPSG declares latitude first for EPSG:4490 and northing first for the CGCS2000 Gauss-Krüger
/// codes. Survey registers write X (north) before Y (east): callers swap them, or use
/// ``transformSurvey(x:y:crs:to:ballpark:)``, which also checks the zone prefix.
///
/// ## PROJ strings
/// A PROJ string that is not marked `+type=crs` (`"+proj=tmerc +lon_0=108 ..."`) would be a coordinate
/// operation to PROJ, not a CRS. `Geodesy` appends `+type=crs` to such strings, so they work as CRSs.
///
/// ## Area of use
/// With `checkArea: true` (the default) a point must lie in the source CRS's area of use, judged on its
/// geographic position in that CRS's own geodetic CRS, without margin: 111°E given in EPSG:4524 (3° zone 36,
/// 106.5°E...109.51°E) is rejected with ``ProjError/outsideAreaOfUse(point:crs:area:)``. CRSs without an
/// area of use (most PROJ strings), and CRSs whose geodetic CRS is not geographic, are not checked.
///
/// ## Ballpark transformations
/// Between datums PROJ has no published transformation for (Beijing 1954 or Xi'an 1980 to CGCS2000), PROJ
/// falls back to a "ballpark" operation that ignores the datum shift. Transforms accept it by default, as
/// `cs2cs` does; pass `ballpark: .refuse` (``BallparkPolicy``) to get
/// ``ProjError/ballparkOnly(from:to:operation:)`` instead, and use
/// ``transformEach(_:from:shift:checkArea:)`` with the surveyor's ``DatumShift``.
///
/// ## Caching
/// Creating a transformation reads `proj.db` and is slow; transforming is not. Transformations are cached
/// per (from, to) pair of definitions, exactly as written, for the life of the `Geodesy`. Build the
/// common ones at startup with ``prepare(from:to:)``.
///
/// ## Threading
/// PROJ forbids using one context from two threads at once. The actor serialises every PROJ call on its
/// executor, and the context and its objects never leave it (they are non-`Sendable` classes), so the
/// same `Geodesy` can be shared by any number of tasks. There are no thread-locals: a Swift task changes
/// threads at `await`, which makes a thread-bound context unsound. Every call runs on the actor, so one
/// `Geodesy` does one thing at a time; create one per CPU-heavy worker if transforms become a bottleneck.
///
/// ## Lifetime
/// Call ``close()`` when done (shutdown): it destroys the transformations, then the context. Deinit
/// asserts that `close()` ran; in release builds the objects are still freed, in the right order.
/// `proj_cleanup()` is never called here: it clears process-wide state and belongs at process exit.
public actor Geodesy {
    /// A (from, to) pair of CRS definitions, the cache key.
    private struct CRSPair: Hashable {
        let from: String
        let to: String
        let ballpark: BallparkPolicy
    }

    let context: ProjContext
    private var transformations: [CRSPair: Transformation] = [:]
    /// Datum-shift operations (``DatumShift``) per source geodetic CRS and shift, see `Geodesy+DatumShift.swift`.
    var datumShifts: [DatumShiftKey: Transformation] = [:]
    /// Area checks per source definition; a stored nil means "this CRS has no area of use to check".
    private var areaChecks: [String: AreaOfUseCheck?] = [:]
    private var descriptions: [String: CRSDescription] = [:]
    private var isClosed = false

    /// Creates a PROJ context with its log function installed, and checks that `proj.db` opens.
    ///
    /// PROJ finds its data as usual (`PROJ_DATA`/`PROJ_LIB`, then the directory compiled into libproj,
    /// `/usr/share/proj` on Debian). If that finds no `proj.db`, for example because `PROJ_LIB` points at an
    /// old GIS install, the standard directories `/usr/share/proj`, `/usr/local/share/proj` and
    /// `/opt/homebrew/share/proj` are tried.
    ///
    /// - Throws: ``ProjError/contextUnavailable(message:)`` with PROJ's words when no context can be created
    ///   or no `proj.db` can be opened.
    public init() throws(ProjError) {
        self.context = try ProjContext(searchPaths: nil)
    }

    /// Creates a `Geodesy` that looks for PROJ data only in `searchPaths` (no fallback).
    init(searchPaths: [String]) throws(ProjError) {
        self.context = try ProjContext(searchPaths: searchPaths)
    }

    deinit {
        let wasClosed = self.isClosed
        assert(wasClosed, "Geodesy was not closed before deinit; call close() at shutdown")
        // Safety net when not closed: the caches release each Transformation before the ProjContext they
        // hold, so every proj_destroy still precedes proj_context_destroy.
    }

    /// Destroys the cached transformations, then the PROJ context. Idempotent.
    ///
    /// Afterwards every method throws ``ProjError/contextUnavailable(message:)``.
    public func close() {
        guard !self.isClosed else { return }
        // Order matters: every PJ must be destroyed while its context still exists.
        self.transformations.removeAll()
        self.datumShifts.removeAll()
        self.areaChecks.removeAll()
        self.descriptions.removeAll()
        self.context.close()
        self.isClosed = true
    }

    /// The number of cached (from, to) transformations.
    public var cachedTransformationCount: Int {
        self.transformations.count + self.datumShifts.count
    }

    // MARK: - Describing CRSs

    /// Validates a CRS definition and says what PROJ knows about it.
    ///
    /// - Parameter crs: `EPSG:nnnn` (or another authority code), a PROJ string or WKT.
    /// - Returns: The CRS's name, kind, authority code and area of use.
    /// - Throws: ``ProjError/invalidCRS(definition:message:)`` with PROJ's words when PROJ rejects the
    ///   definition or it names something other than a CRS.
    public func describe(_ crs: String) throws(ProjError) -> CRSDescription {
        try self.ensureOpen()
        if let cached = self.descriptions[crs] {
            return cached
        }
        let object = try self.makeCRS(crs)
        let description = CRSDescription(
            definition: crs,
            name: proj_get_name(object.raw).map { String(cString: $0) } ?? "unknown",
            isGeographic: self.isGeographic(object),
            authorityCode: Self.authorityCode(of: object),
            areaOfUse: self.areaOfUse(of: object)
        )
        self.descriptions[crs] = description
        return description
    }

    // MARK: - Transforming

    /// Builds and caches the transformation from `from` to `to` (and the area check of `from`) now, so that
    /// later transforms do not read `proj.db`. Call at startup for the CRS pairs the daemon uses.
    ///
    /// - Throws: ``ProjError/invalidCRS(definition:message:)`` or
    ///   ``ProjError/noTransformation(from:to:message:)``.
    public func prepare(from: String, to: String) throws(ProjError) {
        try self.ensureOpen()
        _ = try self.transformation(from: from, to: to, ballpark: .allow)
        _ = try self.areaCheck(for: from)
    }

    /// Transforms one point.
    ///
    /// - Parameters:
    ///   - point: lon/lat or easting/northing in `from` (see "Axis order" above).
    ///   - from: The source CRS definition.
    ///   - to: The target CRS definition.
    ///   - checkArea: Whether to reject a point outside the area of use of `from`.
    ///   - ballpark: Whether PROJ's ballpark transformations are acceptable (see ``BallparkPolicy``).
    /// - Returns: The point in `to`, lon/lat or easting/northing.
    /// - Throws: ``ProjError/invalidCRS(definition:message:)``,
    ///   ``ProjError/noTransformation(from:to:message:)``, ``ProjError/outsideAreaOfUse(point:crs:area:)``
    ///   or ``ProjError/transformFailed(point:from:to:message:)``.
    public func transform(
        _ point: Coordinate2D,
        from: String,
        to: String,
        checkArea: Bool = true,
        ballpark: BallparkPolicy = .allow
    ) throws(ProjError) -> Coordinate2D {
        try self.ensureOpen()
        let transformation = try self.transformation(from: from, to: to, ballpark: ballpark)
        let area = checkArea ? try self.areaCheck(for: from) : nil
        guard point.isFinite else {
            throw .transformFailed(point: point, from: from, to: to, message: Self.notFinite)
        }
        if let area, area.firstOutside([point][...]) != nil {
            throw .outsideAreaOfUse(point: point, crs: from, area: area.box)
        }
        switch transformation.transform(point) {
        case .success(let result):
            return result
        case .failure(let failure):
            throw .transformFailed(point: point, from: from, to: to, message: failure.message)
        }
    }

    /// Transforms a batch of points with one `proj_trans_generic` call.
    ///
    /// The whole batch fails on its first bad point (lowest index), with the same error
    /// ``transform(_:from:to:checkArea:)-(Coordinate2D,_,_,_)`` would give for it. Use
    /// ``transformEach(_:from:to:checkArea:)`` to get a result for every point.
    ///
    /// - Parameters:
    ///   - points: lon/lat or easting/northing in `from`.
    ///   - from: The source CRS definition.
    ///   - to: The target CRS definition.
    ///   - checkArea: Whether to reject points outside the area of use of `from`.
    ///   - ballpark: Whether PROJ's ballpark transformations are acceptable (see ``BallparkPolicy``).
    /// - Returns: The points in `to`, in the same order.
    /// - Throws: As the single-point transform, for the first point that fails.
    public func transform(
        _ points: [Coordinate2D],
        from: String,
        to: String,
        checkArea: Bool = true,
        ballpark: BallparkPolicy = .allow
    ) throws(ProjError) -> [Coordinate2D] {
        try self.ensureOpen()
        let transformation = try self.transformation(from: from, to: to, ballpark: ballpark)
        let area = checkArea ? try self.areaCheck(for: from) : nil

        // Find the first point that fails before transforming: non-finite input, then the area check. Only
        // the points before it are transformed; a PROJ failure among those comes first.
        var limit = points.firstIndex { !$0.isFinite } ?? points.count
        var pending: ProjError?
        if limit < points.count {
            pending = .transformFailed(point: points[limit], from: from, to: to, message: Self.notFinite)
        }
        if let area, let outside = area.firstOutside(points[..<limit]) {
            limit = outside
            pending = .outsideAreaOfUse(point: points[outside], crs: from, area: area.box)
        }

        var output = limit == points.count ? points : Array(points[..<limit])
        if let suspect = transformation.transformInPlace(&output) {
            for index in suspect..<limit {
                switch transformation.transform(points[index]) {
                case .success(let result):
                    output[index] = result
                case .failure(let failure):
                    throw .transformFailed(point: points[index], from: from, to: to, message: failure.message)
                }
            }
        }
        if let pending {
            throw pending
        }
        return output
    }

    /// Transforms points one by one and reports a result for each, so an import can name every bad row.
    ///
    /// - Parameters:
    ///   - points: lon/lat or easting/northing in `from`.
    ///   - from: The source CRS definition.
    ///   - to: The target CRS definition.
    ///   - checkArea: Whether to reject points outside the area of use of `from`.
    ///   - ballpark: Whether PROJ's ballpark transformations are acceptable (see ``BallparkPolicy``).
    /// - Returns: For each point, in order, the transformed point or its
    ///   ``ProjError/outsideAreaOfUse(point:crs:area:)`` or ``ProjError/transformFailed(point:from:to:message:)``.
    /// - Throws: Only what concerns all points: ``ProjError/invalidCRS(definition:message:)``,
    ///   ``ProjError/noTransformation(from:to:message:)``, ``ProjError/ballparkOnly(from:to:operation:)`` or
    ///   ``ProjError/contextUnavailable(message:)``.
    public func transformEach(
        _ points: [Coordinate2D],
        from: String,
        to: String,
        checkArea: Bool = true,
        ballpark: BallparkPolicy = .allow
    ) throws(ProjError) -> [Result<Coordinate2D, ProjError>] {
        try self.ensureOpen()
        let transformation = try self.transformation(from: from, to: to, ballpark: ballpark)
        let area = checkArea ? try self.areaCheck(for: from) : nil
        let inside = area?.insideFlags(points)
        return points.indices.map { index -> Result<Coordinate2D, ProjError> in
            let point = points[index]
            guard point.isFinite else {
                return .failure(.transformFailed(point: point, from: from, to: to, message: Self.notFinite))
            }
            if let area, let inside, !inside[index] {
                return .failure(.outsideAreaOfUse(point: point, crs: from, area: area.box))
            }
            return transformation.transform(point).mapError { failure in
                .transformFailed(point: point, from: from, to: to, message: failure.message)
            }
        }
    }

    // MARK: - PROJ objects

    private static let notFinite = "coordinate is not finite"

    func ensureOpen() throws(ProjError) {
        guard !self.isClosed else {
            throw .contextUnavailable(message: "this Geodesy was closed")
        }
    }

    /// The cached transformation for a pair, created (from `proj.db`) on first use.
    ///
    /// With ``BallparkPolicy/refuse`` the operation is created with PROJ's `ALLOW_BALLPARK=NO`, unless
    /// both CRSs are on the WGS 84 / CGCS2000 family of datums (see ``BallparkPolicy``); when PROJ then
    /// has no operation at all, the pair is refused with ``ProjError/ballparkOnly(from:to:operation:)``.
    private func transformation(from: String, to: String, ballpark: BallparkPolicy) throws(ProjError)
        -> Transformation
    {
        let key = CRSPair(from: from, to: to, ballpark: ballpark)
        if let cached = self.transformations[key] {
            return cached
        }
        let source = try self.makeCRS(from)
        let target = try self.makeCRS(to)
        let (operation, isBallpark) = try self.makeNormalizedOperation(
            source: source, target: target, from: from, to: to, allowBallpark: true
        )
        var transformation = Transformation(operation: operation, isBallpark: isBallpark)
        // Decided once per pair: the refusal (or the strict operation) is cached like any transformation.
        if ballpark == .refuse, isBallpark, !self.isNearlyWGS84(source) || !self.isNearlyWGS84(target) {
            guard
                let strict = try? self.makeNormalizedOperation(
                    source: source, target: target, from: from, to: to, allowBallpark: false
                )
            else {
                throw .ballparkOnly(from: from, to: to, operation: Self.name(of: operation))
            }
            transformation = Transformation(operation: strict.0, isBallpark: false)
        }
        self.transformations[key] = transformation
        return transformation
    }

    /// Whether PROJ's transformation from `from` to `to` is (or may be, for some points) a ballpark one that
    /// ``BallparkPolicy/refuse`` would refuse: a datum change PROJ has no published parameters for, done by
    /// ignoring it. False between WGS 84 and CGCS2000 (see ``BallparkPolicy/refuse``).
    ///
    /// - Throws: ``ProjError/invalidCRS(definition:message:)`` or
    ///   ``ProjError/noTransformation(from:to:message:)``.
    public func usesBallpark(from: String, to: String) throws(ProjError) -> Bool {
        try self.ensureOpen()
        guard try self.transformation(from: from, to: to, ballpark: .allow).isBallpark else { return false }
        let source = try self.makeCRS(from)
        let target = try self.makeCRS(to)
        return !self.isNearlyWGS84(source) || !self.isNearlyWGS84(target)
    }

    /// `proj_create_crs_to_crs_from_pj`, then `proj_normalize_for_visualization`; the intermediate
    /// operation is destroyed when its ``ProjObject`` goes out of scope. Also returns whether the operation
    /// (or one of its candidates) is a ballpark transformation.
    private func makeNormalizedOperation(
        source: ProjObject,
        target: ProjObject,
        from: String,
        to: String,
        allowBallpark: Bool = true
    ) throws(ProjError) -> (ProjObject, isBallpark: Bool) {
        let raw = try self.openContext()
        self.context.clearMessages()
        // PROJ copies the option strings during the call.
        let created: OpaquePointer? =
            allowBallpark
            ? proj_create_crs_to_crs_from_pj(raw, source.raw, target.raw, nil, nil)
            : "ALLOW_BALLPARK=NO".withCString { option in
                var options: [UnsafePointer<CChar>?] = [option, nil]
                return options.withUnsafeMutableBufferPointer { buffer in
                    proj_create_crs_to_crs_from_pj(raw, source.raw, target.raw, nil, buffer.baseAddress)
                }
            }
        guard let created else {
            throw .noTransformation(from: from, to: to, message: self.context.failureMessage())
        }
        let operation = ProjObject(context: self.context, raw: created)
        let isBallpark = proj_coordoperation_has_ballpark_transformation(raw, operation.raw) != 0
        self.context.clearMessages()
        guard let normalized = proj_normalize_for_visualization(raw, operation.raw) else {
            throw .noTransformation(from: from, to: to, message: self.context.failureMessage())
        }
        return (ProjObject(context: self.context, raw: normalized), isBallpark)
    }

    /// PROJ's name of an operation without the axis-order steps normalisation added.
    private static func name(of object: ProjObject) -> String {
        guard let name = proj_get_name(object.raw).map({ String(cString: $0) }) else { return "a ballpark transformation" }
        let steps = name.split(separator: " + ").filter { !$0.hasPrefix("axis order change") }
        return steps.isEmpty ? name : steps.joined(separator: " + ")
    }

    /// Whether a CRS's datum is WGS 84 (any realisation, or the ensemble) or CGCS2000, whose ballpark
    /// transformation to each other (a null shift) is within about a metre.
    private func isNearlyWGS84(_ crs: ProjObject) -> Bool {
        guard let name = self.datumName(of: crs) else { return false }
        return name.hasPrefix("World Geodetic System 1984") || name == "China 2000"
    }

    /// The name of a CRS's geodetic datum or datum ensemble; for a bound CRS, its source CRS's.
    func datumName(of crs: ProjObject) -> String? {
        guard let raw = self.context.raw else { return nil }
        var base = crs
        if crs.type == PJ_TYPE_BOUND_CRS, let sourceRaw = proj_get_source_crs(raw, crs.raw) {
            base = ProjObject(context: self.context, raw: sourceRaw)
        }
        defer { self.context.clearMessages() }
        guard let geodeticRaw = proj_crs_get_geodetic_crs(raw, base.raw) else { return nil }
        let geodetic = ProjObject(context: self.context, raw: geodeticRaw)
        let datumRaw = proj_crs_get_datum(raw, geodetic.raw) ?? proj_crs_get_datum_ensemble(raw, geodetic.raw)
        guard let datumRaw else { return nil }
        let datum = ProjObject(context: self.context, raw: datumRaw)
        return proj_get_name(datum.raw).map { String(cString: $0) }
    }

    /// The area check for a source CRS, created on first use; nil when the CRS has no area to check.
    private func areaCheck(for definition: String) throws(ProjError) -> AreaOfUseCheck? {
        if let cached = self.areaChecks[definition] {
            return cached
        }
        let crs = try self.makeCRS(definition)
        let check = try self.makeAreaCheck(crs, definition: definition)
        self.areaChecks[definition] = .some(check)
        return check
    }

    private func makeAreaCheck(_ crs: ProjObject, definition: String) throws(ProjError) -> AreaOfUseCheck? {
        guard let box = self.areaOfUse(of: crs) else { return nil }
        if Self.isGeographicType(crs.type) {
            guard let factor = self.degreesPerUnit(ofGeographic: crs) else { return nil }
            return AreaOfUseCheck(box: box, toGeographic: nil, degreesPerUnit: factor)
        }
        let raw = try self.openContext()
        self.context.clearMessages()
        guard let geodeticRaw = proj_crs_get_geodetic_crs(raw, crs.raw) else {
            self.context.clearMessages()
            return nil
        }
        let geodetic = ProjObject(context: self.context, raw: geodeticRaw)
        guard Self.isGeographicType(geodetic.type), let factor = self.degreesPerUnit(ofGeographic: geodetic) else {
            return nil
        }
        let geodeticName = proj_get_name(geodetic.raw).map { String(cString: $0) } ?? "its geodetic CRS"
        let (toGeographic, _) = try self.makeNormalizedOperation(
            source: crs,
            target: geodetic,
            from: definition,
            to: geodeticName
        )
        return AreaOfUseCheck(box: box, toGeographic: toGeographic, degreesPerUnit: factor)
    }

    /// Creates a CRS from a definition; PROJ strings get `+type=crs` when they lack it.
    func makeCRS(_ definition: String) throws(ProjError) -> ProjObject {
        let raw = try self.openContext()
        self.context.clearMessages()
        guard let created = proj_create(raw, Self.projDefinition(definition)) else {
            throw .invalidCRS(definition: definition, message: self.context.failureMessage())
        }
        let object = ProjObject(context: self.context, raw: created)
        guard object.isCRS else {
            throw .invalidCRS(
                definition: definition,
                message: "PROJ reads this as \(Self.typeName(object.type)), not as a coordinate reference system"
            )
        }
        return object
    }

    func openContext() throws(ProjError) -> OpaquePointer {
        guard let raw = self.context.raw else {
            throw .contextUnavailable(message: "this Geodesy was closed")
        }
        return raw
    }

    /// The definition PROJ is given: a PROJ string without `+type=crs` gets it appended, so that
    /// `"+proj=tmerc ..."` means the projected CRS rather than the bare projection.
    static func projDefinition(_ definition: String) -> String {
        let trimmed = definition.drop { $0.isWhitespace }
        guard trimmed.hasPrefix("+") || trimmed.hasPrefix("proj=") else { return definition }
        let tokens = trimmed.split { $0.isWhitespace }
        guard !tokens.contains(where: { $0 == "+type=crs" || $0 == "type=crs" }) else { return definition }
        return definition + " +type=crs"
    }

    func areaOfUse(of crs: ProjObject) -> GeoBox? {
        guard let raw = self.context.raw else { return nil }
        var west = 0.0
        var south = 0.0
        var east = 0.0
        var north = 0.0
        guard proj_get_area_of_use(raw, crs.raw, &west, &south, &east, &north, nil) != 0 else {
            self.context.clearMessages()
            return nil
        }
        // PROJ reports -1000 for bounds it does not know.
        guard [west, south, east, north].allSatisfy({ $0 > -1000 && $0.isFinite }) else { return nil }
        return GeoBox(west: west, south: south, east: east, north: north)
    }

    private func isGeographic(_ crs: ProjObject) -> Bool {
        if Self.isGeographicType(crs.type) {
            return true
        }
        guard crs.type == PJ_TYPE_BOUND_CRS, let raw = self.context.raw,
            let sourceRaw = proj_get_source_crs(raw, crs.raw)
        else { return false }
        let source = ProjObject(context: self.context, raw: sourceRaw)
        return Self.isGeographicType(source.type)
    }

    /// Degrees per unit of a geographic CRS's first axis (1 for degrees), or nil if PROJ cannot say.
    private func degreesPerUnit(ofGeographic crs: ProjObject) -> Double? {
        guard let raw = self.context.raw, let csRaw = proj_crs_get_coordinate_system(raw, crs.raw) else {
            return nil
        }
        let cs = ProjObject(context: self.context, raw: csRaw)
        var radiansPerUnit = 0.0
        guard proj_cs_get_axis_info(raw, cs.raw, 0, nil, nil, nil, &radiansPerUnit, nil, nil, nil) != 0,
            radiansPerUnit > 0
        else { return nil }
        let degrees = radiansPerUnit * 180 / Double.pi
        // EPSG's degree is 0.0174532925199433 rad; treat it as exactly 1° so box edges compare exactly.
        return abs(degrees - 1) < 1e-12 ? 1 : degrees
    }

    static func authorityCode(of crs: ProjObject) -> String? {
        guard let authority = proj_get_id_auth_name(crs.raw, 0), let code = proj_get_id_code(crs.raw, 0) else {
            return nil
        }
        return "\(String(cString: authority)):\(String(cString: code))"
    }

    static func isGeographicType(_ type: PJ_TYPE) -> Bool {
        type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS || type == PJ_TYPE_GEOGRAPHIC_CRS
    }

    private static func typeName(_ type: PJ_TYPE) -> String {
        switch type {
        case PJ_TYPE_CONVERSION, PJ_TYPE_TRANSFORMATION, PJ_TYPE_CONCATENATED_OPERATION,
            PJ_TYPE_OTHER_COORDINATE_OPERATION:
            return "a coordinate operation"
        case PJ_TYPE_ELLIPSOID:
            return "an ellipsoid"
        case PJ_TYPE_GEODETIC_REFERENCE_FRAME, PJ_TYPE_DYNAMIC_GEODETIC_REFERENCE_FRAME,
            PJ_TYPE_VERTICAL_REFERENCE_FRAME, PJ_TYPE_DYNAMIC_VERTICAL_REFERENCE_FRAME, PJ_TYPE_DATUM_ENSEMBLE:
            return "a datum"
        default:
            return "a PROJ object of type \(type.rawValue)"
        }
    }
}
