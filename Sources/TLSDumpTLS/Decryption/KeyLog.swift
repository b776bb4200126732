/// The TLS 1.3 secrets an NSS key log names per connection (by client random).
public enum TLS13SecretLabel: Sendable, Hashable, CaseIterable {
    case clientHandshake, serverHandshake, clientTraffic0, serverTraffic0, clientEarly

    /// The label as written in the key log.
    public var keyLogLabel: String {
        switch self {
        case .clientHandshake: return "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
        case .serverHandshake: return "SERVER_HANDSHAKE_TRAFFIC_SECRET"
        case .clientTraffic0: return "CLIENT_TRAFFIC_SECRET_0"
        case .serverTraffic0: return "SERVER_TRAFFIC_SECRET_0"
        case .clientEarly: return "CLIENT_EARLY_TRAFFIC_SECRET"
        }
    }
}

/// An NSS key log (the `SSLKEYLOGFILE` format) plus the RSA lines OpenSSL and
/// Wireshark use: everything needed to find a connection's secrets by its
/// client random, session ID or encrypted premaster.
///
/// Understood lines (labels case-sensitive, hex either case, CRLF or LF):
///
///     CLIENT_RANDOM <client random, 32 bytes> <master secret, 48 bytes>
///     CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>   (and the other TLS 1.3 labels)
///     RSA <first 8 bytes of the encrypted premaster> <premaster, 48 bytes>
///     PMS_CLIENT_RANDOM <client random> <premaster, 48 bytes>
///     RSA Session-ID:<session id> Master-Key:<master secret>
///
/// and `openssl s_client`'s own printout pasted as is: each `SSL-Session:`
/// block (its indented lines) gives the `Session-ID:` and `Master-Key:` it
/// holds, like an `RSA Session-ID:` line; its other lines are not counted as
/// skipped. A TLS 1.2 server that issues session tickets sends no session
/// id, and the id s_client prints is then its own (a hash of the ticket):
/// every session master secret is therefore also kept as a candidate
/// (`sessionMasterSecrets`) that decryption tries on a connection no lookup
/// found a key for. TLS 1.3 blocks carry no master secret (`Resumption PSK:`);
/// they are counted in `tls13SessionBlocks`.
///
/// `#` comments and blank lines are skipped silently; `EXPORTER_SECRET`,
/// `EARLY_EXPORTER_SECRET` and OpenSSL's `CLIENT/SERVER_TRAFFIC_SECRET_N`
/// (logged after a KeyUpdate) are known and ignored.
/// Any other line is counted in `skippedLines`. A later line for the same
/// connection and label replaces an earlier one.
public struct KeyLog: Sendable {
    /// What a stored secret is looked up by.
    private enum Kind: UInt8, Hashable, Sendable {
        case masterByClientRandom, masterBySessionID, premasterByPrefix, premasterByClientRandom
        case clientHandshake, serverHandshake, clientTraffic0, serverTraffic0, clientEarly
    }

    private struct Key: Hashable, Sendable {
        let kind: Kind
        let id: [UInt8]
    }

    private var secrets: [Key: [UInt8]] = [:]

    /// Master secrets of sessions (`SSL-Session:` blocks, `RSA Session-ID:`
    /// lines), in the order read, without repeats: the candidates tried on
    /// TLS 1.0-1.2 connections whose session id names no key (at most
    /// `maxSessionMasterSecrets`; later ones are counted in `skippedLines`).
    public private(set) var sessionMasterSecrets: [[UInt8]] = []
    public static let maxSessionMasterSecrets = 64

    /// `SSL-Session:` blocks of TLS 1.3 sessions: they hold no key that opens
    /// the connection (TLS 1.3 needs the key log of SSLKEYLOGFILE or -keylogfile).
    public private(set) var tls13SessionBlocks = 0

    /// The `SSL-Session:` block being read, between its header line and the
    /// first line that is not indented.
    private struct SessionBlock {
        var sessionID: ArraySlice<UInt8>?
        var masterKey: ArraySlice<UInt8>?
        var isTLS13 = false
        /// The block held a `Resumption PSK:` (TLS 1.3).
        var resumptionPSK = false
    }

    /// Lines that were neither usable key material, a comment, blank, nor a
    /// known label this layer ignores: malformed hex, wrong lengths, unknown labels.
    public private(set) var skippedLines: Int = 0

    /// Number of distinct secrets stored (a session master secret also stored under its id counts once).
    public var count: Int {
        let keyed = Set(secrets.lazy.filter { $0.key.kind == .masterBySessionID }.map(\.value))
        return secrets.count + sessionMasterSecrets.lazy.filter { !keyed.contains($0) }.count
    }

