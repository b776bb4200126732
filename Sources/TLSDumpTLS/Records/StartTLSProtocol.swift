/// The protocol that ran in plaintext before TLS started on a connection,
/// recognised from the two directions' preambles (`PlaintextPreamble`).
public enum StartTLSProtocol: String, Sendable, CaseIterable {
    case postgresql
    case smtp
    case imap
    case pop3
    case ftp
    case xmpp
    case ldap
    case irc
    case nntp
    case httpConnect = "http_connect"
    /// A SOCKS 4 or 5 proxy's handshake.
    case socks
    /// A preamble was skipped, but its protocol was not recognised.
    case unknown

    /// PostgreSQL's SSLRequest: length 8, code 80877103 (and GSSENCRequest, 80877104, that psql may send first).
    static let sslRequest: [UInt8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]
    static let gssEncRequest: [UInt8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]
    /// LDAP's StartTLS extended operation (RFC 4511 4.14), as the request carries it.
    static let ldapStartTLSOID = Array("1.3.6.1.4.1.1466.20037".utf8)

    /// nil when neither direction had a preamble; `.unknown` when one had, unrecognised.
    /// The client's last line (the command that asked for TLS) decides most protocols;
    /// the greetings at the start tell the ones that share a command apart.
    public static func recognise(client: PlaintextPreamble?, server: PlaintextPreamble?) -> StartTLSProtocol? {
        guard client != nil || server != nil else { return nil }
        let clientHead = client?.head ?? [], clientTail = client?.tail ?? []
        let serverHead = server?.head ?? []
        if clientHead.starts(with: sslRequest) || clientHead.starts(with: gssEncRequest) || clientTail.ends(with: sslRequest) {
            return .postgresql
        }
        if clientTail.contains(subsequence: ldapStartTLSOID) { return .ldap }
        if clientTail.contains(subsequence: Array("<starttls".utf8)) { return .xmpp }
        if startsCaseInsensitive(clientHead, "CONNECT ") { return .httpConnect }
        if isSOCKS(client: clientHead, server: serverHead, serverCount: server?.count ?? 0) { return .socks }
        let command = lastLine(clientTail)
        if command == "STLS" { return .pop3 }
        if command.hasPrefix("AUTH TLS") || command.hasPrefix("AUTH SSL") { return .ftp }
        let words = command.split(separator: " ")
        if words.count == 2 && words[1] == "STARTTLS" { return .imap }      // "a001 STARTTLS"
        if command == "STARTTLS" {
            if ["EHLO ", "HELO ", "LHLO "].contains(where: { startsCaseInsensitive(clientHead, $0) }) { return .smtp }
            if ["CAP ", "NICK ", "USER ", "PASS "].contains(where: { startsCaseInsensitive(clientHead, $0) }) { return .irc }
            if serverHead.first == UInt8(ascii: ":") { return .irc }
            if startsCaseInsensitive(serverHead, "200 ") || startsCaseInsensitive(serverHead, "201 ") { return .nntp }
            if startsCaseInsensitive(serverHead, "220") { return .smtp }
        }
        return .unknown
    }

    /// SOCKS 4 CONNECT (04 01) or SOCKS 5 greeting (05, method count, methods) from the client;
    /// SOCKS 4's 8-byte reply (00, 5a-5d) or SOCKS 5's (05, method) from the server.
    static func isSOCKS(client: [UInt8], server: [UInt8], serverCount: Int) -> Bool {
        if client.count >= 9 && client[0] == 4 && client[1] == 1 { return true }
        if client.count >= 3 && client[0] == 5 && client[1] >= 1 && Int(client[1]) + 2 <= client.count { return true }
        if client.isEmpty && serverCount == 8 && server.count >= 2 && server[0] == 0 && (0x5a...0x5d).contains(server[1]) { return true }
        return false
    }

    /// The last non-empty line of `bytes`, upper-cased ASCII, without its line end.
    static func lastLine(_ bytes: [UInt8]) -> String {
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0a || bytes[end - 1] == 0x0d) { end -= 1 }
        var start = end
        while start > 0 && bytes[start - 1] != 0x0a { start -= 1 }
        let line = bytes[start..<end]
        guard line.count <= 64, line.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return "" }
        return String(decoding: line, as: UTF8.self).uppercased()
    }

    static func startsCaseInsensitive(_ bytes: [UInt8], _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard bytes.count >= p.count else { return false }
        for (a, b) in zip(bytes, p) where asciiUpper(a) != b { return false }
        return true
    }

    private static func asciiUpper(_ c: UInt8) -> UInt8 { c >= 0x61 && c <= 0x7a ? c - 0x20 : c }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }

    fileprivate func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        for i in 0...(count - needle.count) where self[i] == needle[0] {
            if self[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
