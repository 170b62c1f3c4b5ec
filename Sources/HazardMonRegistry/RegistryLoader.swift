// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonGeo

/// Reads a register folder, checks every row, and projects every coordinate through PROJ.
///
/// All problems are collected in one pass and thrown together as a ``RegistryError`` whose issues read
/// `file:line: field: reason`; a register with any problem yields nothing, so an import is all-or-nothing.
///
/// ```swift
/// let geodesy = try Geodesy()
/// let registry = try await RegistryLoader(geodesy: geodesy).load(directory: "sites")
/// let diff = try await store.replaceRegistry(registry)
/// ```
public struct RegistryLoader: Sendable {
    /// The CRS canonical coordinates are stored in: CGCS2000 longitude/latitude.
    public static let canonicalCRS = "EPSG:4490"

    public let geodesy: Geodesy

    public init(geodesy: Geodesy) {
        self.geodesy = geodesy
    }

    /// Loads the register in `directory` with a PROJ context of its own, closed afterwards.
    /// - Throws: ``RegistryError`` listing every problem found, or ``ProjError`` when PROJ cannot start.
    public static func load(directory: String) async throws -> Registry {
        try await withGeodesy { try await RegistryLoader(geodesy: $0).load(directory: directory) }
    }

    /// Loads and validates the register in `directory`.
    /// - Throws: ``RegistryError`` listing every problem found.
    public func load(directory: String) async throws(RegistryError) -> Registry {
        var issues = IssueLog()
        let folder = RegisterFolder.read(directory, issues: &issues)
        let countyFile = folder.county.flatMap { parseCounty($0, issues: &issues) }
        let county = countyFile?.county
        if let county, let file = folder.county {
            await self.checkWorkingCRS(county.workingCRS, file: file.name, issues: &issues)
        }
        let (villages, rejectedVillages) = Self.villages(folder.villages, regionCode: county?.regionCode, issues: &issues)

        // Every code a site row names, valid or not: a device on a site whose row is bad is not a second
        // problem. When a whole site file could not be read, device site codes cannot be checked at all.
        var siteCodes: Set<String> = []
        var siteFilesComplete = folder.unreadableSiteFiles == 0
        var drafts: [SiteDraft] = []
        for (kind, geoJSON, file) in folder.sites {
            let before = issues.issues.count
            if geoJSON {
                let read = parseGeoJSONSites(file, kind: kind, issues: &issues)
                drafts += read.drafts
                siteCodes.formUnion(read.codes)
                if read.codes.isEmpty, issues.issues.count > before { siteFilesComplete = false }
            } else {
                var rejected: [TableRow] = []
                let rows = parseCSV(
                    file.text, file: file.name, schema: RegisterSchemas.sites(kind), issues: &issues, rejected: &rejected
                )
                if rows.isEmpty, rejected.isEmpty, issues.issues.count > before { siteFilesComplete = false }
                // A row rejected whole (cell count, stray quote) still names its site: not a second problem.
                for row in rejected {
                    if let code = row["code"] { siteCodes.insert(code) }
                }
                for row in rows {
                    if let code = row["code"] { siteCodes.insert(code) }
                    var reader = FieldReader(file: file.name, row: row)
                    let draft = reader.siteDraft(kind: kind)
                    issues.append(contentsOf: reader.issues)
                    if let draft { drafts.append(draft) }
                }
            }
        }
        drafts = Self.crossCheck(drafts, villages: villages, rejectedVillages: rejectedVillages, issues: &issues)

        var channelRows: [ChannelRow] = []
        for file in folder.devices {
            for row in parseCSV(file.text, file: file.name, schema: RegisterSchemas.devices, issues: &issues) {
                var reader = FieldReader(file: file.name, row: row)
                let channel = reader.channelRow()
                issues.append(contentsOf: reader.issues)
                if let channel { channelRows.append(channel) }
            }
        }

        var sites: [Site] = []
        if let county {
            sites = await self.project(drafts, county: county, datums: countyFile?.datums ?? [:], issues: &issues)
        }
        let points = assemblePoints(
            channelRows, siteCodes: siteFilesComplete ? siteCodes : nil, extent: county?.extent, issues: &issues
        )
        try issues.throwIfAny()
        guard let county else { throw RegistryError(issues: []) }  // unreachable: a missing county is an issue
        for index in sites.indices {
            sites[index].points = points[sites[index].code] ?? []
        }
        sites.sort { $0.code < $1.code }
        return Registry(county: county, villages: villages.values.sorted { $0.code < $1.code }, sites: sites)
    }

