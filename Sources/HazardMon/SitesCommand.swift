// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonGeo
import HazardMonRegistry
import HazardMonServer
import HazardMonStore
import Logging

/// `hazardmon sites …`: the site register.
struct SitesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "Import, list, show and export the site register.",
        subcommands: [Import.self, List.self, Show.self, Export.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a register folder, project it through PROJ and store it (all or nothing).",
            discussion: """
                Every problem is printed as file:line: field: reason, and nothing is
                imported while any remains (exit 65). A re-import updates sites by code
                and reports what was added, changed and removed. The folder's files are
                described in sites/README.md. Without a folder argument, the configuration's
                sites folder is imported (--config, or /etc/hazardmon/hazardmon.yaml).
                  hazardmon sites import sites
                  hazardmon sites import --config /etc/hazardmon/hazardmon.yaml
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The register folder (default: the configuration's sites, or sites).")
        var directory: String?

        func run() async throws {
            let setup = try self.global.start()
            let folder = self.directory ?? setup.configuration.sites
            try GlobalOptions.requireFolder(
                folder, "register", from: GlobalOptions.source(argument: self.directory, option: "DIR", file: setup.configFile))
            let registry: Registry
            do {
                registry = try await RegistryLoader.load(directory: folder)
            } catch let error as RegistryError {
                // EX_DATAERR: the database is left as it was.
                throw CommandFailure("\(error)", code: .dataError)
            }
            let diff = try await self.global.withWriteStore(setup) { try await $0.replaceRegistry(registry) }
            setup.logger.info(
                "registry imported",
                metadata: [
                    "folder": "\(folder)", "sites": "\(registry.sites.count)", "added": "\(diff.added.count)",
                    "changed": "\(diff.changed.count)", "removed": "\(diff.removed.count)",
                ]
            )
            Output.write(ImportReport.text(registry: registry, diff: diff, database: setup.database))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List sites, optionally filtered by kind, township, village or distance.",
            discussion: """
                Distances use the county's working CRS (metres), so --near takes CGCS2000
                lon,lat and --within a length such as 2km, 500m or 1500; the table then
                shows each site's distance, nearest first. A township or village that is
                not in the register is an error that lists the known ones.
                  hazardmon sites list --kind flash_flood --township 龙潭乡
                  hazardmon sites list --near 108.05,30.12 --within 2km
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Site kind: geohazard, flash_flood, dangerous_rock.")
        var kind: SiteKind?

        @Option(help: "Township name.")
        var township: String?

        @Option(help: "12-digit village code.")
        var village: String?

        @Option(help: "Centre as LON,LAT in CGCS2000 degrees; needs --within.")
        var near: String?

        @Option(help: "Radius around --near: 2km, 500m, or metres.")
        var within: String?

        @Option(help: "Output: table or json.")
        var format: ListFormat = .table

        func validate() throws {
            if (self.near == nil) != (self.within == nil) {
                throw ValidationError("--near and --within go together")
            }
            if let near = self.near, Self.parseLonLat(near) == nil {
                throw ValidationError("--near '\(near)' is not LON,LAT in degrees, e.g. 108.05,30.12")
            }
            if let within = self.within, Self.parseLength(within) == nil {
                throw ValidationError("--within '\(within)' is not a length such as 2km, 500m or 1500")
            }
        }

        func run() async throws {
            let setup = try self.global.start()
            let (registry, sites) = try await self.global.withReadStore(setup) { try await Self.query(store: $0, filter: self.filter()) }
            guard let registry else {
                throw CommandFailure(
                    "the database \(setup.database) has no register yet; import one: hazardmon sites import\(self.global.importHint(setup))",
                    code: .dataError)
            }
            if let unknown = Self.unknownFilter(township: self.township, village: self.village, registry: registry) {
                throw CommandFailure(unknown, code: .dataError)
            }
            if sites.isEmpty { Output.error(Self.nothingMatched(registry: registry, township: self.township)) }
            if self.format == .table, let near = self.near.flatMap(Self.parseLonLat) {
                let centre = try await withGeodesy { geodesy in
                    try await geodesy.transform(near, from: RegistryLoader.canonicalCRS, to: registry.county.workingCRS, checkArea: false)
                }
                Output.write(Self.tableWithDistances(sites, centre: centre, villages: registry.villages))
                Output.write("\(sites.count) site\(sites.count == 1 ? "" : "s") within \(self.within ?? "") of \(self.near ?? "")\n")
                return
            }
            switch self.format {
            case .table:
                Output.write(SiteExport.table(sites, villages: registry.villages))
                Output.write("\(sites.count) site\(sites.count == 1 ? "" : "s")\n")
            case .json:
                Output.write(try SiteExport.json(sites, county: registry.county, villages: registry.villages))
                Output.write("\n")
            }
        }

        private func filter() -> (SiteFilter, near: Coordinate2D?, radius: Double?) {
            (
                SiteFilter(kind: self.kind, township: self.township, villageCode: self.village),
                self.near.flatMap(Self.parseLonLat), self.within.flatMap(Self.parseLength)
            )
        }

        /// The register and the matching sites; a --near centre is projected into the working CRS first.
        private static func query(
            store: Store, filter request: (SiteFilter, near: Coordinate2D?, radius: Double?)
        ) async throws -> (Registry?, [Site]) {
            guard let registry = try await store.registry() else { return (nil, []) }
            var filter = request.0
            if let near = request.near, let radius = request.radius {
                filter.near = try await withGeodesy { geodesy in
                    try await geodesy.transform(
                        near, from: RegistryLoader.canonicalCRS, to: registry.county.workingCRS, checkArea: false
                    )
                }
                filter.withinMeters = radius
            }
            return (registry, try await store.sites(matching: filter))
        }

        static func parseLonLat(_ text: String) -> Coordinate2D? { SiteQueryText.lonLat(text) }

        /// A township or village filter that names nothing in the register: the message listing the known ones.
        static func unknownFilter(township: String?, village: String?, registry: Registry) -> String? {
            let townships = Set(registry.villages.map(\.township) + registry.sites.map(\.township))
            if let township, !townships.contains(township) {
                return "no township '\(township)' in the register; known townships: \(townships.sorted().joined(separator: ", "))"
            }
            if let village, !registry.villages.contains(where: { $0.code == village }) {
                let known = registry.villages.filter { township == nil || $0.township == township }
                return "no village with code '\(village)' in the register; known villages: " + Self.villageList(known)
            }
            return nil
        }

        /// Said on stderr when the filters are known but match no site.
        static func nothingMatched(registry: Registry, township: String?) -> String {
            let townships = Set(registry.villages.map(\.township) + registry.sites.map(\.township)).sorted()
            var text = "no site matches; known townships: \(townships.joined(separator: ", "))"
            let villages = registry.villages.filter { township == nil || $0.township == township }
            text += "; villages\(township.map { " of \($0)" } ?? ""): " + Self.villageList(villages)
            return text
        }

        /// `500999101201 金竹村 (青岩镇), …`, at most 40, then how many more.
        static func villageList(_ villages: [Village]) -> String {
            let shown = villages.sorted { $0.code < $1.code }.prefix(40).map { "\($0.code) \($0.name) (\($0.township))" }
            let more = villages.count > shown.count ? ", and \(villages.count - shown.count) more" : ""
            return shown.isEmpty ? "none" : shown.joined(separator: ", ") + more
        }

        /// The sites table with each site's distance from `centre` (working CRS, metres), nearest first.
        static func tableWithDistances(_ sites: [Site], centre: Coordinate2D, villages: [Village]) -> String {
            let byCode = Dictionary(villages.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
            func distance(_ site: Site) -> Double { hypot(site.metric.x - centre.x, site.metric.y - centre.y) }
            let nearestFirst: [(site: Site, metres: Double)] = sites.map { ($0, distance($0)) }.sorted { a, b in
                a.metres != b.metres ? a.metres < b.metres : a.site.code < b.site.code
            }
            let rows: [[String]] = nearestFirst.map { site, metres in
                let village = byCode[site.villageCode]?.name ?? site.villageCode
                let shown = metres < 1000 ? String(format: "%.0f m", metres) : String(format: "%.2f km", metres / 1000)
                return [
                    site.code, site.kind.rawValue, site.name, site.township, village, shown, String(site.threatenedPeople),
                    String(site.points.count),
                ]
            }
            return TextTable.render(header: ["code", "kind", "name", "township", "village", "distance", "people", "points"], rows: rows)
        }

        static func parseLength(_ text: String) -> Double? { SiteQueryText.meters(text) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one site with its points, devices and channels.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The site's unified code (统一编号); letters may be in either case.")
        var code: String

        func run() async throws {
            let setup = try self.global.start()
            // Codes are compared ignoring case: registers write them in capitals (DZ500999-0001).
            let code = self.code.uppercased()
            let (registry, site) = try await self.global.withReadStore(setup) { store in
                let exact = try await store.site(code: self.code)
                let site = exact == nil && code != self.code ? try await store.site(code: code) : exact
                return (try await store.registry(), site)
            }
            guard let registry else {
                throw CommandFailure(
                    "the database \(setup.database) has no register yet; import one: hazardmon sites import\(self.global.importHint(setup))",
                    code: .dataError)
            }
            guard let site else {
                let count = registry.sites.count
                throw CommandFailure(
                    "no site \(code) in \(setup.database) (\(count) site\(count == 1 ? "" : "s"); list them: hazardmon sites list\(self.global.sameDatabase(setup)))",
                    code: .dataError)
            }
            Output.write(SiteReport.text(site, county: registry.county, villages: registry.villages))
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export sites as GeoJSON (opens in QGIS as is) or CSV.",
            discussion: """
                CSV is written as UTF-8 with a byte-order mark, which Excel needs to show
                Chinese text; use --encoding gb18030 for tools that expect the Chinese
                Windows code page, or utf8 for no mark. GeoJSON is always UTF-8 (RFC 7946).
                  hazardmon sites export --format geojson --out county.geojson
                  hazardmon sites export --format csv --encoding gb18030 --out sites.csv
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "geojson or csv.")
        var format: ExportFormat = .geojson

        @Option(help: "Only this kind of site.")
        var kind: SiteKind?

        @Option(help: "Write to this file instead of stdout.")
        var out: String?

        @Option(help: "CSV text encoding: utf8-bom (default), utf8 or gb18030.")
        var encoding: ExportEncoding?

        func validate() throws {
            if self.encoding != nil, self.format != .csv {
                throw ValidationError("--encoding applies to --format csv; GeoJSON is always UTF-8")
            }
        }

        func run() async throws {
            let setup = try self.global.start()
            let (registry, sites) = try await self.global.withReadStore(setup) { store in
                (try await store.registry(), try await store.sites(matching: SiteFilter(kind: self.kind)))
            }
            guard let registry else {
                throw CommandFailure(
                    "the database \(setup.database) has no register yet; import one: hazardmon sites import\(self.global.importHint(setup))",
                    code: .dataError)
            }
            let data: Data
            switch self.format {
            case .geojson: data = try SiteExport.geoJSON(sites, county: registry.county, villages: registry.villages)
            case .csv:
                data = try SiteExport.csv(
                    sites, county: registry.county, villages: registry.villages,
                    encoding: (self.encoding ?? .utf8BOM).textEncoding
                )
            }
            if let out = self.out {
                try data.write(to: URL(fileURLWithPath: out))
            } else {
                Output.write(data)
            }
        }
    }
}

enum ListFormat: String, ExpressibleByArgument, Equatable {
    case table, json
}

enum ExportFormat: String, ExpressibleByArgument {
    case geojson, csv
}

enum ExportEncoding: String, ExpressibleByArgument {
    case utf8
    case utf8BOM = "utf8-bom"
    case gb18030

    var textEncoding: TextEncoding {
        switch self {
        case .utf8: return .utf8
        case .utf8BOM: return .utf8WithBOM
        case .gb18030: return .gb18030
        }
    }
}

extension SiteKind: ExpressibleByArgument {}
