// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Tansiq",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "TansiqMessages", targets: ["TansiqMessages"]),
        .library(name: "TansiqJournal", targets: ["TansiqJournal"]),
        .library(name: "TansiqHub", targets: ["TansiqHub"]),
        .library(name: "TansiqAgent", targets: ["TansiqAgent"]),
        .library(name: "TansiqSimulation", targets: ["TansiqSimulation"]),
        .library(name: "TansiqFHIR", targets: ["TansiqFHIR"]),
        .executable(name: "tansiq", targets: ["tansiq"]),
        .executable(name: "tansiq-hub", targets: ["tansiq-hub"]),
        .executable(name: "commune-agent", targets: ["commune-agent"]),
        .executable(name: "iom-agent", targets: ["iom-agent"]),
        .executable(name: "services-agent", targets: ["services-agent"]),
        .executable(name: "civil-society-agent", targets: ["civil-society-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        // C API of libzmq, found through pkg-config (Debian: libzmq3-dev).
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // SQLite's process-wide settings that Swift cannot make (`sqlite3_config` is variadic);
        // the same system libsqlite3 that GRDB uses (Debian: libsqlite3-dev).
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "TansiqMessages"),
        // Personal data at rest: owner-only files, a master key, one sealed data key per referral.
        .target(
            name: "TansiqVault",
            dependencies: [
                "TansiqMessages", "CSQLiteSettings",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The hub's durable store: the journal of accepted messages and the referral registry's
        // table in one SQLite file, group commits, checkpoints, retention and erasure. No sockets.
        .target(
            name: "TansiqJournal",
            dependencies: [
                "TansiqMessages", "TansiqVault",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "TansiqHub",
            dependencies: [
                "ZeroMQ", "TansiqMessages", "TansiqVault", "TansiqJournal",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The hub's HTTP listener: Prometheus metrics, health and readiness, connected agencies.
        .target(
            name: "TansiqMonitoring",
            dependencies: [
                "TansiqHub", "TansiqMessages",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "TansiqAgent",
            dependencies: [
                "ZeroMQ", "TansiqMessages", "TansiqVault",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The agency's desk: web pages and a JSON API for its workers, over the agent runtime.
        .target(
            name: "TansiqDesk",
            dependencies: [
                "TansiqAgent", "TansiqCharts", "TansiqFHIR", "TansiqHub", "TansiqMessages", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "TansiqSimulation",
            dependencies: [
                "TansiqHub", "TansiqAgent", "TansiqCharts", "TansiqMessages", "TansiqVault",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A referral's trail as an HL7 FHIR R4 Bundle: pure mapping, no I/O, so that the CLI and a
        // desk's API serve the same export.
        .target(name: "TansiqFHIR", dependencies: ["TansiqMessages"]),
        // Inline SVG charts shared by the simulation report and the desk's facts (no protocol types).
        .target(name: "TansiqCharts"),
        // Every command of the CLI and of the agent executables; the executables only call `main()`.
        .target(
            name: "TansiqCLI",
            dependencies: [
                "ZeroMQ", "TansiqMessages", "TansiqJournal", "TansiqHub", "TansiqAgent", "TansiqSimulation", "TansiqVault", "TansiqMonitoring", "TansiqDesk", "TansiqFHIR",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(name: "tansiq", dependencies: ["TansiqCLI"]),
        .executableTarget(name: "tansiq-hub", dependencies: ["TansiqCLI"]),
        .executableTarget(name: "commune-agent", dependencies: ["TansiqCLI"]),
        .executableTarget(name: "iom-agent", dependencies: ["TansiqCLI"]),
        .executableTarget(name: "services-agent", dependencies: ["TansiqCLI"]),
        .executableTarget(name: "civil-society-agent", dependencies: ["TansiqCLI"]),
        // What several test targets share: clocks a test moves, harnesses.
        .target(name: "TansiqTestSupport", dependencies: ["TansiqHub", "TansiqJournal"], path: "Tests/TansiqTestSupport"),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "TansiqVaultTests", dependencies: ["TansiqVault", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "TansiqMessagesTests",
            dependencies: ["TansiqMessages"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "TansiqJournalTests",
            dependencies: ["TansiqJournal", "TansiqMessages", "TansiqVault", "TansiqTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TansiqHubTests", dependencies: ["TansiqHub", "TansiqJournal", "ZeroMQ", "TansiqMessages", "TansiqVault", "TansiqTestSupport"]),
        .testTarget(name: "TansiqAgentTests", dependencies: ["TansiqAgent", "TansiqHub", "ZeroMQ", "TansiqMessages", "TansiqVault", "TansiqTestSupport"]),
        .testTarget(name: "TansiqSimulationTests", dependencies: ["TansiqSimulation", "TansiqHub", "TansiqVault", "TansiqCharts"]),
        .testTarget(name: "TansiqFHIRTests", dependencies: ["TansiqFHIR", "TansiqMessages"]),
        .testTarget(name: "TansiqCLITests", dependencies: ["TansiqCLI", "TansiqHub", "TansiqAgent", "ZeroMQ", "TansiqMessages", "TansiqVault"]),
        .testTarget(
            name: "TansiqDeskTests",
            dependencies: [
                "TansiqDesk", "TansiqAgent", "TansiqHub", "TansiqMessages", "TansiqSimulation", "ZeroMQ", "TansiqTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "TansiqMonitoringTests",
            dependencies: ["TansiqMonitoring", "TansiqHub", "ZeroMQ", "TansiqMessages", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)

