import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS
import TLSDumpTrust

/// `--format json`: one object per line, the contract in docs/events.md.
/// Bytes are written straight into a reused buffer (no JSONEncoder). In a
/// sharded run (`--threads`) each worker encodes its own events with a
/// renderer of this writer and the output thread only copies the bytes.
public final class JSONEventWriter: RenderingEventSink {
    private let output: OutputStream
    private var json = JSONWriter(reservingCapacity: 1 << 14)
    public var filter: EventFilter
    public private(set) var written = 0

    public init(output: OutputStream, filter: EventFilter = EventFilter()) {
        self.output = output
        self.filter = filter
    }

    public var wantsTrace: Bool { false }
    public var wantedEvents: EventKinds { filter.wantedEvents }

    public func emit(_ event: Event) {
        if case .trace = event.body { return }
        guard filter.admit(event) else { return }
        json.removeAll()
        JSONEventWriter.encode(event, into: &json)
        json.endLine()
        json.withBytes { output.write($0) }
        written += 1
    }

    /// A flow lives on one worker from start to end, so each renderer's copy
    /// of the filter (with `--sni`'s per-flow memory) sees all of its flows' events.
    public func makeRenderer() -> EventRenderer? { JSONLineRenderer(filter: filter) }

    public func emit(_ event: Event?, rendered: UnsafeRawBufferPointer) {
        guard !rendered.isEmpty else { return }
        output.write(rendered)
        written += 1
    }

    public static func encode(_ event: Event, into w: inout JSONWriter) {
        w.beginObject()
        w.key("schema"); w.int(1)
        w.key("type"); w.string(event.body.typeName)
        w.key("ts"); w.timestamp(event.timestamp)
        if let flow = event.flow {
            w.key("flow"); w.string(flow.flowID)
            w.key("community_id"); w.string(flow.communityID)
            w.key("client"); endpoint(address: flow.clientAddress, port: flow.client.port, &w)
            w.key("server"); endpoint(address: flow.serverAddress, port: flow.server.port, &w)
        }
        switch event.body {
        case .clientHello(let e): clientHello(e, &w)
        case .serverHello(let e): serverHello(e, &w)
        case .certificate(let e):
            w.key("handshake"); w.int(e.handshake)
            w.key("encrypted"); w.bool(e.encrypted)
            w.key("decrypted"); w.bool(e.decrypted)
            w.key("sender"); w.string(e.sender.rawValue)
            w.key("chain"); w.beginArray()
            for cert in e.chain { certificate(cert, &w) }
            w.endArray()
            // Only on chains that came in a CompressedCertificate (RFC 8879).
            if let compression = e.compression { w.key("compression"); certificateCompression(compression, &w) }
        case .certificateRequest(let e): certificateRequest(e, &w)
        case .helloRequest(let e):
            w.key("handshake"); w.int(e.handshake)
            w.key("encrypted"); w.bool(e.encrypted)
            w.key("inferred"); w.bool(e.inferred)
        case .handshakeDone(let e):
            w.key("handshake"); w.int(e.handshake)
            w.key("version"); w.string(e.version.map(Naming.version))
            w.key("cipher_suite"); cipherSuite(e.cipherSuite, &w)
            w.key("resumed"); w.bool(e.resumed)
            w.key("ms"); w.double(e.milliseconds)
            w.key("bytes"); sidePair(e.bytes, &w)
            w.key("client_authenticated"); w.bool(e.clientAuthenticated)
            w.key("key_exchange"); keyExchange(e.keyExchange, &w)
        case .renegotiation(let e):
            w.key("handshake"); w.int(e.handshake)
            w.key("initiator"); w.string(e.initiator)
            w.key("evidence"); w.string(e.evidence)
            w.key("encrypted"); w.bool(e.encrypted)
            w.key("secure"); w.bool(e.secure)
            w.key("outcome"); w.string(e.outcome.rawValue)
            w.key("inferred"); w.bool(e.inferred)
            if let side = e.endedBy { w.key("ended_by"); w.string(side.rawValue) }
            if let reason = e.endReason { w.key("end_reason"); w.string(reason) }
        case .alert(let e):
            w.key("sender"); w.string(e.sender.rawValue)
            w.key("encrypted"); w.bool(e.encrypted)
            w.key("level"); w.string(e.level.map(Naming.alertLevel))
            w.key("description"); w.string(e.description.map(Naming.alertDescription))
            w.key("handshake"); w.int(e.handshake)
        case .finding(let f): finding(f, &w)
        case .connection(let c): connection(c, &w)
        case .stats(let s): stats(s, &w)
        case .keyUpdate(let e):
            w.key("sender"); w.string(e.sender.rawValue)
            w.key("update_requested"); w.bool(e.updateRequested)
            w.key("encrypted"); w.bool(true)
            w.key("decrypted"); w.bool(true)
        case .trace:
            break
        }
        w.endObject()
    }

