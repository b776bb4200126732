import TLSDumpBase

/// A renegotiation's handshake records as sizes and directions: what can be
/// told of them without keys (docs/inference.md). It is fed the same records
/// whether or not keys exist, so with keys the reading of the plaintext can
/// confirm or correct it.
///
/// The client's first handshake record is its ClientHello; each side's
/// records before its ChangeCipherSpec are its flight (server hello..done;
/// the client's certificate, key exchange and verify); after it, its Finished.
struct EncryptedFlight {
    /// How records were protected while the renegotiation ran (the previous handshake's suite).
    var protection: RecordSizeModel?
    var clientHelloSeen = false
    /// Plaintext bytes of each side's flight, as a range (exact for stream and
    /// AEAD suites, within a block per record for CBC).
    var low = SidePair(client: 0, server: 0)
    var high = SidePair(client: 0, server: 0)
    var records = SidePair(client: 0, server: 0)
    var sizeKnown = true
    var lastServerFlightTime: Timestamp?

    /// What the record is taken for.
    enum Reading {
        case clientHello
        case flight
        case finished
    }

    /// Counts a handshake record of the renegotiation in progress.
    mutating func record(from side: Side, length: Int, changedCipher: Bool, at now: Timestamp) -> Reading {
        if side == .client && !clientHelloSeen {
            clientHelloSeen = true
            return .clientHello
        }
        guard !changedCipher else { return .finished }
        if side == .server { lastServerFlightTime = now }
        if let range = protection?.plaintext(recordLength: length) {
            low[side] += range.lowerBound
            high[side] += range.upperBound
        } else {
            sizeKnown = false
        }
        records[side] += 1
        return .flight
    }

    /// A HelloRequest has an empty body: 4 bytes of plaintext. Without a size
    /// model nothing contradicts it.
    func couldBeHelloRequest(recordLength: Int) -> Bool {
        protection?.plaintext(recordLength: recordLength).map { $0.contains(4) } ?? true
    }
}
