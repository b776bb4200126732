import TLSDumpBase

/// The first compressed chain each side sent (out of line: most connections have none).
struct CertificateCompressionSeen: DefaultInitializable {
    var server: CertificateCompressionInfo?
    var client: CertificateCompressionInfo?

    init() {}
}