    private func checkWorkingCRS(_ crs: String, file: String, issues: inout IssueLog) async {
        do {
            let description = try await self.geodesy.describe(crs)
            if description.isGeographic {
                issues.add(file, .file, "working_crs", "\(crs) (\(description.name)) is geographic; the working CRS must be metric, e.g. EPSG:4545")
            }
        } catch {
            issues.add(file, .file, "working_crs", "unknown CRS '\(crs)': \(error)")
        }
    }

    /// The valid villages by code, and the codes of village rows that were rejected (whose sites are not
    /// reported again as having an unknown village).
    private static func villages(
        _ files: [RegisterFolder.File], regionCode: String?, issues: inout IssueLog
    ) -> (valid: [String: Village], rejected: Set<String>) {
        var villages: [String: (Village, String, RegistryIssue.Location)] = [:]
        var rejected: Set<String> = []
        for file in files {
            for row in parseCSV(file.text, file: file.name, schema: RegisterSchemas.villages, issues: &issues) {
                var reader = FieldReader(file: file.name, row: row)
                let code = reader.requiredText("code")
                let name = reader.requiredText("name")
                let township = reader.requiredText("township")
                if let code, !FieldReader.isVillageCode(code) {
                    reader.fail("code", "'\(code)' is not a 12-digit village code")
                } else if let code, let regionCode, !code.hasPrefix(regionCode) {
                    reader.fail("code", "'\(code)' does not start with the county's region code \(regionCode)")
                } else if let code, let (_, firstFile, firstLocation) = villages[code] {
                    reader.fail("code", "duplicate village code \(code); first at \(firstFile):\(firstLocation.lineText)")
                }
                issues.append(contentsOf: reader.issues)
                guard reader.issues.isEmpty, let code, let name, let township else {
                    if let code { rejected.insert(code) }
                    continue
                }
                villages[code] = (Village(code: code, name: name, township: township), file.name, row.location)
            }
        }
        return (villages.mapValues(\.0), rejected)
    }

    /// Duplicate codes, unknown villages and township mismatches. Returns the drafts that pass.
    private static func crossCheck(
        _ drafts: [SiteDraft], villages: [String: Village], rejectedVillages: Set<String>, issues: inout IssueLog
    ) -> [SiteDraft] {
        var first: [String: (file: String, location: RegistryIssue.Location)] = [:]
        var passed: [SiteDraft] = []
        for draft in drafts {
            func fail(_ field: String, _ reason: String) { issues.add(draft.file, draft.location, field, reason) }
            if let earlier = first[draft.code] {
                fail("code", "duplicate code \(draft.code); first at \(earlier.file):\(earlier.location.lineText)")
                continue
            }
            first[draft.code] = (draft.file, draft.location)
            guard let village = villages[draft.villageCode] else {
                if rejectedVillages.contains(draft.villageCode) { continue }  // the village row's own problem is reported
                fail("village_code", "unknown village \(draft.villageCode) (not in the villages file)")
                continue
            }
            guard village.township == draft.township else {
                fail("township", "'\(draft.township)' but village \(draft.villageCode) (\(village.name)) is in \(village.township)")
                continue
            }
            passed.append(draft)
        }
        return passed
    }

    /// What the loader needs to know about a CRS a register row is written in.
    private struct CRSInfo {
        var isGeographic: Bool
        /// The code of its geodetic CRS (`EPSG:4214` for a Beijing 1954 Gauss-Krüger CRS), when PROJ knows one.
        var geodeticCode: String?
        var geodeticName: String
        /// The county's datum shift for it, looked up by the CRS as written, then by its geodetic CRS's code.
        var shift: (key: String, shift: DatumShift)?
    }

