import TLSDumpBase

/// Whether the client sent a certificate in a renegotiation, told from the
/// size of its encrypted flight against its clear first ClientKeyExchange:
/// the IIS pattern without keys.
enum ClientAuthInference {
    /// Certificate + CertificateVerify add at least this much to a client flight
    /// (a small certificate is ~400 bytes, a signature 64 or more).
    static let clientCertificateMinimum = 200
    /// An empty Certificate message: 4-byte header + 3-byte empty list.
    static let emptyCertificate = 7

    /// At the client's ChangeCipherSpec its flight is complete. nil when the
    /// sizes do not tell (no baseline, unknown sizes, or in between).
    static func infer(_ flight: EncryptedFlight, baseline: SizeBaseline, applicationBytesBefore: SidePair<Int>,
                      askedAt: Timestamp, connectionStart: Timestamp) -> ClientFlightInference? {
        guard flight.sizeKnown, flight.records.client > 0, let keyExchange = baseline.clientKeyExchangeBytes else { return nil }
        let low = flight.low.client - keyExchange
        let high = flight.high.client - keyExchange
        let exact = flight.protection?.isExact ?? false
        let sent: Bool
        if low >= clientCertificateMinimum {
            sent = true
        } else if exact && low == emptyCertificate && high == emptyCertificate {
            sent = false
        } else {
            return nil
        }
        return ClientFlightInference(
            clientFlightPlaintextBytes: flight.low.client, firstClientKeyExchangeBytes: keyExchange, extraClientBytes: low,
            serverFlightPlaintextBytes: flight.low.server, firstServerFlightBytes: baseline.serverFlightBytes,
            applicationBytesBefore: applicationBytesBefore, msSinceConnectionStart: askedAt.milliseconds(since: connectionStart),
            certificateSent: sent, sizesExact: flight.protection?.isExact != false)
    }
}
