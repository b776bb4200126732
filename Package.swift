// swift-tools-version:6.0
import PackageDescription

// Stages, data flowing one way:
//   Capture (libpcap) -> Decode (link/IP/TCP) -> Flow (flow table, TCP reassembly)
//   -> TLS (records, handshakes, X.509) -> Analysis (connection state, findings, events)
//   -> Output (json, text, trace) ; the `tlsdump` executable wires them together.
let package = Package(
    name: "tlsdump",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tlsdump", targets: ["tlsdump"]),
        // The stages as a library: for the fuzz targets (Fuzz/) and embedding.
        .library(name: "TLSDumpKit", targets: [
            "TLSDumpBase", "TLSDumpCapture", "TLSDumpDecode", "TLSDumpFlow", "TLSDumpTLS",
            "TLSDumpAnalysis", "TLSDumpOutput", "TLSDumpPipeline",
            "TLSDumpQUIC", "TLSDumpTrust",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.8.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // Compressed captures (`-r x.pcap.gz`): Debian's codec libraries, streamed.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLzma", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CLz4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // Compressed certificates (RFC 8879): zlib, zstd and brotli, one bounded decode per message.
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlidec", providers: [.apt(["libbrotli-dev"])]),
        // Tests only: brotli's encoder, to make compressed certificates (the tool never compresses).
        .systemLibrary(name: "CBrotliEncoder", path: "Tests/CBrotliEncoder", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
        // glibc's fopencookie (needs _GNU_SOURCE, which Swift's Glibc module lacks):
        // the FILE libpcap reads a decompressed capture from.
        .target(name: "CStdioCookie"),
        // Capture files read in place: a read-only mapping that survives the
        // file shrinking under it (a SIGBUS handler maps a zero page and marks the cut).
        .target(name: "CMappedFile"),
        .target(name: "TLSDumpBase"),
        .target(name: "TLSDumpCapture", dependencies: [
            "CPcap", "CZlib", "CZstd", "CLzma", "CLz4", "CStdioCookie", "CMappedFile", "TLSDumpBase",
        ]),
        .target(name: "TLSDumpDecode", dependencies: ["TLSDumpBase"]),
        .target(name: "TLSDumpFlow", dependencies: ["TLSDumpBase"]),
        // X.509 is read by a bounds-checked DER walker of our own (Sources/TLSDumpTLS/X509):
        // captures carry certificates swift-certificates rejects, and one code path
        // formats every certificate the same way (RFC 4514 names).
        .target(name: "TLSDumpTLS", dependencies: [
            "TLSDumpBase", "CZlib", "CZstd", "CBrotli",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // QUIC: packet headers, keyless Initial decryption, frames, CRYPTO reassembly,
        // transport parameters (UDP payload bytes in, typed values out; no flows or events).
        .target(name: "TLSDumpQUIC", dependencies: [
            "TLSDumpBase", "TLSDumpTLS",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // Certificate chain validation: swift-certificates' Verifier (RFC 5280 and
        // server identity) at the capture's time, against a trust store loaded once.
        // Only validation: summaries stay with our own DER walker (see TLSDumpTLS).
        .target(name: "TLSDumpTrust", dependencies: [
            "TLSDumpBase", "TLSDumpTLS",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .target(name: "TLSDumpAnalysis", dependencies: [
            "TLSDumpBase", "TLSDumpDecode", "TLSDumpFlow", "TLSDumpTLS", "TLSDumpQUIC", "TLSDumpTrust",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "TLSDumpOutput", dependencies: ["TLSDumpBase", "TLSDumpAnalysis", "TLSDumpTLS", "TLSDumpFlow", "TLSDumpTrust"]),
        // Wires the stages together for one run (used by the CLI and the pipeline tests).
        .target(name: "TLSDumpPipeline", dependencies: [
            "TLSDumpBase", "TLSDumpCapture", "TLSDumpDecode", "TLSDumpAnalysis", "TLSDumpOutput", "TLSDumpQUIC",
        ]),
        .executableTarget(name: "tlsdump", dependencies: [
            "TLSDumpBase", "TLSDumpPipeline", "TLSDumpAnalysis", "TLSDumpOutput", "TLSDumpCapture",
            "TLSDumpDecode", "TLSDumpFlow", "TLSDumpTrust",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Unit tests, one target per stage, so a stage is tested against its own contract.
        .testTarget(name: "BaseTests", dependencies: ["TLSDumpBase", "TLSDumpAnalysis", "TLSDumpOutput"]),
        .testTarget(name: "DecodeTests", dependencies: ["TLSDumpBase", "TLSDumpDecode", "TLSDumpCapture"]),
        .testTarget(name: "FlowTests", dependencies: ["TLSDumpBase", "TLSDumpFlow"]),
        .testTarget(name: "TLSTests", dependencies: ["TLSDumpBase", "TLSDumpTLS", "CZlib", "CZstd", "CBrotliEncoder"]),
        .testTarget(name: "QUICTests", dependencies: ["TLSDumpBase", "TLSDumpQUIC"]),
        // The analysis core: the handshake state machine, sessions fed records, the finding rules.
        .testTarget(name: "AnalysisTests", dependencies: ["TLSDumpBase", "TLSDumpDecode", "TLSDumpFlow", "TLSDumpTLS", "TLSDumpAnalysis", "TLSDumpTrust", "CZlib"]),
        // Whole-pipeline tests: the shared corpus against tshark's oracle, bundled captures, CLI.
        .testTarget(name: "PipelineTests", dependencies: [
            "TLSDumpBase", "TLSDumpDecode", "TLSDumpFlow", "TLSDumpTLS",
            "TLSDumpAnalysis", "TLSDumpOutput", "TLSDumpCapture", "TLSDumpPipeline", "tlsdump", "TLSDumpTrust",
        ], exclude: ["Fixtures", "Peers", "Live"]),   // test data and peer scripts, run from their paths
    ]
)
