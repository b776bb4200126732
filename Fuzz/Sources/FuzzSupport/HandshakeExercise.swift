import TLSDumpTLS

/// Runs every parser that applies to one handshake message, the way the
/// analyser would, and uses what they return (fingerprints, names, the
/// certificates' summaries) so that no result is optimised away.
/// `variant` picks the version-dependent reading (TLS 1.3 layout, key exchange kind).
public func exerciseHandshakeMessage(type: UInt8, body: UnsafeRawBufferPointer, variant: UInt8) -> Int {
    var used = 0
    switch type {
    case HandshakeType.clientHello:
        if let hello = try? ClientHello.parse(body) {
            used &+= Fingerprints.ja3(hello).hash.utf8.count
            used &+= Fingerprints.ja4(hello).utf8.count
            used &+= Fingerprints.ja4Raw(hello).utf8.count
            used &+= Fingerprints.ja4Original(hello).utf8.count
            used &+= Fingerprints.ja4OriginalRaw(hello, transport: .quic).utf8.count
            used &+= hello.alpn.map { displayString($0).utf8.count }.reduce(0, &+)
            used &+= Int(hello.highestVersion) &+ (hello.offersSecureRenegotiation ? 1 : 0)
        }
    case HandshakeType.serverHello:
        if let hello = try? ServerHello.parse(body) {
            used &+= Fingerprints.ja3s(hello).hash.utf8.count
            used &+= Fingerprints.ja4s(hello).utf8.count
            used &+= Fingerprints.ja4sRaw(hello).utf8.count
            used &+= Int(hello.negotiatedVersion)
            if let list = hello.signedCertificateTimestamps, let scts = try? SignedCertificateTimestampList.parse(list) {
                used &+= exerciseSCTList(scts)
            }
        }
    case HandshakeType.certificate:
        if let message = try? CertificateMessage.parse(body, tls13: variant & 1 == 1) {
            for der in message.certificates.prefix(4) {
                used &+= exerciseCertificate(der)
            }
            if let status = message.leafStatus { used &+= status.withUnsafeBytes { exerciseCertificateStatus($0) } }
            if let list = message.leafSCTList, let scts = try? SignedCertificateTimestampList.parse(list) { used &+= exerciseSCTList(scts) }
        }
    case HandshakeType.certificateRequest:
        let versions: [UInt16] = [0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f17]
        if let request = try? CertificateRequest.parse(body, version: versions[Int(variant) % versions.count]) {
            for name in request.certificateAuthorities.prefix(4) {
                used &+= X509Summarizer.distinguishedName(der: name)?.utf8.count ?? 0
            }
            used &+= request.signatureAlgorithms.count
        }
    case HandshakeType.serverKeyExchange:
        let kinds: [ServerKeyExchange.Kind] = [.ecdhe, .dhe, .rsaExport, .pskHintOnly, .unknown]
        if let exchange = try? ServerKeyExchange.parse(body, kind: kinds[Int(variant) % kinds.count],
                                                       pskHint: variant & 0x80 != 0) {
            used &+= (exchange.dhPrimeBits ?? 0) &+ (exchange.rsaModulusBits ?? 0) &+ Int(exchange.namedGroup ?? 0)
        }
    case HandshakeType.certificateStatus:
        used &+= exerciseCertificateStatus(body)
    case HandshakeType.newSessionTicket:
        if let ticket = try? NewSessionTicket.parse(body) { used &+= Int(ticket.lifetimeHint & 0xff) }
    default:
        break
    }
    return used
}

/// Both X.509 entry points over one DER blob.
public func exerciseCertificate(_ der: [UInt8]) -> Int {
    let summary = X509Summarizer.summarize(der: der)
    var used = (summary.subject?.utf8.count ?? 0) &+ (summary.issuer?.utf8.count ?? 0)
    used &+= (summary.serial?.utf8.count ?? 0) &+ (summary.notAfter?.utf8.count ?? 0) &+ (summary.keyBits ?? 0)
    used &+= summary.subjectAlternativeNames.count &+ summary.commonNames.count &+ summary.sha256.utf8.count
    used &+= X509Summarizer.distinguishedName(der: der)?.utf8.count ?? 0
    if let scts = summary.signedCertificateTimestamps { used &+= exerciseSCTList(scts) }
    return used
}
