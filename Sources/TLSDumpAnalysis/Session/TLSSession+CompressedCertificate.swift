import TLSDumpBase
import TLSDumpTLS

/// RFC 8879: a CompressedCertificate is decompressed (bounded, see
/// `CompressedCertificate.decompress`) and its Certificate body goes the way
/// a plain Certificate's does; what cannot be decompressed is a finding.
extension TLSSession {
    /// The most a CompressedCertificate may declare: what a plain Certificate
    /// message may be (the defragmenter's 256 KiB), so a chain is read the same
    /// either way. The u24 field itself reaches 16 MiB; over this, a bomb.
    static let maxDecompressedCertificateLength = HandshakeDefragmenter.defaultMaxMessageLength

    func compressedCertificateMessage(_ message: HandshakeMessage, side: Side, origin: RecordOrigin) {
        if side == .server { live.markFullServerFlight() }
        let compressed: CompressedCertificate
        do throws(ParseError) {
            compressed = try CompressedCertificate.parse(message.body)
        } catch {
            malformed("CompressedCertificate", side: side, error)
            return
        }
        let index = currentIndex ?? 0
        func rejected(_ issue: CertificateCompressionProblem.Issue) {
            observe(.certificateCompressionRejected(
                CertificateCompressionProblem(sender: side, algorithm: compressed.algorithm, compressedLength: compressed.compressed.count,
                                              declaredLength: compressed.declaredLength, issue: issue),
                handshake: index))
        }
        let body: [UInt8]
        switch compressed.decompress(limit: Self.maxDecompressedCertificateLength) {
        case .decompressed(let bytes): body = bytes
        case .unknownAlgorithm: return rejected(.unknownAlgorithm)
        case .declaredOverLimit(_, let limit): return rejected(.declaredOverLimit(limit: limit))
        case .longerThanDeclared: return rejected(.longerThanDeclared)
        case .shorterThanDeclared(_, let actual): return rejected(.shorterThanDeclared(actual: actual))
        case .invalid(let reason): return rejected(.decoderError(reason))
        }
        // The server may only use an algorithm the client listed (RFC 8879 3); it decoded, so the chain is still read.
        if side == .server, let hello = current?.clientHello, !hello.offersCertificateCompression(compressed.algorithm) {
            rejected(.notOffered(offered: hello.certificateCompressionOffered))
        }
        // Always the TLS 1.3 layout (RFC 8879 4): compression exists only there.
        let result = body.withUnsafeBytes { bytes -> Result<CertificateMessage, ParseError> in
            do throws(ParseError) { return .success(try CertificateMessage.parse(bytes, tls13: true)) } catch { return .failure(error) }
        }
        let parsed: CertificateMessage
        switch result {
        case .success(let message): parsed = message
        case .failure(let error):
            malformed("Certificate (decompressed from a CompressedCertificate)", side: side, error)
            return
        }
        let info = CertificateCompressionInfo(algorithm: compressed.algorithm, compressedLength: compressed.compressed.count,
                                              uncompressedLength: body.count)
        if side == .server {
            if certificateCompression.value.server == nil { certificateCompression.value.server = info }
        } else if certificateCompression.value.client == nil {
            certificateCompression.value.client = info
        }
        // The same path as a plain Certificate: validation, TLS 1.3 staples, findings.
        certificateMessageRead(parsed, side: side, origin: origin, compression: info)
    }
}
