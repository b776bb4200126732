// swift-tools-version:6.1
import PackageDescription

// Microbenchmarks of tlsdump's hot paths (project issue 7), with
// ordo-one/package-benchmark. A package of its own so the main build and CI
// never compile the benchmark framework. Run from the repository root:
//   make microbench        (= swift package --package-path Benchmarks benchmark)
// Results and how to read them: bench/README.md.
let package = Package(
    name: "tlsdump-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "tlsdump", path: ".."),
        // Only the malloc interposer (mallocs per iteration). The default
        // "RuntimeInterposer" trait (ARC counters on Swift 6.3/Linux) is left off.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1",
                 traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TLSDumpBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TLSDumpKit", package: "tlsdump"),
            ],
            path: "Benchmarks/TLSDumpBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
