// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    // https://github.com/apple/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
    // Keel's own code builds without warnings (dependencies keep theirs).
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "keel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keel", targets: ["keel"]),
        .library(name: "KeelCore", targets: ["KeelCore"]),
        .library(name: "KeelProviders", targets: ["KeelProviders"]),
        .library(name: "KeelApp", targets: ["KeelApp"]),
        .library(name: "KeelTesting", targets: ["KeelTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // OTLP over HTTP only: the gRPC exporter's dependencies are not built.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The pipeline, its stages and the domain types: no HTTP, no SQL.
        .target(
            name: "KeelCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("JSONSchema/Metaschemas"), .copy("Contracts/Countries")],
            swiftSettings: swiftSettings
        ),
        // Upstreams: OpenAI-compatible, Anthropic Messages, and the simulator.
        .target(
            name: "KeelProviders",
            dependencies: [
                "KeelCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Exact token counts: OpenAI's o200k_base and cl100k_base encodings (rank files from tiktoken, MIT).
        .target(
            name: "KeelTokenizer",
            dependencies: ["KeelCore"],
            resources: [
                .copy("Resources/o200k_base.tiktoken"), .copy("Resources/cl100k_base.tiktoken"), .copy("Resources/NOTICE-tiktoken.txt"),
            ],
            swiftSettings: swiftSettings
        ),
        // SQLite (GRDB) and PostgreSQL (postgres-nio) implementations of the core's storage ports.
        .target(
            name: "KeelStore",
            dependencies: [
                "KeelCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP edge: routes, SSE, OpenAI error bodies.
        .target(
            name: "KeelServer",
            dependencies: [
                "KeelCore",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration loading and the one wiring function.
        .target(
            name: "KeelApp",
            dependencies: [
                "CMalloc", "KeelCore", "KeelProviders", "KeelStore", "KeelServer", "KeelTokenizer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources/keel.example.yaml"), .copy("Resources/demo")],
            swiftSettings: swiftSettings
        ),
        // glibc's malloc.h: the executable's arena setting, the memory trimmer.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .executableTarget(
            name: "keel",
            dependencies: [
                "CMalloc", "KeelApp", "KeelCore", "KeelProviders", "KeelStore", "KeelTokenizer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test doubles shared by the test targets.
        .target(
            name: "KeelTesting",
            dependencies: ["KeelCore"],
            swiftSettings: swiftSettings
        ),
        // A benchmark (bench/README.md): the storage ports on SQLite against PostgreSQL.
        .executableTarget(
            name: "store-bench",
            dependencies: ["KeelCore", "KeelStore", .product(name: "Logging", package: "swift-log")],
            path: "bench/store-bench",
            swiftSettings: swiftSettings
        ),
        // A benchmark (bench/README.md): one drift judgement over a million logged requests.
        .executableTarget(
            name: "drift-bench",
            dependencies: ["KeelCore", "KeelStore", .product(name: "Logging", package: "swift-log")],
            path: "bench/drift-bench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KeelTests",
            dependencies: [
                "KeelApp", "KeelCore", "KeelProviders", "KeelServer", "KeelStore", "KeelTesting", "KeelTokenizer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // To tamper with a SQLite file behind the store's back: the audit trail must notice.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ]
)