    public init() {}

    /// Parses a key log given as text (may be called repeatedly; entries accumulate).
    public mutating func parse(_ text: String) {
        parse(bytes: Array(text.utf8))
    }

    /// Parses a key log given as raw file bytes.
    public mutating func parse(bytes: [UInt8]) {
        var lineStart = 0
        var block: SessionBlock?
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = bytes[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            if block != nil {
                if let first = line.first, Self.isBlank(first) {
                    readSessionBlockLine(line, into: &block)
                    continue
                }
                finishSessionBlock(block)
                block = nil
            }
            if Self.trimmed(line).elementsEqual("SSL-Session:".utf8) {
                block = SessionBlock()
                continue
            }
            parseLine(line)
        }
        finishSessionBlock(block)
    }

    // MARK: lookups

    /// The master secret of a TLS <= 1.2 connection (`CLIENT_RANDOM` line).
    public func masterSecret(clientRandom: [UInt8]) -> [UInt8]? {
        secrets[Key(kind: .masterByClientRandom, id: clientRandom)]
    }

    /// A TLS 1.3 traffic secret of the connection with this client random.
    public func secret(_ label: TLS13SecretLabel, clientRandom: [UInt8]) -> [UInt8]? {
        secrets[Key(kind: Self.kind(of: label), id: clientRandom)]
    }

    /// The master secret of a session (`RSA Session-ID:... Master-Key:...`, as
    /// printed in `openssl s_client`'s session block).
    public func masterSecret(sessionID: [UInt8]) -> [UInt8]? {
        secrets[Key(kind: .masterBySessionID, id: sessionID)]
    }

    /// The premaster secret of an RSA key exchange, by the first 8 bytes of the
    /// encrypted premaster in the ClientKeyExchange (longer input is cut to 8).
    public func premaster(encryptedPremasterPrefix: [UInt8]) -> [UInt8]? {
        guard encryptedPremasterPrefix.count >= 8 else { return nil }
        return secrets[Key(kind: .premasterByPrefix, id: Array(encryptedPremasterPrefix.prefix(8)))]
    }

    /// The premaster secret by client random (`PMS_CLIENT_RANDOM` line).
    public func premaster(clientRandom: [UInt8]) -> [UInt8]? {
        secrets[Key(kind: .premasterByClientRandom, id: clientRandom)]
    }

    // MARK: parsing

    private static func kind(of label: TLS13SecretLabel) -> Kind {
        switch label {
        case .clientHandshake: return .clientHandshake
        case .serverHandshake: return .serverHandshake
        case .clientTraffic0: return .clientTraffic0
        case .serverTraffic0: return .serverTraffic0
        case .clientEarly: return .clientEarly
        }
    }

    /// `<LABEL> <id hex> <secret hex>` lines: the label, what the id must be,
    /// and the secret lengths accepted.
    private struct LineRule {
        let kind: Kind?            // nil: known label, ignored
        let idLengths: ClosedRange<Int>
        let secretLengths: Set<Int>
    }

    private static let tls13SecretLengths: Set<Int> = [32, 48]
    private static let rules: [String: LineRule] = [
        "CLIENT_RANDOM": LineRule(kind: .masterByClientRandom, idLengths: 32...32, secretLengths: [48]),
        "PMS_CLIENT_RANDOM": LineRule(kind: .premasterByClientRandom, idLengths: 32...32, secretLengths: [48]),
        "RSA": LineRule(kind: .premasterByPrefix, idLengths: 8...8, secretLengths: [48]),
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET": LineRule(kind: .clientHandshake, idLengths: 32...32, secretLengths: tls13SecretLengths),
        "SERVER_HANDSHAKE_TRAFFIC_SECRET": LineRule(kind: .serverHandshake, idLengths: 32...32, secretLengths: tls13SecretLengths),
        "CLIENT_TRAFFIC_SECRET_0": LineRule(kind: .clientTraffic0, idLengths: 32...32, secretLengths: tls13SecretLengths),
        "SERVER_TRAFFIC_SECRET_0": LineRule(kind: .serverTraffic0, idLengths: 32...32, secretLengths: tls13SecretLengths),
        "CLIENT_EARLY_TRAFFIC_SECRET": LineRule(kind: .clientEarly, idLengths: 32...32, secretLengths: tls13SecretLengths),
        "EXPORTER_SECRET": LineRule(kind: nil, idLengths: 32...32, secretLengths: tls13SecretLengths),
        "EARLY_EXPORTER_SECRET": LineRule(kind: nil, idLengths: 32...32, secretLengths: tls13SecretLengths),
        // OpenSSL logs each KeyUpdate's new secret without saying which
        // generation it is; `KeyDerivation.tls13NextSecret` derives them instead.
        "CLIENT_TRAFFIC_SECRET_N": LineRule(kind: nil, idLengths: 32...32, secretLengths: tls13SecretLengths),
        "SERVER_TRAFFIC_SECRET_N": LineRule(kind: nil, idLengths: 32...32, secretLengths: tls13SecretLengths),
    ]