    static func endpoint(address: String, port: UInt16, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("ip"); w.string(address)
        w.key("port"); w.int(Int(port))
        w.endObject()
    }

    static func sidePair(_ p: SidePair<Int>, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("client"); w.int(p.client)
        w.key("server"); w.int(p.server)
        w.endObject()
    }

    static func cipherSuite(_ code: UInt16?, _ w: inout JSONWriter) {
        guard let code else { w.null(); return }
        // Registered suites and GREASE: the whole object was rendered once.
        if JSONFragments.cipherSuiteObjects.write(UInt32(code), into: &w) { return }
        w.beginObject()
        w.key("code"); w.hexCode(UInt64(code), digits: 4)
        w.key("name"); w.string(TLSRegistry.isGREASE(code) ? "GREASE" : Naming.cipherSuiteName(code))
        w.endObject()
    }

    static func sslv2CipherKind(_ kind: UInt32, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("code"); w.hexCode(UInt64(kind), digits: 6)
        w.key("name"); w.string(TLSRegistry.sslv2CipherKindName(kind))
        w.endObject()
    }

    static func stringArray(_ values: [String], _ w: inout JSONWriter) {
        w.beginArray()
        for v in values { w.string(v) }
        w.endArray()
    }

    static func clientHello(_ e: ClientHelloEvent, _ w: inout JSONWriter) {
        let h = e.hello
        w.key("handshake"); w.int(e.handshake)
        w.key("encrypted"); w.bool(e.encrypted)
        w.key("decrypted"); w.bool(e.decrypted)
        w.key("version"); w.string(Naming.version(h.legacyVersion))
        w.key("supported_versions"); w.beginArray()
        for v in h.supportedVersions { w.string(TLSRegistry.isGREASE(v) ? "GREASE" : Naming.version(v)) }
        w.endArray()
        w.key("cipher_suites"); w.beginArray()
        if h.isSSLv2 {
            for kind in h.sslv2CipherKinds {
                if kind >> 16 == 0 { cipherSuite(UInt16(truncatingIfNeeded: kind), &w) } else { sslv2CipherKind(kind, &w) }
            }
        } else {
            for code in h.cipherSuites { cipherSuite(code, &w) }
        }
        w.endArray()
        w.key("compression"); compressionArray(h.compressionMethods, &w)
        w.key("extensions"); extensionArray(h.extensionTypes, &w)
        w.key("sni"); w.string(h.serverName)
        w.key("alpn"); w.beginArray()
        for protocolName in h.alpn { w.string(Naming.alpn(protocolName)) }
        w.endArray()
        w.key("supported_groups"); w.beginArray()
        let groups = JSONFragments.groupNames
        for group in h.supportedGroups where !groups.write(UInt32(group), into: &w) { w.string(Naming.groupName(group)) }
        w.endArray()
        w.key("signature_algorithms"); signatureSchemeArray(h.signatureAlgorithms, &w)
        w.key("secure_renegotiation"); w.bool(h.offersSecureRenegotiation)
        w.key("session_id"); sessionID(h.sessionID, &w)
        w.key("ja3"); w.string(e.ja3)
        w.key("ja3_string"); w.string(e.ja3String)
        w.key("ja4"); w.string(e.ja4)
        // The raw JA4 (ja4_r: sorted lists in clear), for near matches of a client catalogue.
        if e.ja4 != nil {
            w.key("ja4_r"); w.string(Fingerprints.ja4Raw(h, transport: e.ja4?.hasPrefix("q") == true ? .quic : .tcp))
        }
        w.key("sslv2_format"); w.bool(h.isSSLv2)
        w.key("key_shares"); w.beginArray()
        for share in h.keyShares {
            w.beginObject()
            w.key("group"); w.string(Naming.groupName(share.group))
            w.key("length"); w.int(share.length)
            w.key("post_quantum"); w.bool(NamedGroupKind.isPostQuantum(share.group))
            w.endObject()
        }
        w.endArray()
        w.key("offered_post_quantum"); w.bool(h.keyShareGroups.contains(where: NamedGroupKind.isPostQuantum)
                                              || h.supportedGroups.contains(where: NamedGroupKind.isPostQuantum))
        w.key("ech"); echOffer(h, &w)
        // RFC 8879 compress_certificate, only when the client sent it.
        if h.extensionTypes.contains(ExtensionType.compressCertificate) {
            w.key("compress_certificate")
            stringArray(h.certificateCompressionAlgorithms.map(CertificateCompressionAlgorithm.displayName), &w)
        }
    }

