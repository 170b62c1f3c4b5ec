// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import Yams

/// Reads `county.yaml` (keys in `sites/README.md`), logging `county.yaml:line: key: reason` issues.
///
/// The CRS is only checked for form here; the loader asks PROJ whether it exists and is projected.
func parseCounty(_ file: RegisterFolder.File, issues: inout IssueLog) -> County? {
    let node: Node?
    do {
        node = try Yams.compose(yaml: file.text)
    } catch {
        issues.add(file.name, .file, nil, "not valid YAML: \(error)")
        return nil
    }
    guard let mapping = node?.mapping else {
        issues.add(file.name, .file, nil, "expected a mapping of keys (name, region_code, working_crs, time_zone, extent)")
        return nil
    }
    let known: Set<String> = ["name", "region_code", "working_crs", "time_zone", "extent"]
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
    guard issues.issues.count == before, let name, let regionCode, let workingCRS, let extent else { return nil }
    return County(name: name, regionCode: regionCode, workingCRS: workingCRS, timeZone: timeZone, extent: extent)
}
