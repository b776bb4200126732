// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for tlsdump (project issue 8). A package of its own so the
// main build never sees them. Build (from the repository root):
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz
// then `Fuzz/run.sh [SECONDS_PER_TARGET]`.
//
// Each target is an executable with an `LLVMFuzzerTestOneInput`; its
// top-level code hands the process to libFuzzer's driver (see FuzzSupport/Driver.swift).

let targetNames = [
    "FuzzPacketDecoder",   // link / IP / TCP decoding, fragments
    "FuzzReassembler",     // HalfStreamReassembler fed a script of segments
    "FuzzRecordStream",    // RecordStream in random chunkings and gaps, then handshake parsing
    "FuzzPreamble",        // TLS after plaintext (STARTTLS, PostgreSQL): whole vs chunked runs agree
    "FuzzHandshake",       // every handshake parser and the fingerprints
    "FuzzSSLv2",           // SSLv2 framing and hellos
    "FuzzX509",            // X509Summarizer.summarize / distinguishedName
    "FuzzKeyLog",          // the NSS key log parser (SSLKEYLOGFILE)
    "FuzzRecordDecryption", // RecordDecryptor over every cipher construction, SSL 3.0/PSK key schedules, --psk parsing
    "FuzzPipeline",        // a whole capture file through Pipeline.run
    "FuzzPcapngSecrets",   // pcapng block walk for Decryption Secrets Blocks, file vs memory
    "FuzzQUICPacket",      // QUIC datagram splitting, Initial keys and opening, frames, transport parameters
    "FuzzQUICCrypto",      // QUICCryptoStream fed a script of CRYPTO frames, against a reference stream
    "FuzzCompressedCapture", // gzip/zstd/xz/lz4 files through PcapReader (codec, stdio stream, libpcap) and the secrets walk
    "FuzzECH",             // encrypted_client_hello: the ClientHello form, retry_configs (ECHConfigList), inside a ClientHello
    "FuzzOCSP",            // CertificateStatus, OCSP responses, SCT lists, the CertID check
    "FuzzChainValidation", // certificate chains, SNI and time through ChainValidator (swift-certificates' Verifier) and its cache
    "FuzzMappedCapture",   // pcap/pcapng read in place (MappedCaptureFile) against libpcap, with and without a filter
    "FuzzCompressedCertificate", // RFC 8879 CompressedCertificate: zlib/brotli/zstd bounded decoding, then the Certificate parse
]

let package = Package(
    name: "tlsdump-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "tlsdump", path: ".."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", .product(name: "TLSDumpKit", package: "tlsdump")]),
    ] + targetNames.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "TLSDumpKit", package: "tlsdump")]
        )
    }
)