    /// The ClientHello's encrypted_client_hello extension as seen (null when absent).
    static func echOffer(_ h: ClientHello, _ w: inout JSONWriter) {
        guard h.ech != nil || h.echMalformed else { w.null(); return }
        w.beginObject()
        w.key("outer_sni"); w.string(h.serverName)
        echForm(h.ech, &w)
        w.endObject()
    }

    /// The members an ECH offer's form fills (inside an open object).
    static func echForm(_ ech: ECHClientHello?, _ w: inout JSONWriter) {
        guard let ech else {
            w.key("type"); w.string("malformed")
            return
        }
        switch ech.form {
        case .outer(let kdf, let aead, let configID, let encLength, let payloadLength):
            w.key("type"); w.string("outer")
            w.key("config_id"); w.int(Int(configID))
            w.key("kdf"); w.string(HPKENames.kdf(kdf) ?? hexNumber(kdf, digits: 4))
            w.key("aead"); w.string(HPKENames.aead(aead) ?? hexNumber(aead, digits: 4))
            w.key("enc_length"); w.int(encLength)
            w.key("payload_length"); w.int(payloadLength)
        case .inner:
            w.key("type"); w.string("inner")
        case .unknown(let type):
            w.key("type"); w.string("unknown_\(type)")
        }
    }

    static func echSummary(_ e: ECHSummary, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("offered"); w.bool(true)
        w.key("outer_sni"); w.string(e.outerSNI)
        echForm(e.offer, &w)
        w.key("outcome"); w.string(e.outcome.rawValue)
        if let reason = e.reason { w.key("reason"); w.string(reason) }
        w.key("hello_retry_extension"); w.bool(e.helloRetryExtension)
        w.key("retry_configs")
        if let configs = e.retryConfigs {
            w.beginArray()
            for c in configs {
                w.beginObject()
                w.key("version"); w.hexCode(UInt64(c.version), digits: 4)
                w.key("config_id"); w.int(c.configID.map(Int.init))
                w.key("kem"); w.string(c.kemID.map { HPKENames.kem($0) ?? hexNumber($0, digits: 4) })
                w.key("public_name"); w.string(c.publicName)
                w.key("cipher_suites"); w.beginArray()
                for s in c.cipherSuites {
                    w.string((HPKENames.kdf(s.kdf) ?? hexNumber(s.kdf, digits: 4)) + "/" + (HPKENames.aead(s.aead) ?? hexNumber(s.aead, digits: 4)))
                }
                w.endArray()
                w.endObject()
            }
            w.endArray()
            if e.retryConfigsDropped > 0 { w.key("retry_configs_dropped"); w.int(e.retryConfigsDropped) }
        } else {
            w.null()
        }
        w.endObject()
    }

    static func keyExchange(_ k: KeyExchangeSummary?, _ w: inout JSONWriter) {
        guard let k else { w.null(); return }
        w.beginObject()
        w.key("method"); w.string(k.method?.rawValue)
        w.key("group"); w.string(k.group.map(Naming.groupName))
        w.key("post_quantum"); w.bool(k.postQuantum)
        if let bits = k.dhPrimeBits { w.key("dh_bits"); w.int(bits) }
        if let prime = k.dhPrime { w.key("dh_prime"); w.string(prime) }
        w.key("hello_retry_forced"); w.string(k.helloRetryGroup.map(Naming.groupName))
        w.key("offered_post_quantum"); w.bool(k.offeredPostQuantum)
        w.key("offered_key_shares")
        if k.clientHelloSeen { stringArray(k.offeredKeyShares.map(Naming.groupName), &w) } else { w.null() }
        if k.offeredKeySharesTruncated { w.key("offered_key_shares_truncated"); w.bool(true) }
        if let reason = k.unknownReason { w.key("unknown"); w.string(reason) }
        w.endObject()
    }

    static func certificateCompression(_ c: CertificateCompressionInfo, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("algorithm"); w.string(CertificateCompressionAlgorithm.displayName(c.algorithm))
        w.key("compressed_length"); w.int(c.compressedLength)
        w.key("uncompressed_length"); w.int(c.uncompressedLength)
        w.endObject()
    }

    /// Extension names (GREASE as "GREASE", unknown as "unknown_N"), from pre-rendered bytes.
    static func extensionArray(_ types: [UInt16], _ w: inout JSONWriter) {
        w.beginArray()
        let names = JSONFragments.extensionNames
        for type in types where !names.write(UInt32(type), into: &w) { w.string(Naming.extensionName(type)) }
        w.endArray()
    }