    private func crsInfo(_ crs: String, datums: [String: DatumShift]) async throws -> CRSInfo {
        let isGeographic = try await self.geodesy.describe(crs).isGeographic
        let geodetic = try? await self.geodesy.geodeticCRS(of: crs)
        let code = geodetic?.authorityCode
        let shift = datums[crs].map { (crs, $0) } ?? code.flatMap { code in datums[code].map { (code, $0) } }
        return CRSInfo(isGeographic: isGeographic, geodeticCode: code, geodeticName: geodetic?.name ?? crs, shift: shift)
    }

    /// The reason a row in a CRS with only a ballpark way to CGCS2000 is refused: what is needed, and where.
    private static func ballparkReason(_ crs: String, info: CRSInfo?) -> String {
        let key = info?.geodeticCode ?? crs
        let datum = info.map { " (\($0.geodeticName))" } ?? ""
        return "PROJ has no published transformation from \(crs)\(datum) to CGCS2000 (\(Self.canonicalCRS)), only a "
            + "ballpark one that can be tens to a hundred metres off; add the county surveyor's parameters for "
            + "\(key) to county.yaml under datums: \"\(key)\": towgs84: [dx, dy, dz, rx, ry, rz, ds] or "
            + "pipeline: \"+proj=pipeline ...\" (see sites/README.md)"
    }

