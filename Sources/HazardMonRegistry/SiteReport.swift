// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// What `sites import` prints: counts per kind and the diff against what was stored.
public enum ImportReport {
    public static func text(registry: Registry, diff: RegistryDiff, database: String) -> String {
        var lines: [String] = []
        let byKind = Dictionary(grouping: registry.sites, by: \.kind)
        let counts = SiteKind.allCases.map { "\(byKind[$0]?.count ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        let townships = Set(registry.villages.map(\.township)).count
        let channels = registry.sites.reduce(0) { total, site in
            total + site.points.reduce(0) { $0 + $1.devices.reduce(0) { $0 + $1.channels.count } }
        }
        lines.append("\(registry.county.name) (\(registry.county.regionCode)), working CRS \(registry.county.workingCRS)")
        lines.append(
            "\(registry.sites.count) sites (\(counts)) in \(registry.villages.count) villages of \(townships) townships; \(channels) channels"
        )
        lines.append("imported into \(database): \(diff)")
        for (label, codes) in [("added", diff.added), ("changed", diff.changed), ("removed", diff.removed)]
        where !codes.isEmpty && codes.count <= 20 {
            lines.append("  \(label): \(codes.joined(separator: " "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What `sites show` prints: every stored field, labelled in English and Chinese.
public enum SiteReport {
    public static func text(_ site: Site, county: County, villages: [Village]) -> String {
        let village = villages.first { $0.code == site.villageCode }
        var lines: [(String, String)] = [
            ("code 统一编号", site.code),
            ("name 名称", site.name),
            ("kind 类型", "\(site.kind.rawValue) (\(site.kind.chineseName))"),
            ("township 乡镇", site.township),
            ("village 村", "\(village?.name ?? "?") (\(site.villageCode))"),
            ("given 原始坐标", site.given.description),
            ("CGCS2000", String(format: "lon %.7f lat %.7f (EPSG:4490)", site.lonLat.x, site.lonLat.y)),
            ("working 工作坐标", String(format: "E %.3f N %.3f (%@)", site.metric.x, site.metric.y, county.workingCRS)),
        ]
        if let elevation = site.elevation { lines.append(("elevation 高程", String(format: "%.1f m", elevation))) }
        if let scale = site.scale { lines.append(("scale 规模", scale.rawValue)) }
        lines.append(("threatened 威胁", "\(site.threatenedHouseholds) households, \(site.threatenedPeople) people"))
        if let property = site.threatenedPropertyWanYuan {
            lines.append(("property 威胁财产", String(format: "%.2f 万元", property)))
        }
        if let risk = site.riskLevel { lines.append(("risk 风险等级", risk.rawValue)) }
        switch site.details {
        case .geohazard(let details):
            lines.append(("hazard 灾种", details.hazardType.rawValue))
            if let volume = details.volumeWanM3 { lines.append(("volume 体积", String(format: "%.2f 万m³", volume))) }
            if let stability = details.stability { lines.append(("stability 稳定性", stability)) }
        case .flashFlood(let details):
            lines.append(("river 河流", details.river))
            if let section = details.section { lines.append(("section 控制断面", section)) }
            if let area = details.catchmentKm2 { lines.append(("catchment 集雨面积", String(format: "%.2f km²", area))) }
            if let station = details.rainStation { lines.append(("rain station 雨量站", station)) }
            if let station = details.waterLevelStation { lines.append(("water station 水位站", station)) }
        case .dangerousRock(let details):
            if let volume = details.volumeM3 { lines.append(("volume 体积", String(format: "%.1f m³", volume))) }
            if let height = details.heightM { lines.append(("height 高度", String(format: "%.1f m", height))) }
            if let mode = details.failureMode { lines.append(("failure mode 破坏模式", mode)) }
        }
        if let shelter = site.shelter {
            let distance = site.metric.distance(to: shelter.metric)
            lines.append(
                (
                    "shelter 避险点",
                    String(format: "%@ (lon %.6f lat %.6f), %.0f m away", shelter.name, shelter.lonLat.x, shelter.lonLat.y, distance)
                        + (shelter.capacity.map { ", capacity \($0)" } ?? "")
                )
            )
        }
        if let route = site.evacuationRoute { lines.append(("route 撤离路线", route)) }
        if let monitor = site.monitor {
            lines.append(("monitor 监测员", monitor.name + (monitor.phone.map { " \($0)" } ?? "")))
        }
        let width = lines.map { TextTable.width($0.0) }.max() ?? 0
        var text = lines.map { label, value in
            label + String(repeating: " ", count: width - TextTable.width(label)) + "  " + value
        }.joined(separator: "\n") + "\n"
        if !site.points.isEmpty {
            text += "monitoring points 监测点:\n"
            for point in site.points {
                text += "  \(point.code) \(point.name)"
                if let lonLat = point.lonLat { text += String(format: " (lon %.6f lat %.6f)", lonLat.x, lonLat.y) }
                text += "\n"
                for device in point.devices {
                    text += "    device \(device.id)" + (device.model.map { " \($0)" } ?? "") + "\n"
                    for channel in device.channels {
                        text += "      \(channel.code)  \(channel.kind.rawValue) \(channel.unit), every \(channel.intervalSeconds) s, valid \(channel.validMin.plainText)...\(channel.validMax.plainText)\n"
                    }
                }
            }
        }
        return text
    }
}
