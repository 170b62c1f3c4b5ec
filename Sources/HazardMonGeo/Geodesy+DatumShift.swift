// SPDX-License-Identifier: Apache-2.0
import CProj
import HazardMonCore

extension Geodesy {
    /// The CRS that datum shifts end in: CGCS2000 longitude/latitude.
    public static let datumShiftTarget = "EPSG:4490"

    /// The geodetic (normally geographic) CRS a CRS is based on: EPSG:4214 for EPSG:2431 (Beijing 1954 /
    /// 3-degree Gauss-Kruger CM 102E), the CRS itself for a geographic one.
    ///
    /// - Returns: Its description; `definition` is its authority code (`"EPSG:4214"`) when PROJ knows one,
    ///   else its WKT.
    /// - Throws: ``ProjError/invalidCRS(definition:message:)`` when `crs` is not a CRS or has no
    ///   geodetic CRS.
    public func geodeticCRS(of crs: String) throws(ProjError) -> CRSDescription {
        try self.ensureOpen()
        let raw = try self.openContext()
        let object = try self.makeCRS(crs)
        var base = object
        if object.type == PJ_TYPE_BOUND_CRS, let sourceRaw = proj_get_source_crs(raw, object.raw) {
            base = ProjObject(context: self.context, raw: sourceRaw)
        }
        self.context.clearMessages()
        guard let geodeticRaw = proj_crs_get_geodetic_crs(raw, base.raw) else {
            throw .invalidCRS(definition: crs, message: "PROJ finds no geodetic CRS in it: \(self.context.failureMessage())")
        }
        let geodetic = ProjObject(context: self.context, raw: geodeticRaw)
        let code = Self.authorityCode(of: geodetic)
        let definition = code ?? proj_as_wkt(raw, geodetic.raw, PJ_WKT2_2019, nil).map { String(cString: $0) } ?? crs
        return CRSDescription(
            definition: definition,
            name: proj_get_name(geodetic.raw).map { String(cString: $0) } ?? "unknown",
            isGeographic: Self.isGeographicType(geodetic.type),
            authorityCode: code,
            areaOfUse: self.areaOfUse(of: geodetic)
        )
    }

    /// Transforms points given in a CRS on an old datum to CGCS2000 longitude/latitude (EPSG:4490) with the
    /// county surveyor's datum shift, instead of PROJ's ballpark transformation.
    ///
    /// Each point goes from `crs` to its geodetic CRS (``geodeticCRS(of:)``; an inverse projection for a
    /// projected CRS, nothing for a geographic one), with the area of use of `crs` checked, then through
    /// the shift. For ``DatumShift/sevenParameters(_:)`` the shift is the PROJ pipeline
    /// `unitconvert deg→rad | cart (old ellipsoid) | helmert | inv cart (CGCS2000 ellipsoid) | unitconvert
    /// rad→deg`, with the old ellipsoid as PROJ knows it for the geodetic CRS (Krassovsky for Beijing 1954,
    /// IAG 1975 for Xi'an 1980); heights are taken as 0 on the old ellipsoid and dropped.
    ///
    /// - Parameters:
    ///   - points: lon/lat or easting/northing in `crs`.
    ///   - crs: The CRS the points are written in.
    ///   - shift: The datum shift from `crs`'s datum to CGCS2000.
    ///   - checkArea: Whether to reject points outside the area of use of `crs`.
    /// - Returns: For each point, its CGCS2000 lon/lat or why it failed.
    /// - Throws: What concerns all points: ``ProjError/invalidCRS(definition:message:)``,
    ///   ``ProjError/invalidOperation(definition:message:)`` for a bad pipeline.
    public func transformEach(
        _ points: [Coordinate2D],
        from crs: String,
        shift: DatumShift,
        checkArea: Bool = true
    ) throws(ProjError) -> [Result<Coordinate2D, ProjError>] {
        try self.ensureOpen()
        let geodetic = try self.geodeticCRS(of: crs)
        let operation = try self.datumShiftOperation(geodetic: geodetic, shift: shift)
        let onOldDatum = try self.transformEach(points, from: crs, to: geodetic.definition, checkArea: checkArea)
        let raw = operation.operation.raw
        let angularIn = proj_angular_input(raw, PJ_FWD) != 0
        let angularOut = proj_angular_output(raw, PJ_FWD) != 0
        let radiansPerDegree = Double.pi / 180
        return zip(points, onOldDatum).map { point, result in
            result.flatMap { lonLat in
                let input = angularIn
                    ? Coordinate2D(x: lonLat.x * radiansPerDegree, y: lonLat.y * radiansPerDegree) : lonLat
                return operation.transform(input)
                    .map { output in
                        angularOut ? Coordinate2D(x: output.x / radiansPerDegree, y: output.y / radiansPerDegree) : output
                    }
                    .mapError { failure in
                        .transformFailed(point: point, from: crs, to: Self.datumShiftTarget, message: failure.message)
                    }
            }
        }
    }

