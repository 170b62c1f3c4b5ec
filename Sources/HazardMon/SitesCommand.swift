// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HazardMonCore
import HazardMonGeo
import HazardMonRegistry
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
                Every problem is printed as file:line: field: reason, and nothing is imported while any remains.
                A re-import updates sites by code and reports what was added, changed and removed.
                The folder's files are described in sites/README.md.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The register folder.")
        var directory: String = "sites"

        func run() async throws {
            let logger = self.global.makeLogger()
            let registry: Registry
            do {
                registry = try await RegistryLoader.load(directory: self.directory)
            } catch let error as RegistryError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(65)  // EX_DATAERR: the database is left as it was
            }
            let diff = try await self.global.withOpenStore { try await $0.replaceRegistry(registry) }
            logger.info(
                "registry imported",
                metadata: [
                    "folder": "\(self.directory)", "sites": "\(registry.sites.count)", "added": "\(diff.added.count)",
                    "changed": "\(diff.changed.count)", "removed": "\(diff.removed.count)",
                ]
            )
            Output.write(ImportReport.text(registry: registry, diff: diff, database: self.global.db))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List sites, optionally filtered by kind, township, village or distance.",
            discussion: """
                Distances use the county's working CRS (metres), so --near takes CGCS2000 lon,lat and --within a
                length such as 2km, 500m or 1500.
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
            _ = self.global.makeLogger()
            let (registry, sites) = try await self.global.withOpenStore { try await Self.query(store: $0, filter: self.filter()) }
            guard let registry else {
                throw ValidationError("the database \(self.global.db) has no register yet; run: hazardmon sites import sites")
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

        static func parseLength(_ text: String) -> Double? { SiteQueryText.meters(text) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one site with its points, devices and channels.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The site's unified code (统一编号).")
        var code: String

        func run() async throws {
            _ = self.global.makeLogger()
            let (registry, site) = try await self.global.withOpenStore { store in
                (try await store.registry(), try await store.site(code: self.code))
            }
            guard let site, let registry else {
                throw ValidationError("no site with code '\(self.code)' in \(self.global.db)")
            }
            Output.write(SiteReport.text(site, county: registry.county, villages: registry.villages))
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export sites as GeoJSON (opens in QGIS as is) or CSV.",
            discussion: """
                CSV is written as UTF-8 with a byte-order mark, which Excel needs to show Chinese text; use
                --encoding gb18030 for tools that expect the Chinese Windows code page, or utf8 for no mark.
                GeoJSON is always UTF-8 (RFC 7946).
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
            _ = self.global.makeLogger()
            let (registry, sites) = try await self.global.withOpenStore { store in
                (try await store.registry(), try await store.sites(matching: SiteFilter(kind: self.kind)))
            }
            guard let registry else {
                throw ValidationError("the database \(self.global.db) has no register yet; run: hazardmon sites import sites")
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

enum ListFormat: String, ExpressibleByArgument {
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
