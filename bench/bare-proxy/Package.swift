// swift-tools-version:6.2
import PackageDescription

/// The benchmark's second baseline: the HTTP stack Keel is built on (Hummingbird serving,
/// AsyncHTTPClient calling the upstream) with nothing in between, so that a run can tell what the
/// stack costs from what Keel's pipeline adds to it.
let package = Package(
    name: "bare-proxy",
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "bare-proxy",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        )
    ]
)