    /// Projects every draft to CGCS2000 lon/lat and the working CRS; logs CRS, area and extent problems.
    ///
    /// PROJ's ballpark transformations are refused (``BallparkPolicy/refuse``): a row on a datum PROJ cannot
    /// properly take to CGCS2000 needs the county's `datums:` entry, which is used instead.
    private func project(
        _ drafts: [SiteDraft], county: County, datums: [String: DatumShift], issues: inout IssueLog
    ) async -> [Site] {
        var lonLats = [Coordinate2D?](repeating: nil, count: drafts.count)
        var crsKinds: [String: Result<CRSInfo, any Error>] = [:]
        var geographicBatches: [String: [Int]] = [:]
        var shiftBatches: [String: [(index: Int, point: Coordinate2D)]] = [:]
        for (index, draft) in drafts.enumerated() {
            let crs = draft.given.crs
            if crsKinds[crs] == nil {
                do {
                    crsKinds[crs] = .success(try await self.crsInfo(crs, datums: datums))
                } catch {
                    crsKinds[crs] = .failure(error)
                }
            }
            switch (crsKinds[crs], draft.given) {
            case (.failure(let error), _):
                issues.add(draft.file, draft.location, "crs", "unknown CRS '\(crs)': \(error)")
            case (.success(let info), .lonLat) where info.isGeographic:
                if info.shift != nil {
                    shiftBatches[crs, default: []].append((index, draft.given.normalized))
                } else {
                    geographicBatches[crs, default: []].append(index)
                }
            case (.success(let info), .surveyXY) where info.isGeographic:
                issues.add(draft.file, draft.location, "crs", "\(crs) is geographic; write lon and lat, not x and y")
            case (.success, .lonLat):
                issues.add(draft.file, draft.location, "crs", "\(crs) is projected; write survey x (northing) and y (easting), not lon and lat")
            case (.success(let info), .surveyXY(let x, let y, _)):
                do {
                    if info.shift != nil {
                        let point = try await self.geodesy.checkedSurveyPoint(x: x, y: y, crs: crs)
                        shiftBatches[crs, default: []].append((index, point))
                    } else {
                        lonLats[index] = try await self.geodesy.transformSurvey(
                            x: x, y: y, crs: crs, to: Self.canonicalCRS, ballpark: .refuse
                        )
                    }
                } catch .projection(.ballparkOnly) {
                    issues.add(draft.file, draft.location, "crs", Self.ballparkReason(crs, info: info))
                } catch {
                    issues.add(draft.file, draft.location, "y", "\(error)")
                }
            case (nil, _):
                break
            }
        }
        for (crs, indices) in geographicBatches.sorted(by: { $0.key < $1.key }) {
            let points = indices.map { drafts[$0].given.normalized }
            do {
                let results = try await self.geodesy.transformEach(
                    points, from: crs, to: Self.canonicalCRS, ballpark: .refuse
                )
                for (index, result) in zip(indices, results) {
                    switch result {
                    case .success(let lonLat): lonLats[index] = lonLat
                    case .failure(let error): issues.add(drafts[index].file, drafts[index].location, "lon", "\(error)")
                    }
                }
            } catch .ballparkOnly {
                let info = try? crsKinds[crs]?.get()
                for index in indices {
                    issues.add(drafts[index].file, drafts[index].location, "crs", Self.ballparkReason(crs, info: info))
                }
            } catch {
                for index in indices {
                    issues.add(drafts[index].file, drafts[index].location, "crs", "cannot transform \(crs) to \(Self.canonicalCRS): \(error)")
                }
            }
        }
        for (crs, entries) in shiftBatches.sorted(by: { $0.key < $1.key }) {
            guard case .success(let info) = crsKinds[crs], let (key, shift) = info.shift else { continue }
            do {
                let results = try await self.geodesy.transformEach(entries.map(\.point), from: crs, shift: shift)
                for (entry, result) in zip(entries, results) {
                    let draft = drafts[entry.index]
                    switch result {
                    case .success(let lonLat): lonLats[entry.index] = lonLat
                    case .failure(let error): issues.add(draft.file, draft.location, draft.given.isSurvey ? "y" : "lon", "\(error)")
                    }
                }
            } catch {
                // The shift itself is bad: county.yaml's fault, said once; its rows are not reported again.
                issues.add("county.yaml", .file, "datums.\(key)", "\(error)")
            }
        }

        // Extent checks, then one batch into the working CRS for sites and shelters together.
        var placed: [(draft: SiteDraft, lonLat: Coordinate2D)] = []
        for (index, draft) in drafts.enumerated() {
            guard let lonLat = lonLats[index] else { continue }
            let field = draft.given.crs == "EPSG:4326" && draft.location.isFeature ? "geometry" : (draft.given.isSurvey ? "y" : "lon")
            guard county.extent.contains(lonLat) else {
                issues.add(draft.file, draft.location, field, "\(draft.given) lies at lon \(Self.degrees(lonLat.x)) lat \(Self.degrees(lonLat.y)), outside the county extent \(county.extent)")
                continue
            }
            if let shelter = draft.shelterLonLat, !county.extent.contains(shelter) {
                issues.add(draft.file, draft.location, "shelter_lon", "shelter at \(shelter) is outside the county extent \(county.extent)")
                continue
            }
            placed.append((draft, lonLat))
        }
        let shelters = placed.compactMap(\.draft.shelterLonLat)
        let metric: [Coordinate2D]
        do {
            metric = try await self.geodesy.transform(
                placed.map(\.lonLat) + shelters, from: Self.canonicalCRS, to: county.workingCRS, checkArea: false
            )
        } catch {
            issues.add("county.yaml", .file, "working_crs", "cannot project into \(county.workingCRS): \(error)")
            return []
        }
        var shelterIndex = placed.count
        return placed.enumerated().map { index, entry in
            var shelterMetric: Coordinate2D?
            if entry.draft.shelterLonLat != nil {
                shelterMetric = metric[shelterIndex]
                shelterIndex += 1
            }
            return entry.draft.site(lonLat: entry.lonLat, metric: metric[index], shelterMetric: shelterMetric)
        }
    }

    private static func degrees(_ value: Double) -> String {
        String(format: "%.6f", value)
    }
}

extension GivenCoordinate {
    var isSurvey: Bool {
        if case .surveyXY = self { return true }
        return false
    }
}

extension RegistryIssue.Location {
    var isFeature: Bool {
        if case .feature = self { return true }
        return false
    }
}
