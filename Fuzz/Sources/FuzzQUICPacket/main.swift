import FuzzSupport
import TLSDumpQUIC
#if canImport(Glibc)
import Glibc
#endif

/// Input: one UDP datagram. Split it; for each long-header packet of a known
/// version derive Initial keys from its (fuzzed) DCID and try to open it with
/// the client and server keys and several largest packet numbers; walk the
/// frames of anything opened. The AEAD rejects almost every mutation, so the
/// frame reader and transport parameter parser also run on the input itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQUICPacket(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count)
    var used = QUICDatagramSplitter.looksLikeQUIC(bytes) ? 1 : 0
    let dcidLength = count > 0 ? Int(bytes[0] % 21) : nil
    var splitter = QUICDatagramSplitter(bytes, shortHeaderDCIDLength: dcidLength)
    var packets = 0
    while let next = splitter.next() {
        packets += 1
        guard case .success(let view) = next else { continue }
        fuzzCheck(view.range.lowerBound >= 0 && view.range.upperBound <= count && !view.range.isEmpty, "packet range \(view.range)")
        fuzzCheck(view.dcid.upperBound <= view.range.upperBound && view.scid.upperBound <= view.range.upperBound, "cid outside packet")
        fuzzCheck(view.supportedVersions.count <= QUICDatagramSplitter.maxSupportedVersions, "version list cap")
        if let pn = view.pnOffset { fuzzCheck(pn >= 1 && pn <= view.range.count, "pnOffset \(pn) outside packet") }
        used &+= view.type.name.utf8.count
        guard view.isLongHeader, let info = QUICVersion.known(view.version), let pnOffset = view.pnOffset else {
            if view.type == .retry, let info = QUICVersion.known(view.version) {
                used &+= QUICRetry.verifyIntegrity(originalDCID: QUICPacketView.bytes(view.dcid, in: bytes),
                                                   packet: UnsafeRawBufferPointer(rebasing: bytes[view.range]), version: info) ? 1 : 0
            }
            continue
        }
        let keys = initialKeys(dcid: QUICPacketView.bytes(view.dcid, in: bytes), version: info)
        let packet = UnsafeRawBufferPointer(rebasing: bytes[view.range])
        for (k, largest) in [(keys.client, nil), (keys.server, Int64(0)), (keys.client, Int64.max), (keys.server, Int64(-7))] as [(QUICPacketKeys, Int64?)] {
            switch QUICPacketProtection.open(packet: packet, pnOffset: pnOffset, keys: k, largestPacketNumber: largest) {
            case .success(let opened), .failure(.reservedBitsSet(let opened)):
                fuzzCheck(opened.packetNumber >= 0 && opened.packetNumber <= QUICPacketNumber.max, "packet number range")
                used &+= opened.payload.withUnsafeBytes { walkFrames($0) }
            case .failure:
                used &+= 1
            }
        }
    }
    fuzzCheck(splitter.trailingBytesSkipped <= count, "trailing bytes")
    fuzzCheck(packets <= count, "more packets than bytes")
    // Coverage past the AEAD: the raw bytes as a frame payload and as transport parameters.
    used &+= walkFrames(bytes)
    if case .success(let params) = QUICTransportParameters.parse(bytes) {
        fuzzCheck(params.ids.count <= QUICTransportParameters.maxIds && params.ids.count <= params.count, "ids cap")
        used &+= params.count
    }
    return used == Int.min ? 1 : 0
}

/// Initial keys by (DCID, version), remembered: mutations mostly keep a
/// seed's connection id, and deriving (HKDF and AES key schedules under ASan)
/// was most of an execution. Bounded: cleared at 256 entries.
nonisolated(unsafe) var keyMemo: [[UInt8]: (client: QUICPacketKeys, server: QUICPacketKeys)] = [:]

func initialKeys(dcid: [UInt8], version: QUICVersionInfo) -> (client: QUICPacketKeys, server: QUICPacketKeys) {
    let memoKey = dcid + withUnsafeBytes(of: version.raw.bigEndian) { Array($0) }
    if let known = keyMemo[memoKey] { return known }
    let keys = QUICPacketKeys.initial(dcid: dcid, version: version)
    if keyMemo.count >= 256 { keyMemo.removeAll(keepingCapacity: true) }
    keyMemo[memoKey] = keys
    return keys
}

/// Reads every frame, checking ranges stay inside the payload.
func walkFrames(_ payload: UnsafeRawBufferPointer) -> Int {
    var reader = QUICFrameReader(payload)
    var frames = 0
    var n = 0
    while let next = reader.next() {
        frames += 1
        guard case .success(let frame) = next else { break }
        switch frame {
        case .crypto(_, let r), .newToken(let r), .stream(_, _, let r, _), .datagram(let r):
            fuzzCheck(r.lowerBound >= 0 && r.upperBound <= payload.count, "frame data outside payload")
            n &+= r.count
        case .connectionClose(let close):
            fuzzCheck(close.reason.count <= QUICConnectionClose.maxReasonBytes, "reason cap")
            n &+= Int(close.tlsAlert ?? 0) &+ (close.errorName?.utf8.count ?? 0)
        case .padding(let c):
            fuzzCheck(c >= 1 && c <= payload.count, "padding count")
        default:
            break
        }
    }
    // Every frame but the error consumes at least one byte.
    fuzzCheck(frames <= payload.count + 1, "frame count")
    fuzzCheck(reader.offset <= payload.count, "reader offset")
    return n &+ frames
}

exit(runLibFuzzer(fuzzQUICPacket))
