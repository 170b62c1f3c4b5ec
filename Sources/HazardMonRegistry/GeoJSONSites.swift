// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// Reads an RFC 7946 FeatureCollection of Point features into site drafts.
///
/// Coordinates are WGS 84 longitude/latitude as RFC 7946 requires; they are kept as given with CRS
/// `EPSG:4326`. Properties use the CSV column names; numbers may be JSON numbers or strings.
func parseGeoJSONSites(
    _ file: RegisterFolder.File, kind: SiteKind, issues: inout IssueLog
) -> (drafts: [SiteDraft], codes: Set<String>) {
    let object: Any
    do {
        object = try JSONSerialization.jsonObject(with: Data(file.text.utf8))
    } catch {
        issues.add(file.name, .file, nil, "not valid JSON: \(error.localizedDescription)")
        return ([], [])
    }
    guard let collection = object as? [String: Any], collection["type"] as? String == "FeatureCollection",
        let features = collection["features"] as? [Any]
    else {
        issues.add(file.name, .file, nil, "expected a GeoJSON FeatureCollection with a features array")
        return ([], [])
    }
    let schema = RegisterSchemas.geoJSONSites(kind)
    var drafts: [SiteDraft] = []
    var codes: Set<String> = []
    for (index, element) in features.enumerated() {
        let location = RegistryIssue.Location.feature(index + 1)
        guard let feature = element as? [String: Any], feature["type"] as? String == "Feature" else {
            issues.add(file.name, location, nil, "not a GeoJSON Feature")
            continue
        }
        let properties = (feature["properties"] as? [String: Any]) ?? [:]
        // The code is noted before anything can reject the feature: devices on it are not a second problem.
        if let code = properties["code"] ?? properties["统一编号"] {
            codes.insert("\(code)".trimmed)
        }
        guard let geometry = feature["geometry"] as? [String: Any], geometry["type"] as? String == "Point",
            let position = geometry["coordinates"] as? [Any], position.count >= 2,
            let lon = (position[0] as? NSNumber)?.doubleValue, let lat = (position[1] as? NSNumber)?.doubleValue,
            lon.isFinite, lat.isFinite
        else {
            issues.add(file.name, location, "geometry", "must be a Point with [longitude, latitude]")
            continue
        }
        guard (-180...180).contains(lon), (-90...90).contains(lat) else {
            issues.add(file.name, location, "geometry", "[\(lon), \(lat)] is not [longitude, latitude] in degrees")
            continue
        }
        var values: [String: String] = [:]
        var rowOK = true
        for (key, value) in properties {
            guard let column = schema.canonicalName(of: key) else {
                issues.add(file.name, location, key, "unknown property (see sites/README.md)")
                rowOK = false
                continue
            }
            switch value {
            case is NSNull: continue
            case let string as String:
                let trimmed = string.trimmed
                if !trimmed.isEmpty { values[column] = trimmed }
            case let number as NSNumber:
                values[column] = number.stringValue
            default:
                issues.add(file.name, location, key, "must be a string or a number")
                rowOK = false
            }
        }
        var reader = FieldReader(file: file.name, row: TableRow(location: location, values: values))
        let draft = reader.siteDraft(kind: kind, coordinatesFromGeometry: .lonLat(lon: lon, lat: lat, crs: "EPSG:4326"))
        issues.append(contentsOf: reader.issues)
        if rowOK, let draft { drafts.append(draft) }
    }
    return (drafts, codes)
}
