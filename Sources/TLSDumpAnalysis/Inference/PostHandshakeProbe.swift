import TLSDumpBase

/// TLS 1.3 post-handshake authentication (RFC 8446 4.6.2) told from record
/// sizes, without keys: after the client's first application data (its
/// request) the server sends short records (NewSessionTickets, then the
/// CertificateRequest), and the client answers, before the server sends anything else, with records
/// the last of which has exactly a Finished's size (4 + hash + 1 + 16); what
/// comes before that Finished is the Certificate and CertificateVerify: a few
/// hundred bytes or more for a certificate, a few dozen for an empty one.
/// Anything else (a long server record, a client answer without a
/// Finished-sized last record) tells nothing, and the probe stops.
///
/// Kept inline in every TLS session, so its cases carry compact values
/// (record lengths are at most 2^14 + 256; times are microseconds since the
/// connection started).
enum PostHandshakeProbe: Equatable {
    /// The handshake is done; no client application data yet.
    case waitingForRequest
    /// The client sent application data.
    case requestSent
    /// A short server record followed the request: possibly a CertificateRequest.
    case serverAsked(atMicroseconds: UInt32, recordLength: UInt16)
    /// The client's records after it: `bytes` before the last one, and the last one's length.
    case clientAnswering(atMicroseconds: UInt32, recordLength: UInt16, bytes: UInt16, lastRecord: UInt16)
    /// Told, or given up: nothing more is read.
    case done

    /// The largest record a CertificateRequest is taken for (context, signature algorithms, CA names).
    static let maxRequestRecord = 1024
    /// The client's Certificate and CertificateVerify bytes above which a certificate was sent.
    static let certificateBytes = 300

    /// What the records told, once the client's Finished-sized record ended its answer.
    struct Inference: Equatable {
        var requestRecordLength: Int
        var msSinceConnectionStart: Double
        /// The client's records before its Finished, in bytes.
        var clientBytes: Int
        /// The Finished record's length.
        var finishedRecord: Int
        var certificateSent: Bool
    }

    /// One encrypted application-data record after the handshake.
    /// `finishedRecord`: the record length a Finished has under the connection's suite.
    mutating func record(from side: Side, length: Int, msSinceConnectionStart: Double, finishedRecord: Int?) -> Inference? {
        switch self {
        case .waitingForRequest:
            if side == .client { self = .requestSent }
        case .requestSent, .serverAsked, .clientAnswering:
            if side == .server {
                // A short server record (re)arms the probe: NewSessionTickets sent after the
                // request come first, the CertificateRequest is the last short one before the
                // client answers. A long one (the response) ends it.
                let micros = msSinceConnectionStart * 1000
                guard length <= Self.maxRequestRecord, micros >= 0, micros < Double(UInt32.max) else {
                    self = .done
                    break
                }
                self = .serverAsked(atMicroseconds: UInt32(micros), recordLength: UInt16(length))
                break
            }
            return clientRecord(length: length, finishedRecord: finishedRecord)
        case .done:
            break
        }
        return nil
    }

    /// A client record after the handshake's first request.
    private mutating func clientRecord(length: Int, finishedRecord: Int?) -> Inference? {
        switch self {
        case .serverAsked(let at, let request):
            guard length <= Int(UInt16.max) else { self = .done; break }
            self = .clientAnswering(atMicroseconds: at, recordLength: request, bytes: 0, lastRecord: UInt16(length))
            return closeIfFinished(finishedRecord)
        case .clientAnswering(let at, let request, let bytes, let last):
            // A certificate chain larger than 64 KiB is not told.
            let total = Int(bytes) + Int(last)
            guard length <= Int(UInt16.max), total <= Int(UInt16.max) else { self = .done; break }
            self = .clientAnswering(atMicroseconds: at, recordLength: request, bytes: UInt16(total), lastRecord: UInt16(length))
            return closeIfFinished(finishedRecord)
        case .waitingForRequest, .requestSent, .done:
            break
        }
        return nil
    }

    /// The client's last record has a Finished's size and something came before it: the answer is complete.
    private mutating func closeIfFinished(_ finishedRecord: Int?) -> Inference? {
        guard case .clientAnswering(let at, let request, let bytes, let last) = self,
              let finishedRecord, Int(last) == finishedRecord, bytes > 0 else { return nil }
        self = .done
        return Inference(requestRecordLength: Int(request), msSinceConnectionStart: Double(at) / 1000, clientBytes: Int(bytes),
                         finishedRecord: Int(last), certificateSent: Int(bytes) >= Self.certificateBytes)
    }

    /// The record length of a TLS 1.3 Finished under `suite` (no padding), or nil when the suite is not known.
    static func finishedRecordLength(suite: UInt16?) -> Int? {
        switch suite {
        case 0x1302?: 4 + 48 + 1 + 16              // TLS_AES_256_GCM_SHA384
        case 0x1301?, 0x1303?, 0x1304?: 4 + 32 + 1 + 16
        case 0x1305?: 4 + 32 + 1 + 8               // CCM_8: an 8-byte tag
        default: nil
        }
    }
}