    /// The PROJ pipeline a seven-parameter shift becomes, for a source ellipsoid given by `a` and `rf`.
    static func sevenParameterPipeline(_ p: SevenParameters, a: Double, rf: Double, targetA: Double, targetRF: Double)
        -> String
    {
        let ellipsoid = rf == 0 ? "+a=\(a) +b=\(a)" : "+a=\(a) +rf=\(rf)"
        let target = targetRF == 0 ? "+a=\(targetA) +b=\(targetA)" : "+a=\(targetA) +rf=\(targetRF)"
        return "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=cart \(ellipsoid) "
            + "+step +proj=helmert +x=\(p.dx) +y=\(p.dy) +z=\(p.dz) +rx=\(p.rx) +ry=\(p.ry) +rz=\(p.rz) +s=\(p.ds) "
            + "+convention=\(p.convention.rawValue) +step +inv +proj=cart \(target) "
            + "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    }

    /// The cached operation for a shift from a geodetic CRS, created on first use.
    private func datumShiftOperation(geodetic: CRSDescription, shift: DatumShift) throws(ProjError) -> Transformation {
        let key = DatumShiftKey(geodeticCRS: geodetic.definition, shift: shift)
        if let cached = self.datumShifts[key] {
            return cached
        }
        let definition: String
        switch shift {
        case .pipeline(let pipeline):
            definition = pipeline
        case .sevenParameters(let parameters):
            let (a, rf) = try self.ellipsoid(of: geodetic.definition)
            let (targetA, targetRF) = try self.ellipsoid(of: Self.datumShiftTarget)
            definition = Self.sevenParameterPipeline(parameters, a: a, rf: rf, targetA: targetA, targetRF: targetRF)
        }
        let raw = try self.openContext()
        self.context.clearMessages()
        guard let created = proj_create(raw, definition) else {
            throw .invalidOperation(definition: definition, message: self.context.failureMessage())
        }
        let object = ProjObject(context: self.context, raw: created)
        guard !object.isCRS else {
            throw .invalidOperation(
                definition: definition, message: "PROJ reads this as a CRS; a datum shift is a +proj=pipeline"
            )
        }
        let transformation = Transformation(operation: object)
        self.datumShifts[key] = transformation
        return transformation
    }

    /// The semi-major axis (metres) and inverse flattening (0 for a sphere) of a CRS's ellipsoid.
    private func ellipsoid(of crs: String) throws(ProjError) -> (a: Double, rf: Double) {
        let raw = try self.openContext()
        let object = try self.makeCRS(crs)
        self.context.clearMessages()
        guard let ellipsoidRaw = proj_get_ellipsoid(raw, object.raw) else {
            throw .invalidCRS(definition: crs, message: "PROJ finds no ellipsoid: \(self.context.failureMessage())")
        }
        let ellipsoid = ProjObject(context: self.context, raw: ellipsoidRaw)
        var a = 0.0
        var b = 0.0
        var computed: Int32 = 0
        var rf = 0.0
        guard proj_ellipsoid_get_parameters(raw, ellipsoid.raw, &a, &b, &computed, &rf) != 0 else {
            throw .invalidCRS(definition: crs, message: "PROJ cannot read its ellipsoid: \(self.context.failureMessage())")
        }
        return (a, a == b ? 0 : rf)
    }
}