    // MARK: s_client's SSL-Session blocks

    private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = line.startIndex, end = line.endIndex
        while start < end && isBlank(line[start]) { start += 1 }
        while end > start && isBlank(line[end - 1]) { end -= 1 }
        return line[start..<end]
    }

    /// `    Name  : value` inside a block: the value after the first colon, trimmed, when the name matches.
    private static func value(of name: String, in line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let text = trimmed(line)
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")),
              trimmed(text[text.startIndex..<colon]).elementsEqual(name.utf8) else { return nil }
        return trimmed(text[(colon + 1)...])
    }

    private func readSessionBlockLine(_ line: ArraySlice<UInt8>, into block: inout SessionBlock?) {
        if let id = Self.value(of: "Session-ID", in: line) {
            block?.sessionID = id
        } else if let key = Self.value(of: "Master-Key", in: line) {
            block?.masterKey = key
        } else if let version = Self.value(of: "Protocol", in: line) {
            block?.isTLS13 = version.elementsEqual("TLSv1.3".utf8)
        } else if Self.value(of: "Resumption PSK", in: line) != nil {
            block?.resumptionPSK = true
        }
    }

    /// A block ends: its Master-Key is stored like an `RSA Session-ID:` line;
    /// a block without one (a failed handshake's, TLS 1.3's) is counted.
    private mutating func finishSessionBlock(_ block: SessionBlock?) {
        guard let block else { return }
        if block.isTLS13 || block.resumptionPSK {
            tls13SessionBlocks += 1
            return
        }
        guard let keyHex = block.masterKey, let master = HexDecoding.bytes(keyHex), master.count == 48 else {
            skippedLines += 1
            return
        }
        let id = block.sessionID.flatMap { HexDecoding.bytes($0) } ?? []
        storeSessionMasterSecret(master, sessionID: id.count <= 32 ? id : [])
    }

    private mutating func storeSessionMasterSecret(_ master: [UInt8], sessionID: [UInt8]) {
        if !sessionID.isEmpty { secrets[Key(kind: .masterBySessionID, id: sessionID)] = master }
        guard !sessionMasterSecrets.contains(master) else { return }
        guard sessionMasterSecrets.count < Self.maxSessionMasterSecrets else {
            if sessionID.isEmpty { skippedLines += 1 }   // kept nowhere
            return
        }
        sessionMasterSecrets.append(master)
    }

    private static func isBlank(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
    }

    private mutating func parseLine(_ line: ArraySlice<UInt8>) {
        // Split on runs of blanks; a trailing CR is a blank.
        var fields: [ArraySlice<UInt8>] = []
        var i = line.startIndex
        while i < line.endIndex {
            while i < line.endIndex && Self.isBlank(line[i]) { i += 1 }
            let start = i
            while i < line.endIndex && !Self.isBlank(line[i]) { i += 1 }
            if start < i { fields.append(line[start..<i]) }
        }
        guard let first = fields.first else { return }              // blank line
        if first.first == UInt8(ascii: "#") { return }             // comment

        if fields.count == 3, first.elementsEqual("RSA".utf8),
           fields[1].starts(with: "Session-ID:".utf8), fields[2].starts(with: "Master-Key:".utf8) {
            let id = HexDecoding.bytes(fields[1].dropFirst("Session-ID:".utf8.count))
            let master = HexDecoding.bytes(fields[2].dropFirst("Master-Key:".utf8.count))
            guard let id, let master, (1...32).contains(id.count), master.count == 48 else {
                skippedLines += 1
                return
            }
            storeSessionMasterSecret(master, sessionID: id)
            return
        }

        guard fields.count == 3,
              let label = String(validating: first, as: UTF8.self),
              let rule = Self.rules[label],
              let id = HexDecoding.bytes(fields[1]), rule.idLengths.contains(id.count),
              let secret = HexDecoding.bytes(fields[2]), rule.secretLengths.contains(secret.count)
        else {
            skippedLines += 1
            return
        }
        guard let kind = rule.kind else { return }                  // known, not needed
        secrets[Key(kind: kind, id: id)] = secret
    }
}
