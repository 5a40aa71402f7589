// swift-tools-version:6.2
import PackageDescription

/// The benchmark's baselines: Keel's HTTP stack and its OpenAI provider (Hummingbird serving, the
/// provider parsing, calling the upstream and normalising its answer) with none of the pipeline's
/// stages, so that a run can tell what the stack costs from what the pipeline adds to it; the same
/// provider behind NIO's channel handlers alone; and either server answering a fixed body.
let package = Package(
    name: "bare-proxy",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(name: "keel", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "bare-proxy",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "KeelCore", package: "keel"),
                .product(name: "KeelProviders", package: "keel"),
            ]
        )
    ]
)
