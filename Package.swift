// swift-tools-version:6.2
import PackageDescription

// One set of settings for every target, as hummingbird/Package.swift does.
let swiftSettings: [SwiftSetting] = [
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let csv: Target.Dependency = .product(name: "CSV", package: "CSV.swift")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")

let package = Package(
    name: "hazardmon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hazardmon", targets: ["HazardMon"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
    ],
    targets: [
        // System C libraries. Each has exactly one Swift importer.
        .systemLibrary(
            name: "CProj",
            pkgConfig: "proj",
            providers: [.apt(["libproj-dev", "proj-data"]), .brew(["proj"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),

        // Pure domain: sites, registry validation, no I/O beyond reading text handed to it.
        .target(
            name: "HazardMonCore",
            swiftSettings: swiftSettings
        ),
        // The only importer of CProj.
        .target(
            name: "HazardMonGeo",
            dependencies: [.target(name: "CProj"), .target(name: "HazardMonCore")],
            swiftSettings: swiftSettings
        ),
        // The only importer of CSQLite.
        .target(
            name: "HazardMonStore",
            dependencies: [.target(name: "CSQLite"), .target(name: "HazardMonCore")],
            swiftSettings: swiftSettings
        ),
        // Threshold rules: rule files, checking, and the incremental engine. Pure: no SQLite, no PROJ.
        .target(
            name: "HazardMonRules",
            dependencies: [.target(name: "HazardMonCore"), yams],
            swiftSettings: swiftSettings
        ),
        // Reading, validating, projecting, storing and exporting a county's site register.
        .target(
            name: "HazardMonRegistry",
            dependencies: [
                csv,
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonGeo"),
                .target(name: "HazardMonStore"),
                yams,
            ],
            swiftSettings: swiftSettings
        ),
        // Evacuation alerts: the village contact roster and the alert policy, loaded and checked against the
        // register. Pure: reads text files, no SQLite or PROJ calls of its own (the register's CSV reading is
        // reused from HazardMonRegistry, durations from HazardMonRules).
        .target(
            name: "HazardMonAlerts",
            dependencies: [
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonRegistry"),
                .target(name: "HazardMonRules"),
                yams,
            ],
            swiftSettings: swiftSettings
        ),
        // The daemon: configuration, HTTP feed, Dispatch-timer ingestion loop, metrics, systemd, ServiceGroup.
        .target(
            name: "HazardMonServer",
            dependencies: [
                crypto,
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonGeo"),
                .target(name: "HazardMonRegistry"),
                .target(name: "HazardMonRules"),
                .target(name: "HazardMonStore"),
                hummingbird,
                logging,
                metrics,
                prometheus,
                serviceLifecycle,
                unixSignals,
                yams,
            ],
            swiftSettings: swiftSettings
        ),
        // Thin executable: parses arguments, calls the libraries.
        .executableTarget(
            name: "HazardMon",
            dependencies: [
                argumentParser,
                .target(name: "HazardMonAlerts"),
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonGeo"),
                .target(name: "HazardMonRegistry"),
                .target(name: "HazardMonRules"),
                .target(name: "HazardMonServer"),
                .target(name: "HazardMonStore"),
                logging,
                yams,
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "HazardMonAlertsTests",
            dependencies: [
                .target(name: "HazardMonAlerts"),
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonGeo"),
                .target(name: "HazardMonRegistry"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HazardMonCoreTests",
            dependencies: [.target(name: "HazardMonCore")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HazardMonGeoTests",
            dependencies: [.target(name: "HazardMonCore"), .target(name: "HazardMonGeo")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HazardMonStoreTests",
            dependencies: [.target(name: "HazardMonCore"), .target(name: "HazardMonStore")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HazardMonRegistryTests",
            dependencies: [
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonGeo"),
                .target(name: "HazardMonRegistry"),
                .target(name: "HazardMonStore"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HazardMonRulesTests",
            dependencies: [
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonRegistry"),
                .target(name: "HazardMonRules"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HazardMonServerTests",
            dependencies: [
                .target(name: "HazardMonCore"),
                .target(name: "HazardMonRegistry"),
                .target(name: "HazardMonRules"),
                .target(name: "HazardMonServer"),
                .target(name: "HazardMonStore"),
                logging,
                serviceLifecycle,
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
