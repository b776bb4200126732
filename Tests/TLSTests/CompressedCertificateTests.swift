import TLSDumpBase
@testable import TLSDumpTLS
import XCTest

/// RFC 8879 CompressedCertificate: the message layout, and the bounded
/// decompression of each algorithm on real compressed bytes (made by the
/// libraries' encoders): exact, too long, too short, cut, corrupt.
final class CompressedCertificateTests: XCTestCase {
    static let algorithms: [UInt16] = [CertificateCompressionAlgorithm.zlib, CertificateCompressionAlgorithm.brotli,
                                       CertificateCompressionAlgorithm.zstd]

    /// A TLS 1.3 Certificate body around some DER-looking bytes (a varied pattern, not all zeros).
    static func certificateBody(size: Int = 3000) -> [UInt8] {
        let der = (0..<size).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 13) }
        let entry = [UInt8(truncatingIfNeeded: der.count >> 16), UInt8(truncatingIfNeeded: der.count >> 8), UInt8(truncatingIfNeeded: der.count)]
            + der + [0, 0]
        return [0] + [UInt8(truncatingIfNeeded: entry.count >> 16), UInt8(truncatingIfNeeded: entry.count >> 8), UInt8(truncatingIfNeeded: entry.count)] + entry
    }

    private func parse(_ bytes: [UInt8]) throws -> CompressedCertificate {
        try bytes.withUnsafeBytes { (b) throws(ParseError) in try CompressedCertificate.parse(b) }
    }

    func testEachAlgorithmRoundTripsToTheCertificateBody() throws {
        let body = Self.certificateBody()
        for algorithm in Self.algorithms {
            let compressed = CertificateCompressors.compress(body, algorithm: algorithm)
            XCTAssertLessThan(compressed.count, body.count)
            let message = try parse(CertificateCompressors.message(algorithm: algorithm, declared: body.count, compressed: compressed))
            XCTAssertEqual(message.algorithm, algorithm)
            XCTAssertEqual(message.declaredLength, body.count)
            XCTAssertEqual(message.compressed, compressed)
            XCTAssertEqual(message.decompress(), .decompressed(body), "algorithm \(algorithm)")
            // The output is a Certificate body the plain path reads.
            guard case .decompressed(let out) = message.decompress() else { continue }
            let certificate = try out.withUnsafeBytes { (b) throws(ParseError) in try CertificateMessage.parse(b, tls13: true) }
            XCTAssertEqual(certificate.certificates.count, 1)
            XCTAssertEqual(certificate.certificates.first?.count, 3000)
        }
    }

    /// Output larger than one 16 KiB chunk, and zstd frames one after another.
    func testLargeOutputAndConcatenatedZstdFrames() throws {
        let body = Self.certificateBody(size: 200_000)
        for algorithm in Self.algorithms {
            let message = CompressedCertificate(algorithm: algorithm, declaredLength: body.count,
                                                compressed: CertificateCompressors.compress(body, algorithm: algorithm))
            XCTAssertEqual(message.decompress(), .decompressed(body), "algorithm \(algorithm)")
        }
        let half = body.count / 2
        let frames = CertificateCompressors.zstd(Array(body[..<half])) + CertificateCompressors.zstd(Array(body[half...]))
        XCTAssertEqual(CompressedCertificate(algorithm: 3, declaredLength: body.count, compressed: frames).decompress(), .decompressed(body))
    }

    /// A frame without a content size asks for its window: up to 2^24 is decoded, more is refused.
    func testZstdWindowsUpTo16MiB() {
        let body = Self.certificateBody()
        let wide = CertificateCompressors.zstdStreaming(body, windowLog: 23)
        XCTAssertEqual(CompressedCertificate(algorithm: 3, declaredLength: body.count, compressed: wide).decompress(limit: 4096 * 4),
                       .decompressed(body), "an 8 MiB window over 3 KB of output")
        let tooWide = CertificateCompressors.zstdStreaming(body, windowLog: 25)
        guard case .invalid(let reason) = CompressedCertificate(algorithm: 3, declaredLength: body.count, compressed: tooWide).decompress() else {
            return XCTFail("a 32 MiB window was accepted")
        }
        XCTAssertTrue(reason.hasPrefix("zstd: "), reason)
    }

    func testDeclaredLengthOverTheLimitIsRefusedBeforeDecoding() {
        for algorithm in Self.algorithms {
            let message = CompressedCertificate(algorithm: algorithm, declaredLength: (1 << 24) + 1, compressed: [1, 2, 3])
            XCTAssertEqual(message.decompress(), .declaredOverLimit(declared: (1 << 24) + 1, limit: 1 << 24))
        }
        // The u24 field cannot say more than 2^24-1; a smaller limit shows the check.
        let small = CompressedCertificate(algorithm: 1, declaredLength: 5000, compressed: CertificateCompressors.zlib([0]))
        XCTAssertEqual(small.decompress(limit: 4096), .declaredOverLimit(declared: 5000, limit: 4096))
    }

    /// A bomb: 8 MiB of zeros compress to a few KiB; declared as 1000 bytes,
    /// decoding stops after 1000 (+1 probed) bytes.
    func testDataDecodingPastTheDeclaredLengthIsABomb() {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        for algorithm in Self.algorithms {
            let compressed = CertificateCompressors.compress(zeros, algorithm: algorithm)
            XCTAssertLessThan(compressed.count, 64 * 1024)
            let message = CompressedCertificate(algorithm: algorithm, declaredLength: 1000, compressed: compressed)
            XCTAssertEqual(message.decompress(), .longerThanDeclared(declared: 1000), "algorithm \(algorithm)")
            // One byte over is enough.
            let exact = CompressedCertificate(algorithm: algorithm, declaredLength: 999,
                                              compressed: CertificateCompressors.compress([UInt8](repeating: 0, count: 1000), algorithm: algorithm))
            XCTAssertEqual(exact.decompress(), .longerThanDeclared(declared: 999), "algorithm \(algorithm)")
        }
    }

    func testDataEndingShortOfTheDeclaredLength() {
        let body = Self.certificateBody()
        for algorithm in Self.algorithms {
            let message = CompressedCertificate(algorithm: algorithm, declaredLength: body.count + 1,
                                                compressed: CertificateCompressors.compress(body, algorithm: algorithm))
            XCTAssertEqual(message.decompress(), .shorterThanDeclared(declared: body.count + 1, actual: body.count), "algorithm \(algorithm)")
            // A liar's 16 MiB - 1 over a small stream: what decodes, no more.
            let liar = CompressedCertificate(algorithm: algorithm, declaredLength: (1 << 24) - 1,
                                             compressed: CertificateCompressors.compress(body, algorithm: algorithm))
            XCTAssertEqual(liar.decompress(), .shorterThanDeclared(declared: (1 << 24) - 1, actual: body.count))
        }
    }

    func testCutCorruptAndTrailingDataAreInvalid() {
        let body = Self.certificateBody()
        for algorithm in Self.algorithms {
            let compressed = CertificateCompressors.compress(body, algorithm: algorithm)
            let cut = CompressedCertificate(algorithm: algorithm, declaredLength: body.count, compressed: Array(compressed.dropLast(5)))
            guard case .invalid = cut.decompress() else { return XCTFail("cut \(algorithm): \(cut.decompress())") }
            let trailing = CompressedCertificate(algorithm: algorithm, declaredLength: body.count, compressed: compressed + [0x41, 0x42])
            guard case .invalid = trailing.decompress() else { return XCTFail("trailing \(algorithm): \(trailing.decompress())") }
            var corrupt = compressed
            for i in stride(from: 0, to: min(corrupt.count, 40), by: 1) { corrupt[i] ^= 0x5a }
            let bad = CompressedCertificate(algorithm: algorithm, declaredLength: body.count, compressed: corrupt)
            if case .decompressed = bad.decompress() { XCTFail("corrupt \(algorithm) decoded") }
        }
        // zlib's own words reach the reason.
        let garbage = CompressedCertificate(algorithm: 1, declaredLength: 10, compressed: [0xff, 0xff, 0xff, 0xff])
        guard case .invalid(let reason) = garbage.decompress() else { return XCTFail("\(garbage.decompress())") }
        XCTAssertTrue(reason.hasPrefix("zlib: "), reason)
    }

    func testUnknownAlgorithmIsNotDecoded() {
        XCTAssertEqual(CompressedCertificate(algorithm: 0x4242, declaredLength: 10, compressed: [1]).decompress(), .unknownAlgorithm(0x4242))
        XCTAssertEqual(CompressedCertificate(algorithm: 0, declaredLength: 10, compressed: [1]).decompress(), .unknownAlgorithm(0))
        XCTAssertEqual(CertificateCompressionAlgorithm.displayName(0x4242), "unknown_16962")
        XCTAssertEqual(CertificateCompressionAlgorithm.displayName(2), "brotli")
    }

    func testMessageLayoutErrors() {
        XCTAssertThrowsError(try parse([0, 1, 0, 0, 10])) { XCTAssertEqual($0 as? ParseError, .needMoreBytes(3)) }
        XCTAssertThrowsError(try parse([0, 1, 0, 0, 10, 0, 0, 0]), "empty compressed data")
        XCTAssertThrowsError(try parse([0, 1, 0, 0, 10, 0, 0, 5, 1, 2]), "vector past the end")
        XCTAssertThrowsError(try parse([0, 1, 0, 0, 10, 0, 0, 1, 1, 9]), "bytes after the vector")
        XCTAssertNoThrow(try parse([0, 1, 0, 0, 10, 0, 0, 1, 1]))
    }

    func testClientHelloCompressCertificateExtension() throws {
        // compress_certificate offering brotli, zlib, zstd, and an unknown 0x1234.
        let ext: [UInt8] = [0x00, 0x1b, 0x00, 0x09, 0x08, 0x00, 0x02, 0x00, 0x01, 0x00, 0x03, 0x12, 0x34]
        let hello: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 1, count: 32) + [0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]
            + [0x00, UInt8(ext.count)] + ext
        let parsed = try hello.withUnsafeBytes { (b) throws(ParseError) in try ClientHello.parse(b) }
        XCTAssertEqual(parsed.certificateCompressionAlgorithms, [2, 1, 3, 0x1234])
        XCTAssertEqual(parsed.extensionTypes, [27])
    }
}