    static func signatureSchemeArray(_ schemes: [UInt16], _ w: inout JSONWriter) {
        w.beginArray()
        let names = JSONFragments.signatureSchemeNames
        for scheme in schemes where !names.write(UInt32(scheme), into: &w) { w.string(Naming.signatureSchemeName(scheme)) }
        w.endArray()
    }

    static func compressionArray(_ methods: [UInt8], _ w: inout JSONWriter) {
        w.beginArray()
        for method in methods { compression(method, &w) }
        w.endArray()
    }

    static func compression(_ method: UInt8, _ w: inout JSONWriter) {
        if let name = TLSRegistry.compressionMethodName(method) { w.string(name) } else { w.string(String(method)) }
    }

    /// Lower-case hex, or null when empty.
    static func sessionID(_ id: [UInt8], _ w: inout JSONWriter) {
        if id.isEmpty { w.null() } else { w.hex(id) }
    }

    static func serverHello(_ e: ServerHelloEvent, _ w: inout JSONWriter) {
        let h = e.hello
        w.key("handshake"); w.int(e.handshake)
        w.key("encrypted"); w.bool(e.encrypted)
        w.key("decrypted"); w.bool(e.decrypted)
        w.key("version"); w.string(Naming.version(h.negotiatedVersion))
        w.key("cipher_suite")
        if h.isSSLv2 {
            // SSL 2.0: the client picks the cipher later (CLIENT-MASTER-KEY).
            w.null()
        } else {
            cipherSuite(h.cipherSuite, &w)
        }
        w.key("compression"); compression(h.compressionMethod, &w)
        w.key("extensions"); extensionArray(h.extensionTypes, &w)
        w.key("alpn"); w.string(h.alpn.map(Naming.alpn))
        w.key("secure_renegotiation"); w.bool(h.hasRenegotiationInfo)
        w.key("resumed"); w.bool(e.resumed)
        w.key("hello_retry"); w.bool(h.isHelloRetryRequest)
        w.key("ja3s"); w.string(e.ja3s)
        w.key("ja3s_string"); w.string(e.ja3sString)
        w.key("ja4s"); w.string(e.ja4s)
        w.key("legacy_version"); w.string(Naming.version(h.legacyVersion))
        w.key("session_id"); sessionID(h.sessionID, &w)
        // The key_share's group: chosen, or (hello_retry) demanded.
        w.key("key_share_group"); w.string(h.keyShareGroup.map(Naming.groupName))
        w.key("post_quantum"); w.bool(h.keyShareGroup.map(NamedGroupKind.isPostQuantum))
        w.key("hello_retry_forced"); w.string(e.helloRetryGroup.map(Naming.groupName))
    }

    static func certificate(_ c: CertificateSummary, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("subject"); w.string(c.subject)
        w.key("issuer"); w.string(c.issuer)
        w.key("serial"); w.string(c.serial)
        w.key("not_before"); w.string(c.notBefore)
        w.key("not_after"); w.string(c.notAfter)
        w.key("key_type"); w.string(c.keyType)
        w.key("key_bits"); w.int(c.keyBits)
        w.key("signature_algorithm"); w.string(c.signatureAlgorithm)
        w.key("san"); stringArray(c.subjectAlternativeNames, &w)
        if c.omittedAlternativeNames > 0 { w.key("san_omitted"); w.int(c.omittedAlternativeNames) }
        w.key("sha256"); w.string(c.sha256)
        w.key("sha1"); w.string(c.sha1)
        if let error = c.parseError { w.key("parse_error"); w.string(error) }
        w.endObject()
    }

    static func certificateRequest(_ e: CertificateRequestEvent, _ w: inout JSONWriter) {
        w.key("handshake"); w.int(e.handshake)
        w.key("encrypted"); w.bool(e.encrypted)
        w.key("decrypted"); w.bool(e.decrypted)
        w.key("inferred"); w.bool(e.inferred)
        w.key("phase"); w.string(e.phase.rawValue)
        w.key("after_application_data"); w.bool(e.afterApplicationData)
        w.key("application_bytes_before"); sidePair(e.applicationBytesBefore, &w)
        w.key("ms_since_connection_start"); w.double(e.msSinceConnectionStart)
        w.key("certificate_types")
        if let types = e.certificateTypes { stringArray(types.map { TLSRegistry.clientCertificateTypeName($0) ?? String($0) }, &w) } else { w.null() }
        w.key("signature_algorithms")
        if let algs = e.signatureAlgorithms { signatureSchemeArray(algs, &w) } else { w.null() }
        w.key("ca_names")
        if let names = e.caNames { stringArray(names, &w) } else { w.null() }
    }

