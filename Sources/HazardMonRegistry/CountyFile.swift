// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonGeo
import Yams

/// What `county.yaml` holds: the county, and the datum shifts for old datums (`datums:`).
struct CountyFile {
    var county: County
    /// Datum shifts to CGCS2000 by the CRS code they are written under (`EPSG:4214`), as in the file.
    var datums: [String: DatumShift]
}

/// Reads `county.yaml` (keys in `sites/README.md`), logging `county.yaml:line: key: reason` issues.
///
/// The CRS is only checked for form here; the loader asks PROJ whether it exists and is projected.
func parseCounty(_ file: RegisterFolder.File, issues: inout IssueLog) -> CountyFile? {
    let node: Node?
    do {
        node = try Yams.compose(yaml: file.text)
    } catch {
        issues.add(file.name, .file, nil, "not valid YAML: \(error)")
        return nil
    }
    guard let mapping = node?.mapping else {
        issues.add(file.name, .file, nil, "expected a mapping of keys (name, region_code, working_crs, time_zone, extent, datums)")
        return nil
    }
    let known: Set<String> = ["name", "region_code", "working_crs", "time_zone", "extent", "datums"]
    let before = issues.issues.count
    func line(_ node: Node) -> RegistryIssue.Location { node.mark.map { .line($0.line) } ?? .file }
    for (key, _) in mapping {
        if let name = key.string, !known.contains(name) {
            issues.add(file.name, line(key), name, "unknown key (known: \(known.sorted().joined(separator: ", ")))")
        }
    }
    func text(_ key: String) -> String? {
        guard let value = mapping[key] else {
            issues.add(file.name, .file, key, "required key is missing")
            return nil
        }
        guard let string = value.string, !string.trimmed.isEmpty else {
            issues.add(file.name, line(value), key, "must be a non-empty string")
            return nil
        }
        return string.trimmed
    }
    let name = text("name")
    let regionCode = text("region_code")
    if let regionCode, !(regionCode.count == 6 && regionCode.allSatisfy { $0.isASCII && $0.isNumber }) {
        issues.add(file.name, mapping["region_code"].map(line) ?? .file, "region_code", "'\(regionCode)' is not a 6-digit GB/T 2260 code")
    }
    let workingCRS = text("working_crs")
    var timeZone = "Asia/Shanghai"
    if let zone = mapping["time_zone"] {
        if let identifier = zone.string, TimeZone(identifier: identifier) != nil {
            timeZone = identifier
        } else {
            issues.add(file.name, line(zone), "time_zone", "'\(zone.string ?? "")' is not an IANA time zone such as Asia/Shanghai")
        }
    }
    var extent: GeoBox?
    if let node = mapping["extent"] {
        let numbers = node.sequence?.compactMap(\.float) ?? []
        if numbers.count == 4, node.sequence?.count == 4 {
            let box = GeoBox(west: numbers[0], south: numbers[1], east: numbers[2], north: numbers[3])
            if box.west < box.east, box.south < box.north, box.west >= -180, box.east <= 180, box.south >= -90,
                box.north <= 90
            {
                extent = box
            } else {
                issues.add(file.name, line(node), "extent", "must be [west, south, east, north] in degrees with west < east and south < north")
            }
        } else {
            issues.add(file.name, line(node), "extent", "must be a list of four numbers [west, south, east, north]")
        }
    } else {
        issues.add(file.name, .file, "extent", "required key is missing")
    }
    let datums = mapping["datums"].map { parseDatums($0, file: file.name, issues: &issues) } ?? [:]
    guard issues.issues.count == before, let name, let regionCode, let workingCRS, let extent else { return nil }
    return CountyFile(
        county: County(name: name, regionCode: regionCode, workingCRS: workingCRS, timeZone: timeZone, extent: extent),
        datums: datums
    )
}

/// Reads `datums:`, a mapping from a CRS code to `towgs84: [dx, dy, dz, rx, ry, rz, ds]` (with an optional
/// `convention: position_vector | coordinate_frame`) or `pipeline: "+proj=pipeline …"`.
private func parseDatums(_ node: Node, file: String, issues: inout IssueLog) -> [String: DatumShift] {
    func line(_ node: Node) -> RegistryIssue.Location { node.mark.map { .line($0.line) } ?? .file }
    let shape = "must map a CRS code to towgs84: [dx, dy, dz, rx, ry, rz, ds] or pipeline: \"+proj=pipeline ...\""
    guard let mapping = node.mapping else {
        issues.add(file, line(node), "datums", shape)
        return [:]
    }
    var datums: [String: DatumShift] = [:]
    for (key, value) in mapping {
        guard let crs = key.string?.trimmed, !crs.isEmpty, let entry = value.mapping else {
            issues.add(file, line(key), "datums", shape)
            continue
        }
        let field = "datums.\(crs)"
        let known: Set<String> = ["towgs84", "convention", "pipeline"]
        for (name, _) in entry where !known.contains(name.string ?? "") {
            issues.add(file, line(name), field, "unknown key '\(name.string ?? "")' (known: convention, pipeline, towgs84)")
        }
        switch (entry["towgs84"], entry["pipeline"]) {
        case (let towgs84?, nil):
            let numbers = towgs84.sequence?.compactMap(\.float) ?? []
            guard towgs84.sequence?.count == 7, numbers.count == 7, numbers.allSatisfy(\.isFinite) else {
                issues.add(file, line(towgs84), "\(field).towgs84", "must be seven numbers [dx, dy, dz, rx, ry, rz, ds] (m, m, m, arc-seconds, arc-seconds, arc-seconds, ppm)")
                continue
            }
            var convention = SevenParameters.Convention.positionVector
            if let node = entry["convention"] {
                guard let name = node.string, let value = SevenParameters.Convention(rawValue: name) else {
                    issues.add(file, line(node), "\(field).convention", "'\(node.string ?? "")' is not position_vector or coordinate_frame")
                    continue
                }
                convention = value
            }
            datums[crs] = .sevenParameters(
                SevenParameters(
                    dx: numbers[0], dy: numbers[1], dz: numbers[2], rx: numbers[3], ry: numbers[4], rz: numbers[5],
                    ds: numbers[6], convention: convention
                )
            )
        case (nil, let pipeline?):
            guard let text = pipeline.string?.trimmed, !text.isEmpty else {
                issues.add(file, line(pipeline), "\(field).pipeline", "must be a PROJ pipeline string")
                continue
            }
            if let node = entry["convention"] {
                issues.add(file, line(node), "\(field).convention", "goes with towgs84, not with pipeline")
                continue
            }
            datums[crs] = .pipeline(text)
        default:
            issues.add(file, line(value), field, "give either towgs84 or pipeline")
        }
    }
    return datums
}
