import TLSDumpTLS

/// A CertificateStatus body (TLS 1.2 message 22, or a TLS 1.3
/// CertificateEntry's status_request), then each response in it.
public func exerciseCertificateStatus(_ body: UnsafeRawBufferPointer, identity: OCSPCertificateIdentity? = nil) -> Int {
    guard let message = try? CertificateStatusMessage.parse(body) else { return 0 }
    fuzzCheck(message.responses.count <= CertificateStatusMessage.maxResponses, "responses over the cap")
    fuzzCheck(message.responseCount >= message.responses.count, "fewer responses counted than kept")
    var used = message.responseCount
    for der in message.responses { used &+= exerciseOCSPResponse(der, identity: identity) }
    return used
}

/// One DER OCSPResponse, every value it yields used; with an identity, the CertID check.
public func exerciseOCSPResponse(_ der: [UInt8], identity: OCSPCertificateIdentity? = nil) -> Int {
    guard let response = try? OCSPResponse.parse(der: der) else { return 0 }
    var used = response.status.name.utf8.count &+ (response.otherResponseType?.utf8.count ?? 0)
    guard let basic = response.basic else {
        fuzzCheck(response.status != .successful || response.otherResponseType != nil, "a successful basic response without its body")
        return used
    }
    fuzzCheck(basic.responses.count <= BasicOCSPResponse.maxResponses, "single responses over the cap")
    fuzzCheck(basic.responseCount >= basic.responses.count, "fewer single responses counted than kept")
    switch basic.responder {
    case .name(let name): used &+= name.utf8.count
    case .keyHash(let hash): used &+= hash.utf8.count
    }
    used &+= basic.producedAt.rfc3339.utf8.count &+ basic.signatureAlgorithm.utf8.count &+ basic.certificateCount
    for single in basic.responses {
        used &+= single.certID.serial.utf8.count &+ single.certID.hashAlgorithm.name.utf8.count
        used &+= single.certID.issuerNameHash.count &+ single.certID.issuerKeyHash.count
        used &+= single.status.name.utf8.count &+ single.thisUpdate.rfc3339.utf8.count &+ (single.nextUpdate?.rfc3339.utf8.count ?? 0)
        if case .revoked(let time, let reason) = single.status { used &+= time.rfc3339.utf8.count &+ (reason?.name.utf8.count ?? 0) }
        if let scts = single.signedCertificateTimestamps { used &+= exerciseSCTList(scts) }
        if let identity { used &+= exerciseMatch(identity.check(single.certID)) }
    }
    used &+= response.singleResponse(forSerial: identity?.serial)?.certID.serial.utf8.count ?? 0
    return used
}

/// An SCT list's entries; the invariants of its caps.
public func exerciseSCTList(_ list: SignedCertificateTimestampList) -> Int {
    fuzzCheck(list.entries.count <= SignedCertificateTimestampList.maxEntries, "SCTs over the cap")
    fuzzCheck(list.count >= list.entries.count, "fewer SCTs counted than kept")
    var used = list.count
    for sct in list.entries {
        fuzzCheck(sct.version != 0 || sct.logID.count == 32, "a v1 SCT without a 32-byte log id")
        used &+= (sct.logIDBase64?.utf8.count ?? 0) &+ (sct.timestampText?.utf8.count ?? 0)
    }
    return used
}

/// A CertID comparison's verdict agrees with its parts, and names each part once.
public func exerciseMatch(_ match: OCSPMatch) -> Int {
    let parts = match.matched + match.mismatched + match.unchecked
    fuzzCheck(parts.count == 3 && Set(parts.map(\.rawValue)).count == 3, "a CertID part compared twice or not at all: \(parts)")
    switch match.verdict {
    case .mismatch: fuzzCheck(!match.mismatched.isEmpty, "mismatch without a differing part")
    case .match: fuzzCheck(match.mismatched.isEmpty && match.unchecked.isEmpty, "match with parts not equal")
    case .partial: fuzzCheck(match.mismatched.isEmpty && !match.unchecked.isEmpty, "partial with a differing part, or nothing unchecked")
    case .unchecked: fuzzCheck(match.matched.isEmpty && match.mismatched.isEmpty, "unchecked with compared parts")
    }
    return parts.count &+ (match.reason?.utf8.count ?? 0)
}