    static func finding(_ f: Finding, _ w: inout JSONWriter) {
        w.key("id"); w.string(f.id.rawValue)
        w.key("severity"); w.string(f.severity.name)
        w.key("message"); w.string(f.message)
        w.key("handshake"); w.int(f.handshake)
        w.key("evidence"); w.beginObject()
        for (key, value) in f.evidence.fields {
            w.dynamicKey(key)
            switch value {
            case .string(let s): w.string(s)
            case .int(let i): w.int(i)
            case .double(let d): w.double(d)
            case .bool(let b): w.bool(b)
            case .strings(let list): stringArray(list, &w)
            case .null: w.null()
            }
        }
        w.endObject()
    }

    static func recordCounts(_ r: RecordCounts, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("handshake"); w.int(r.handshake)
        w.key("change_cipher_spec"); w.int(r.changeCipherSpec)
        w.key("alert"); w.int(r.alert)
        w.key("application_data"); w.int(r.applicationData)
        w.key("heartbeat"); w.int(r.heartbeat)
        if r.sslv2 > 0 { w.key("sslv2"); w.int(r.sslv2) }
        w.endObject()
    }

    static func connection(_ c: ConnectionSummary, _ w: inout JSONWriter) {
        w.key("start"); w.timestamp(c.start)
        w.key("end"); w.timestamp(c.end)
        w.key("duration_ms"); w.double(c.end.milliseconds(since: c.start))
        w.key("version"); w.string(c.version.map(Naming.version))
        w.key("cipher_suite")
        if c.sslv2, let kind = c.sslv2CipherKind { sslv2CipherKind(kind, &w) } else { cipherSuite(c.cipherSuite, &w) }
        w.key("sni"); w.string(c.sni)
        w.key("alpn"); w.string(c.alpn.map(Naming.alpn))
        w.key("established"); w.bool(c.established)
        w.key("resumed"); w.bool(c.resumed)
        w.key("server_certificate")
        if let cert = c.serverCertificate { certificate(cert, &w) } else { w.null() }
        w.key("client_certificate")
        if let cert = c.clientCertificate { certificate(cert, &w) } else { w.null() }
        w.key("validation")
        if let v = c.validation { chainValidation(v, &w) } else { w.null() }
        if let v = c.clientValidation { w.key("client_validation"); chainValidation(v, &w) }
        if let compression = c.serverCertificateCompression { w.key("server_certificate_compression"); certificateCompression(compression, &w) }
        if let compression = c.clientCertificateCompression { w.key("client_certificate_compression"); certificateCompression(compression, &w) }
        w.key("secure_renegotiation"); w.bool(c.secureRenegotiation)
        w.key("renegotiations"); w.int(c.renegotiations)
        w.key("certificate_request"); w.string(c.certificateRequest)
        if c.certificateRequestInferred { w.key("certificate_request_inferred"); w.bool(true) }
        w.key("client_authenticated"); w.bool(c.clientAuthenticated)
        if c.clientAuthenticatedInferred { w.key("client_authenticated_inferred"); w.bool(true) }
        w.key("handshakes"); w.beginArray()
        for h in c.handshakes {
            w.beginObject()
            w.key("index"); w.int(h.index)
            w.key("initiator"); w.string(h.initiator?.rawValue)
            w.key("outcome"); w.string(h.outcome.rawValue)
            w.key("ended_by"); w.string(h.endedBy?.rawValue)
            w.key("end_reason"); w.string(h.endReason)
            if h.endedAfterFinished != nil { w.key("failed_after_finished"); w.bool(true) }
            w.key("encrypted"); w.bool(h.encrypted)
            w.key("decrypted"); w.bool(h.decrypted)
            // Only where they say something: a renegotiation read from ciphertext,
            // and what decryption said of the size inference.
            if h.index > 0 && h.inferred { w.key("inferred"); w.bool(true) }
            if let check = h.inferenceCheck { w.key("size_inference"); w.string(check.rawValue) }
            w.key("key_exchange"); keyExchange(h.keyExchange, &w)
            w.key("messages"); w.beginArray()
            for m in h.messages {
                w.beginObject()
                w.key("sender"); w.string(m.sender.rawValue)
                w.key("type"); w.string(m.type)
                w.key("length"); w.int(m.length)
                w.key("encrypted"); w.bool(m.encrypted)
                w.key("decrypted"); w.bool(m.decrypted)
                w.key("inferred"); w.bool(m.inferred)
                w.endObject()
            }
            w.endArray()
            if h.messagesDropped > 0 { w.key("messages_dropped"); w.int(h.messagesDropped) }
            w.endObject()
        }
        w.endArray()
        w.key("records"); w.beginObject()
        w.key("client"); recordCounts(c.records.client, &w)
        w.key("server"); recordCounts(c.records.server, &w)
        w.endObject()
        w.key("alerts"); w.beginArray()
        for a in c.alerts {
            w.beginObject()
            w.key("sender"); w.string(a.sender.rawValue)
            w.key("level"); w.string(a.level.map(Naming.alertLevel))
            w.key("description"); w.string(a.description.map(Naming.alertDescription))
            w.key("encrypted"); w.bool(a.encrypted)
            w.endObject()
        }
        w.endArray()
        w.key("findings"); w.beginArray()
        for id in c.findingIDs { w.string(id.rawValue) }
        w.endArray()
        w.key("ja3"); w.string(c.ja3)
        w.key("ja3s"); w.string(c.ja3s)
        w.key("ja4"); w.string(c.ja4)
        w.key("ja4s"); w.string(c.ja4s)
        w.key("bytes"); sidePair(c.bytes, &w)
        w.key("gaps"); w.int(c.gaps)
        w.key("decrypted"); w.bool(c.decrypted)
        if let note = c.decryptionNote { w.key("decryption_note"); w.string(note) }
        w.key("close"); w.string(c.close.rawValue)
        if c.evicted { w.key("evicted"); w.bool(true) }
        if let ocsp = c.ocsp { w.key("ocsp"); ocspReport(ocsp, &w) }
        if let sct = c.sct { w.key("sct"); sctReport(sct, &w) }
        w.key("transport"); w.string(c.transport)
        w.key("starttls"); w.string(c.starttls)
        if let plaintext = c.plaintextBytes { w.key("plaintext_bytes"); sidePair(plaintext, &w) }
        w.key("key_exchange"); keyExchange(c.keyExchange, &w)
        w.key("ech")
        if let ech = c.ech { echSummary(ech, &w) } else { w.null() }
        if let quic = c.quic { w.key("quic"); quicSummary(quic, &w) }
        w.key("client_software")
        if let client = c.clientSoftware { clientSoftware(client, &w) } else { w.null() }
        var clientUnknown: String?
        if c.clientSoftware == nil, case .unknown(let reason) = ClientCatalogue.identify(ja4: c.ja4) { clientUnknown = reason }
        if !c.unknownReasons.isEmpty || clientUnknown != nil {
            w.key("unknown"); w.beginObject()
            for (field, reason) in c.unknownReasons { w.dynamicKey(field); w.string(reason) }
            if let clientUnknown { w.key("client_software"); w.string(clientUnknown) }
            w.endObject()
        }
    }

