// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// The files of a register folder, classified by name (`sites/README.md`), with their decoded text.
struct RegisterFolder {
    struct File {
        var name: String
        var text: String
    }

    var county: File?
    var villages: [File] = []
    var devices: [File] = []
    var sites: [(kind: SiteKind, geoJSON: Bool, file: File)] = []
    /// Site files that exist but could not be read or decoded.
    var unreadableSiteFiles = 0

    /// Lists and decodes the folder; logs unreadable, undecodable and unknown register files.
    static func read(_ path: String, issues: inout IssueLog) -> RegisterFolder {
        var folder = RegisterFolder()
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            issues.add(path, .file, nil, "no such folder")
            return folder
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: path).sorted()
        } catch {
            issues.add(path, .file, nil, "cannot list the folder: \(error.localizedDescription)")
            return folder
        }
        for name in names where !name.hasPrefix(".") {
            let lower = name.lowercased()
            let ext = (lower as NSString).pathExtension
            guard ["csv", "geojson", "json", "yaml", "yml"].contains(ext) else { continue }
            let stem = (lower as NSString).deletingPathExtension
            let kind = SiteKind.allCases.first { stem.hasPrefix($0.rawValue) }
            let role: Role
            if stem == "county", ext == "yaml" || ext == "yml" {
                role = .county
            } else if stem.hasPrefix("villages"), ext == "csv" {
                role = .villages
            } else if stem.hasPrefix("devices"), ext == "csv" {
                role = .devices
            } else if let kind, ext != "yaml", ext != "yml" {
                role = .sites(kind, geoJSON: ext != "csv")
            } else if ext == "yaml" || ext == "yml" {
                continue  // other YAML (rule files live elsewhere; a stray YAML here is harmless)
            } else {
                issues.add(
                    name, .file, nil,
                    "unknown register file; names start with villages, devices, geohazard, flash_flood or dangerous_rock"
                )
                continue
            }
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            guard let data = manager.contents(atPath: url.path) else {
                issues.add(name, .file, nil, "cannot read the file")
                if case .sites = role { folder.unreadableSiteFiles += 1 }
                continue
            }
            guard let (text, _) = TextEncoding.decode(data) else {
                issues.add(name, .file, nil, "the file is neither UTF-8 nor GB18030 text")
                if case .sites = role { folder.unreadableSiteFiles += 1 }
                continue
            }
            let file = File(name: name, text: text)
            switch role {
            case .county: folder.county = file
            case .villages: folder.villages.append(file)
            case .devices: folder.devices.append(file)
            case .sites(let kind, let geoJSON): folder.sites.append((kind, geoJSON, file))
            }
        }
        if folder.county == nil { issues.add(path, .file, "county.yaml", "the folder has no county.yaml") }
        if folder.villages.isEmpty { issues.add(path, .file, "villages.csv", "the folder has no villages file") }
        return folder
    }

    private enum Role {
        case county, villages, devices
        case sites(SiteKind, geoJSON: Bool)
    }
}
