// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// One valid row of `devices.csv`: a channel, with the device and point that carry it.
struct ChannelRow {
    var file: String
    var location: RegistryIssue.Location
    var siteCode: String
    var pointCode: String
    var pointName: String
    var pointLonLat: Coordinate2D?
    var deviceID: String
    var deviceModel: String?
    var channel: Channel
}

extension FieldReader {
    /// Reads one `devices.csv` row; nil (with issues logged) when any field is bad.
    mutating func channelRow() -> ChannelRow? {
        let before = self.issues.issues.count
        let siteCode = self.requiredText("site_code")
        let pointCode = self.requiredText("point_code")
        let pointName = self.requiredText("point_name")
        let (lon, lat) = self.lonLat("point_lon", "point_lat", required: false)
        if lon != nil, lat == nil, self.row["point_lat"] == nil { self.fail("point_lat", "required field is empty") }
        if lon == nil, lat != nil, self.row["point_lon"] == nil { self.fail("point_lon", "required when point_lat is given") }
        let deviceID = self.requiredText("device_id")
        let channelCode = self.requiredText("channel")
        let kind = self.choice("kind", RegisterVocabulary.sensorKind, required: true)
        let unit = self.requiredText("unit")
        if let kind, let unit, !kind.acceptedUnits.contains(unit) {
            self.fail("unit", "'\(unit)' does not fit kind \(kind.rawValue); use \(kind.acceptedUnits.sorted().joined(separator: " or "))")
        }
        let interval = self.integer("interval_s", in: 1...259_200, required: true)
        let minimum = self.number("min", required: true)
        let maximum = self.number("max", required: true)
        if let minimum, let maximum, minimum >= maximum {
            self.fail("max", "valid range \(minimum)...\(maximum) is empty: min must be below max")
        }
        guard self.issues.issues.count == before, let siteCode, let pointCode, let pointName, let deviceID,
            let channelCode, let kind, let unit, let interval, let minimum, let maximum
        else { return nil }
        return ChannelRow(
            file: self.file, location: self.row.location, siteCode: siteCode, pointCode: pointCode,
            pointName: pointName, pointLonLat: lon.flatMap { lon in lat.map { Coordinate2D(lon: lon, lat: $0) } },
            deviceID: deviceID, deviceModel: self.text("device_model"),
            channel: Channel(
                code: channelCode, kind: kind, unit: unit, intervalSeconds: interval, validMin: minimum, validMax: maximum
            )
        )
    }
}

/// Groups channel rows into monitoring points and devices per site, logging inconsistencies.
///
/// `siteCodes` are the codes the site files name (nil when a site file was unreadable, so that devices
/// are not reported against sites that may well exist).
func assemblePoints(
    _ rows: [ChannelRow], siteCodes: Set<String>?, extent: GeoBox?, issues: inout IssueLog
) -> [String: [MonitoringPoint]] {
    struct DeviceHome {
        var siteCode: String
        var pointCode: String
        var model: String?
        var file: String
        var location: RegistryIssue.Location
    }
    var homes: [String: DeviceHome] = [:]
    var channelsSeen: Set<[String]> = []
    var pointsBySite: [String: [MonitoringPoint]] = [:]
    for row in rows {
        func fail(_ field: String, _ reason: String) { issues.add(row.file, row.location, field, reason) }
        if let siteCodes, !siteCodes.contains(row.siteCode) {
            fail("site_code", "no site has code '\(row.siteCode)'")
            continue
        }
        if let lonLat = row.pointLonLat, let extent, !extent.contains(lonLat) {
            fail("point_lon", "point \(lonLat) is outside the county extent \(extent)")
            continue
        }
        if let home = homes[row.deviceID] {
            if home.siteCode != row.siteCode || home.pointCode != row.pointCode {
                fail("device_id", "device \(row.deviceID) is already on site \(home.siteCode) point \(home.pointCode) (\(home.file):\(home.location.lineText))")
                continue
            }
            if home.model != row.deviceModel {
                fail("device_model", "device \(row.deviceID) has model '\(home.model ?? "")' on an earlier row")
                continue
            }
        } else {
            homes[row.deviceID] = DeviceHome(
                siteCode: row.siteCode, pointCode: row.pointCode, model: row.deviceModel, file: row.file,
                location: row.location
            )
        }
        guard channelsSeen.insert([row.deviceID, row.channel.code]).inserted else {
            fail("channel", "device \(row.deviceID) already has a channel \(row.channel.code)")
            continue
        }
        var points = pointsBySite[row.siteCode] ?? []
        let index: Int
        if let existing = points.firstIndex(where: { $0.code == row.pointCode }) {
            guard points[existing].name == row.pointName else {
                fail("point_name", "point \(row.pointCode) is named '\(points[existing].name)' on an earlier row")
                continue
            }
            index = existing
        } else {
            points.append(MonitoringPoint(code: row.pointCode, name: row.pointName, lonLat: row.pointLonLat))
            index = points.count - 1
        }
        if let deviceIndex = points[index].devices.firstIndex(where: { $0.id == row.deviceID }) {
            points[index].devices[deviceIndex].channels.append(row.channel)
        } else {
            points[index].devices.append(Device(id: row.deviceID, model: row.deviceModel, channels: [row.channel]))
        }
        pointsBySite[row.siteCode] = points
    }
    return pointsBySite
}

extension RegistryIssue.Location {
    /// `12` for a line, `feature 3` for a feature, empty for a file: for cross-references in messages.
    var lineText: String {
        switch self {
        case .file: return ""
        case .line(let line): return String(line)
        case .feature(let index): return "feature \(index)"
        }
    }
}