    /// `connection.client_software`: who the client is, from the measured catalogue.
    static func clientSoftware(_ s: ClientSoftware, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("name"); w.string(s.name)
        w.key("version"); w.string(s.version)
        w.key("library"); w.string(s.library)
        w.key("basis"); w.string(s.basis.rawValue)
        if !s.traits.isEmpty {
            w.key("traits"); w.beginArray()
            for trait in s.traits { w.string(trait) }
            w.endArray()
        }
        w.key("candidates"); w.beginArray()
        for stack in s.candidates {
            w.beginObject()
            w.key("id"); w.string(stack.id)
            w.key("name"); w.string(stack.name)
            w.key("version"); w.string(stack.version)
            w.key("library"); w.string(stack.library)
            w.key("measured"); w.beginObject()
            for m in stack.measured { w.dynamicKey(m.scenario); w.string(m.outcome) }
            w.endObject()
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// `connection.ocsp`: the stapled response and its verdict (docs/events.md).
    static func ocspReport(_ o: OCSPReport, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("handshake"); w.int(o.handshake)
        w.key("source"); w.string(o.source.rawValue)
        w.key("encrypted"); w.bool(o.encrypted)
        if o.statusType == CertificateStatusMessage.ocspMulti { w.key("status_type"); w.string("ocsp_multi") }
        w.key("status"); w.string(o.status?.name)
        if let problem = o.problem { w.key("problem"); w.string(problem) }
        w.key("response_status"); w.string(o.responseStatus?.name)
        w.key("produced_at"); w.string(o.producedAt?.rfc3339)
        w.key("this_update"); w.string(o.single?.thisUpdate.rfc3339)
        w.key("next_update"); w.string(o.single?.nextUpdate?.rfc3339)
        w.key("stale"); w.bool(o.stale)
        switch o.responder {
        case .name(let name)?:
            w.key("responder"); w.string(name)
        case .keyHash(let hash)?:
            w.key("responder"); w.null()
            w.key("responder_key_hash"); w.string(hash)
        case nil:
            w.key("responder"); w.null()
        }
        if case .revoked(let time, let reason)? = o.status {
            w.key("revocation_time"); w.string(time.rfc3339)
            w.key("revocation_reason"); w.string(reason?.name)
        }
        w.key("serial"); w.string(o.single?.certID.serial)
        w.key("hash_algorithm"); w.string(o.single?.certID.hashAlgorithm.name)
        w.key("match"); w.string(o.match.verdict.rawValue)
        w.key("matched"); stringArray(o.match.matched.map(\.rawValue), &w)
        w.key("mismatched"); stringArray(o.match.mismatched.map(\.rawValue), &w)
        w.key("unchecked"); stringArray(o.match.unchecked.map(\.rawValue), &w)
        if let reason = o.match.reason { w.key("match_note"); w.string(reason) }
        w.key("responses"); w.int(o.responseCount)
        w.key("signature_algorithm"); w.string(o.signatureAlgorithm)
        w.endObject()
    }

    /// `connection.sct`: the server certificate's SCTs, log ids in base64.
    static func sctReport(_ r: SCTReport, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("count"); w.int(r.count)
        w.key("sources"); stringArray(r.sources.map(\.rawValue), &w)
        w.key("entries"); w.beginArray()
        for entry in r.entries {
            w.beginObject()
            w.key("source"); w.string(entry.source.rawValue)
            w.key("version"); w.string("v" + String(Int(entry.sct.version) + 1))
            w.key("log_id"); w.string(entry.sct.logIDBase64)
            w.key("timestamp"); w.string(entry.sct.timestampText)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// The `validation` object (docs/events.md).
    static func chainValidation(_ v: ChainValidation, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("status"); w.string(v.status.rawValue)
        w.key("reason"); w.string(v.reason)
        guard v.status != .notChecked || !v.path.isEmpty else { w.endObject(); return }
        w.key("checked_name"); w.string(v.checkedName)
        w.key("checked_at"); w.string(RFC3339.dateString(epochSeconds: v.validatedAt))
        w.key("trust_store"); w.string(v.trustStore)
        w.key("path"); w.beginArray()
        for element in v.path {
            w.beginObject()
            w.key("subject"); w.string(element.subject)
            w.key("issuer"); w.string(element.issuer)
            w.key("sha256"); w.string(element.sha256)
            w.key("signature_algorithm"); w.string(element.signatureAlgorithm)
            switch element.source {
            case .sent(let index):
                w.key("source"); w.string("sent")
                w.key("index"); w.int(index)
            case .trustStore:
                w.key("source"); w.string("trust_store")
            }
            w.endObject()
        }
        w.endArray()
        w.key("out_of_order"); w.bool(v.outOfOrder)
        w.key("missing_intermediates"); w.bool(v.missingIntermediates)
        w.key("unused_certificates"); w.int(v.unusedCertificates)
        w.key("self_signed"); w.bool(v.selfSigned)
        w.key("problems"); w.beginArray()
        for p in v.problems {
            w.beginObject()
            w.key("kind"); w.string(p.kind)
            w.key("subject"); w.string(p.subject)
            w.key("position"); if let position = p.position { w.int(position) } else { w.null() }
            w.key("detail"); w.string(p.detail)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    static func quicSummary(_ q: QUICSummary, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("version"); w.string(q.version.map { hexNumber($0, digits: 8) })
        w.key("version_name"); w.string(q.versionName)
        if !q.versionsOffered.isEmpty {
            w.key("versions_offered"); stringArray(q.versionsOffered.map { hexNumber($0, digits: 8) }, &w)
        }
        w.key("original_dcid"); w.string(hexEncode(q.originalDestinationCID))
        w.key("client_cid"); w.string(q.clientCID.map(hexEncode))
        w.key("server_cid"); w.string(q.serverCID.map(hexEncode))
        w.key("retry"); w.bool(q.retry)
        w.key("paths"); w.int(q.paths)
        w.key("datagrams"); sidePair(q.datagrams, &w)
        w.key("packets"); w.beginObject()
        w.key("client"); quicPacketCounts(q.packets.client, &w)
        w.key("server"); quicPacketCounts(q.packets.server, &w)
        w.endObject()
        w.key("packet_bytes"); w.beginObject()
        w.key("client"); quicPacketCounts(q.bytes.client, &w)
        w.key("server"); quicPacketCounts(q.bytes.server, &w)
        w.endObject()
        w.key("undecryptable"); sidePair(q.undecryptable, &w)
        w.key("padding_bytes"); sidePair(q.paddingBytes, &w)
        w.key("malformed_packets"); sidePair(q.malformed, &w)
        w.key("malformed_frames"); sidePair(q.malformedFrames, &w)
        w.key("unknown_version_packets"); sidePair(q.unknownVersionPackets, &w)
        w.key("close")
        if let close = q.close {
            w.beginObject()
            w.key("sender"); w.string(close.sender.rawValue)
            w.key("packet_type"); w.string(close.packetType)
            w.key("frame"); w.string(close.application ? "application" : "transport")
            w.key("error_code"); w.string(hexNumber(close.errorCode, digits: 2))
            w.key("error_name"); w.string(close.errorName)
            w.key("tls_alert"); w.string(close.tlsAlert.map(Naming.alertDescription))
            w.key("reason"); w.string(close.reason)
            w.endObject()
        } else {
            w.null()
        }
        w.key("transport_parameters"); w.beginObject()
        w.key("client"); transportParameters(q.clientTransportParameters, &w)
        w.key("server"); transportParameters(q.serverTransportParameters, &w)
        w.endObject()
        w.endObject()
    }

    static func quicPacketCounts(_ c: QUICPacketCounts, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("initial"); w.int(c.initial)
        w.key("zero_rtt"); w.int(c.zeroRTT)
        w.key("handshake"); w.int(c.handshake)
        w.key("retry"); w.int(c.retry)
        w.key("version_negotiation"); w.int(c.versionNegotiation)
        w.key("short"); w.int(c.short)
        w.endObject()
    }

    static func transportParameters(_ p: QUICTransportParameterSummary?, _ w: inout JSONWriter) {
        guard let p else { return w.null() }
        w.beginObject()
        w.key("max_idle_timeout_ms"); optionalInt(p.maxIdleTimeoutMs, &w)
        w.key("initial_max_data"); optionalInt(p.initialMaxData, &w)
        w.key("active_connection_id_limit"); optionalInt(p.activeConnectionIDLimit, &w)
        w.key("max_udp_payload_size"); optionalInt(p.maxUDPPayloadSize, &w)
        w.key("initial_max_streams_bidi"); optionalInt(p.initialMaxStreamsBidi, &w)
        w.key("initial_max_streams_uni"); optionalInt(p.initialMaxStreamsUni, &w)
        w.key("disable_active_migration"); w.bool(p.disableActiveMigration)
        w.key("grease"); w.bool(p.grease)
        w.key("ids"); w.beginArray()
        for id in p.ids { optionalInt(id, &w) }
        w.endArray()
        w.endObject()
    }

    /// A QUIC varint (below 2^62, so it fits an Int; clamped all the same).
    private static func optionalInt(_ value: UInt64?, _ w: inout JSONWriter) {
        guard let value else { return w.null() }
        w.int(Int(exactly: value) ?? Int.max)
    }

    static func stats(_ s: StatsEvent, _ w: inout JSONWriter) {
        w.key("packets"); w.int(s.packets)
        w.key("bytes"); w.int(s.bytes)
        w.key("tcp_connections"); w.int(s.tcpConnections)
        w.key("quic_connections"); w.int(s.quicConnections)
        w.key("tls_connections"); w.int(s.tlsConnections)
        w.key("open_connections"); w.int(s.openConnections)
        w.key("open_connections_peak"); w.int(s.openConnectionsPeak)
        if s.peakIsUpperBound { w.key("open_connections_peak_is_upper_bound"); w.bool(true) }
        w.key("dropped"); w.int(s.dropped)
        w.key("received"); w.int(s.received)
        w.key("final"); w.bool(s.isFinal)
        w.key("seconds"); w.double(s.seconds)
        w.key("reassembly"); w.beginObject()
        w.key("gaps"); w.int(s.reassembly.gaps)
        w.key("gap_bytes"); w.int(s.reassembly.gapBytes)
        w.key("out_of_order"); w.int(s.reassembly.outOfOrder)
        w.key("retransmitted"); w.int(s.reassembly.retransmitted)
        w.key("evicted"); w.int(s.reassembly.evicted)
        w.key("late_after_close"); w.int(s.reassembly.lateAfterClose)
        w.endObject()
        w.key("events"); w.int(s.events)
        w.key("decode"); w.beginObject()
        for (name, count) in s.decode { w.dynamicKey(name); w.int(count) }
        w.endObject()
        if let files = s.files {
            w.key("files"); w.beginObject()
            w.key("read"); w.int(files.read)
            w.key("bytes"); w.int(files.bytes)
            w.key("failed"); w.beginArray()
            for failure in files.failed {
                w.beginObject()
                w.key("file"); w.string(failure.file)
                w.key("reason"); w.string(failure.reason)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
    }
}
