import TLSDumpAnalysis
import TLSDumpBase
import TLSDumpFlow
import TLSDumpTLS

/// `--format ecs`: the same events as `--format json`, one object per line,
/// with Elastic Common Schema field names (nested objects), so Filebeat or an
/// Elasticsearch ingest pipeline takes them as they are. ECS has no name for
/// most of what tlsdump reports; the whole native event rides along under
/// `tlsdump` (docs/ecs.md lists the mapping).
public final class ECSEventWriter: EventSink {
    private let output: OutputStream
    private var json = JSONWriter(reservingCapacity: 1 << 14)
    public var filter: EventFilter

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
        ECSEventWriter.encode(event, into: &json)
        json.endLine()
        json.withBytes { output.write($0) }
    }

    /// ECS categorisation per event type: (event.kind, event.type).
    /// Findings are alerts, stats are metrics, the rest are network events.
    private static let categorisation: [String: (kind: String, types: [String])] = [
        "client_hello": ("event", ["connection", "start", "protocol"]),
        "server_hello": ("event", ["protocol"]),
        "certificate": ("event", ["protocol"]),
        "certificate_request": ("event", ["protocol"]),
        "hello_request": ("event", ["protocol"]),
        "handshake_done": ("event", ["protocol"]),
        "renegotiation": ("event", ["protocol", "change"]),
        "key_update": ("event", ["protocol", "change"]),
        "alert": ("event", ["protocol", "error"]),
        "finding": ("alert", ["info"]),
        "connection": ("event", ["connection", "end"]),
        "stats": ("metric", ["info"]),
    ]

    /// ECS `tls.version_protocol` and `tls.version` per wire version.
    private static let versions: [UInt16: (proto: String, version: String)] = [
        0x0002: ("ssl", "2.0"), 0x0300: ("ssl", "3.0"),
        0x0301: ("tls", "1.0"), 0x0302: ("tls", "1.1"), 0x0303: ("tls", "1.2"), 0x0304: ("tls", "1.3"),
    ]

    /// ECS `event.severity` is numeric: the Severity scale, 0 (info) to 3 (high).
    public static func encode(_ event: Event, into w: inout JSONWriter) {
        let typeName = event.body.typeName
        let category = categorisation[typeName] ?? ("event", ["info"])
        w.beginObject()
        w.key("@timestamp"); w.timestamp(event.timestamp)
        w.key("ecs"); w.beginObject(); w.key("version"); w.string("8.11.0"); w.endObject()
        w.key("event"); w.beginObject()
        w.key("kind"); w.string(category.kind)
        w.key("category"); w.beginArray(); w.string("network"); w.endArray()
        w.key("type"); JSONEventWriter.stringArray(category.types, &w)
        w.key("action"); w.string(typeName)
        w.key("dataset"); w.string("tlsdump.events")
        w.key("module"); w.string("tlsdump")
        if case .finding(let f) = event.body { w.key("severity"); w.int(f.severity.rawValue) }
        w.endObject()
        if case .finding(let f) = event.body {
            w.key("message"); w.string(f.message)
            w.key("rule"); w.beginObject(); w.key("id"); w.string(f.id.rawValue); w.endObject()
        }
        if let flow = event.flow {
            w.key("source"); endpoint(address: flow.clientAddress, port: flow.client.port, &w)
            w.key("destination"); endpoint(address: flow.serverAddress, port: flow.server.port, &w)
            w.key("network"); w.beginObject()
            w.key("community_id"); w.string(flow.communityID)
            w.key("transport"); w.string(flow.transport.ipProtocolName)
            w.key("protocol"); w.string(flow.transport.protocolName)
            w.endObject()
        }
        tls(event.body, &w)
        w.key("tlsdump"); JSONEventWriter.encode(event, into: &w)
        w.endObject()
    }

    private static func endpoint(address: String, port: UInt16, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("ip"); w.string(address)
        w.key("port"); w.int(Int(port))
        w.endObject()
    }

    /// The `tls` object, from whatever this event knows.
    private static func tls(_ body: EventBody, _ w: inout JSONWriter) {
        switch body {
        case .clientHello(let e):
            w.key("tls"); w.beginObject()
            w.key("client"); w.beginObject()
            w.field("ja3", e.ja3)
            w.field("server_name", e.hello.serverName)
            w.key("supported_ciphers")
            w.beginArray()
            let names = JSONFragments.cipherSuiteNames
            for code in e.hello.cipherSuites where !names.write(UInt32(code), into: &w) { w.hexCode(UInt64(code), digits: 4) }
            w.endArray()
            w.endObject()
            w.endObject()
        case .serverHello(let e):
            w.key("tls"); w.beginObject()
            version(e.hello.negotiatedVersion, &w)
            if !e.hello.isSSLv2 { w.field("cipher", Naming.cipherSuiteName(e.hello.cipherSuite) ?? Naming.hex4(e.hello.cipherSuite)) }
            w.field("resumed", e.resumed)
            w.field("next_protocol", e.hello.alpn.map(Naming.alpn))
            w.key("server"); w.beginObject(); w.field("ja3s", e.ja3s); w.endObject()
            w.endObject()
        case .certificate(let e):
            guard let leaf = e.chain.first else { return }
            w.key("tls"); w.beginObject()
            w.key(e.sender == .server ? "server" : "client"); w.beginObject()
            x509(leaf, &w)
            w.endObject()
            w.endObject()
        case .handshakeDone(let e):
            w.key("tls"); w.beginObject()
            if let v = e.version { version(v, &w) }
            w.field("cipher", e.cipherSuite.map { Naming.cipherSuiteName($0) ?? Naming.hex4($0) })
            w.field("resumed", e.resumed)
            w.field("curve", e.keyExchange?.group.map(Naming.groupName))
            w.key("established"); w.bool(true)
            w.endObject()
        case .connection(let c):
            w.key("tls"); w.beginObject()
            if let v = c.version { version(v, &w) }
            if !c.sslv2 { w.field("cipher", c.cipherSuite.map { Naming.cipherSuiteName($0) ?? Naming.hex4($0) }) }
            w.field("curve", c.keyExchange?.group.map(Naming.groupName))
            w.key("established"); w.bool(c.established)
            w.field("resumed", c.resumed)
            w.field("next_protocol", c.alpn.map(Naming.alpn))
            w.key("client"); w.beginObject()
            w.field("ja3", c.ja3)
            w.field("server_name", c.sni)
            if let cert = c.clientCertificate { x509(cert, &w) }
            w.endObject()
            w.key("server"); w.beginObject()
            w.field("ja3s", c.ja3s)
            if let cert = c.serverCertificate { x509(cert, &w) }
            w.endObject()
            w.endObject()
        default:
            break
        }
    }

    private static func version(_ v: UInt16, _ w: inout JSONWriter) {
        if let known = versions[v] {
            w.key("version"); w.string(known.version)
            w.key("version_protocol"); w.string(known.proto)
        } else {
            w.key("version"); w.string(Naming.version(v))
        }
    }

    /// `x509.*` of the leaf certificate, and `hash.sha256`/`hash.sha1` beside it as ECS puts it.
    private static func x509(_ c: CertificateSummary, _ w: inout JSONWriter) {
        w.key("x509"); w.beginObject()
        w.key("subject"); w.beginObject(); w.field("distinguished_name", c.subject); w.endObject()
        w.key("issuer"); w.beginObject(); w.field("distinguished_name", c.issuer); w.endObject()
        w.field("not_before", c.notBefore)
        w.field("not_after", c.notAfter)
        w.field("serial_number", c.serial)
        w.field("signature_algorithm", c.signatureAlgorithm)
        w.field("public_key_algorithm", c.keyType)
        w.field("public_key_size", c.keyBits)
        if !c.subjectAlternativeNames.isEmpty {
            w.key("alternative_names"); JSONEventWriter.stringArray(c.subjectAlternativeNames, &w)
        }
        w.endObject()
        w.key("hash"); w.beginObject(); w.key("sha256"); w.string(c.sha256)
        if !c.sha1.isEmpty { w.key("sha1"); w.string(c.sha1) }
        w.endObject()
    }
}
