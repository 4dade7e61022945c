// swift-tools-version: 6.1
// Micro-benchmarks of the codec and the journal (ordo-one/benchmark), in a package of their own
// so that `make test` (`swift build --build-tests` at the root) never builds the benchmark
// framework. Run from this directory: swift package benchmark
import PackageDescription

let package = Package(
    name: "TansiqBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Tansiq", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "TansiqMessages", package: "Tansiq"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "JournalBenchmarks",
            dependencies: [
                .product(name: "TansiqHub", package: "Tansiq"),
                .product(name: "TansiqMessages", package: "Tansiq"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/JournalBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
