/// Names of QUIC transport error codes (RFC 9000 20.1, RFC 9368 for 0x11),
/// indexed by code: a table, so adding a code is one line.
public enum QUICTransportErrors {
    public static let names: [String] = [
        "NO_ERROR",                   // 0x00
        "INTERNAL_ERROR",             // 0x01
        "CONNECTION_REFUSED",         // 0x02
        "FLOW_CONTROL_ERROR",         // 0x03
        "STREAM_LIMIT_ERROR",         // 0x04
        "STREAM_STATE_ERROR",         // 0x05
        "FINAL_SIZE_ERROR",           // 0x06
        "FRAME_ENCODING_ERROR",       // 0x07
        "TRANSPORT_PARAMETER_ERROR",  // 0x08
        "CONNECTION_ID_LIMIT_ERROR",  // 0x09
        "PROTOCOL_VIOLATION",         // 0x0a
        "INVALID_TOKEN",              // 0x0b
        "APPLICATION_ERROR",          // 0x0c
        "CRYPTO_BUFFER_EXCEEDED",     // 0x0d
        "KEY_UPDATE_ERROR",           // 0x0e
        "AEAD_LIMIT_REACHED",         // 0x0f
        "NO_VIABLE_PATH",             // 0x10
        "VERSION_NEGOTIATION_ERROR",  // 0x11
    ]

    /// The crypto_error range: 0x0100 + TLS alert.
    public static let cryptoErrorRange: ClosedRange<UInt64> = 0x0100...0x01ff

    /// The name of a transport error code: the table, "CRYPTO_ERROR" for
    /// 0x0100-0x01ff, nil otherwise.
    public static func name(_ code: UInt64) -> String? {
        if code < UInt64(names.count) { return names[Int(code)] }
        if cryptoErrorRange.contains(code) { return "CRYPTO_ERROR" }
        return nil
    }
}
