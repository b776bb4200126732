import TLSDumpBase
import TLSDumpTLS
import TLSDumpTrust

/// Stapled revocation and transparency data: the OCSP response (TLS 1.2
/// CertificateStatus, TLS 1.3 CertificateEntry) and SCTs (certificate
/// extension, TLS extension, OCSP extension).
extension TLSSession {
    var stapledData: StapledData {
        if let stapled { return stapled }
        let created = StapledData()
        stapled = created
        return created
    }

    /// A server Certificate message, read: the leaf's embedded SCTs, and what
    /// TLS 1.3 staples in its CertificateEntry. TLS 1.2 keeps the CertID inputs
    /// for the CertificateStatus that follows when the client asked for one.
    func serverCertificateStapling(_ message: CertificateMessage, leaf: CertificateSummary?, origin: RecordOrigin) {
        guard let leafDER = message.certificates.first else { return }
        if let embedded = leaf?.signedCertificateTimestamps { stapledData.scts.add(embedded, from: .certificate) }
        if let list = message.leafSCTList { sctExtension(list, where: "CertificateEntry") }
        if let status = message.leafStatus {
            let identity = OCSPCertificateIdentity.make(leaf: leafDER, chain: message.certificates.dropFirst())
            status.withUnsafeBytes { certificateStatus($0, source: .certificateEntry, identity: identity, origin: origin) }
        } else if stapled?.statusPromised == true || current?.version == nil {
            // No ServerHello seen (the capture started mid-handshake): a status may follow too.
            stapledData.pendingIdentity = OCSPCertificateIdentity.make(leaf: leafDER, chain: message.certificates.dropFirst())
        }
    }

    /// An SCT list from a TLS extension (ServerHello, EncryptedExtensions, CertificateEntry).
    func sctExtension(_ body: [UInt8], where message: String) {
        do throws(ParseError) {
            stapledData.scts.add(try SignedCertificateTimestampList.parse(body), from: .tlsExtension)
        } catch {
            malformed("\(message) signed_certificate_timestamp", side: .server, error)
        }
    }

    /// TLS 1.2: the ServerHello said whether a CertificateStatus will come (an empty status_request).
    func serverHelloStapling(_ hello: ServerHello) {
        if hello.extensionTypes.contains(ExtensionType.statusRequest) && !ProtocolVersion.isTLS13Family(hello.negotiatedVersion) {
            stapledData.statusPromised = true
        }
        if let list = hello.signedCertificateTimestamps { sctExtension(list, where: "ServerHello") }
    }

    /// TLS 1.2: handshake message 22.
    func certificateStatusMessage(_ message: HandshakeMessage, origin: RecordOrigin) {
        let identity = stapled?.pendingIdentity
        stapled?.pendingIdentity = nil
        certificateStatus(message.body, source: .certificateStatus, identity: identity, origin: origin)
    }

    /// A CertificateStatus structure: the leaf's OCSP response is read and judged.
    private func certificateStatus(_ body: UnsafeRawBufferPointer, source: OCSPReport.Source,
                                   identity: OCSPCertificateIdentity?, origin: RecordOrigin) {
        let status: CertificateStatusMessage
        do throws(ParseError) {
            status = try CertificateStatusMessage.parse(body)
        } catch {
            malformed("CertificateStatus", side: .server, error)
            return
        }
        // One response per connection is reported: the first (for the certificate the summary shows).
        guard stapled?.ocsp == nil else { return }
        let handshake = currentIndex ?? 0
        var report = OCSPReport(handshake: handshake, source: source, encrypted: origin.wasEncrypted, statusType: status.statusType,
                                responseStatus: nil, responder: nil, producedAt: nil, signatureAlgorithm: nil, responseCount: 0,
                                single: nil, match: .unchecked("no response was read"), certificateSerial: identity?.serial,
                                stale: false, problem: nil)
        defer {
            stapledData.ocsp = report
            observe(.stapledOCSP(report, subject: serverCertificate?.value.subject, at: now))
            // The server's own response says revoked: the chain's status too (OCSPRule raised cert.revoked).
            if report.match.verdict != .mismatch, case .revoked(let time, let reason)? = report.single?.status {
                serverRevocationSeen(.revoked(reason: reason?.name, time: time.rfc3339), raise: false)
            }
        }
        guard let der = status.responses.first, !der.isEmpty else {
            report.problem = "the CertificateStatus carries no response for the server certificate"
            return
        }
        let response: OCSPResponse
        do throws(ParseError) {
            response = try OCSPResponse.parse(der: der)
        } catch {
            report.problem = "the OCSP response does not parse: \(error.text)"
            malformed("OCSP response", side: .server, error)
            return
        }
        report.responseStatus = response.status
        guard let basic = response.basic else {
            report.problem = response.status == .successful
                ? "the response is of type \(response.otherResponseType ?? "?"), not a basic OCSP response"
                : "the responder did not answer (\(response.status.name))"
            return
        }
        report.responder = basic.responder
        report.producedAt = basic.producedAt
        report.signatureAlgorithm = basic.signatureAlgorithm
        report.responseCount = basic.responseCount
        guard let single = response.singleResponse(forSerial: identity?.serial ?? serverCertificate?.value.serial) else {
            report.problem = "the response lists no certificate"
            return
        }
        report.single = single
        if let identity {
            report.match = identity.check(single.certID)
        } else {
            report.match = .unchecked(serverCertificate == nil ? "no server certificate was seen"
                                                               : "the server certificate's serial and issuer could not be read")
        }
        if let next = single.nextUpdate { report.stale = next.epochSeconds < now.seconds }
        if let scts = single.signedCertificateTimestamps { stapledData.scts.add(scts, from: .ocsp) }
    }
}

extension ParseError {
    /// The error as a short phrase.
    var text: String {
        switch self {
        case .malformed(let message): message
        case .needMoreBytes: "truncated"
        }
    }
}
