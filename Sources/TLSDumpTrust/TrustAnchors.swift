import SwiftASN1
import Synchronization
import TLSDumpBase
import TLSDumpTLS
import X509

/// The trust store a run validates against: the system bundle (Debian's
/// ca-certificates) or the `--ca-file` PEM files. Read and parsed once per
/// run, on first use, and shared by every analysis thread.
///
/// It is today's store: a root removed since the capture was made is not in
/// it (such a chain reads `unknown_issuer`); a root added since is.
public final class TrustAnchors: Sendable {
    /// Debian's bundle of the Mozilla roots (package ca-certificates).
    public static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"
    /// A PEM file larger than this is refused (the system bundle is ~220 KB).
    static let maxFileBytes = 16 << 20
    static let maxCertificates = 10_000

    /// The files read, in order.
    public let files: [String]
    /// true: the system bundle (a missing one is "no trust store", not an error of the user's).
    public let isSystem: Bool
    private let loaded = Mutex<Loaded?>(nil)

    public struct Loaded: Sendable {
        public var store: CertificateStore
        /// The same anchors by subject, for the verdict's own look at a failed chain.
        var bySubject: [DistinguishedName: [Certificate]]
        /// Each anchor's DER, summarised (by our own reader) when a path names it.
        var ders: [Certificate: [UInt8]]
        public var count: Int
        /// Why nothing could be loaded (nil when at least one certificate was).
        public var failure: String?
        /// Certificates of the files that did not parse (skipped).
        public var skipped: Int
    }

    public init(caFiles: [String]) {
        if caFiles.isEmpty {
            files = [Self.systemBundle]
            isSystem = true
        } else {
            files = caFiles
            isSystem = false
        }
    }

    /// Anchors given as DER certificates (embedding, tests, the fuzz target); the unparseable are skipped.
    public init(derCertificates: [[UInt8]]) {
        files = []
        isSystem = false
        var certificates: [Certificate] = []
        var ders: [Certificate: [UInt8]] = [:]
        var skipped = 0
        for der in derCertificates.prefix(Self.maxCertificates) {
            guard let certificate = try? Certificate(derEncoded: der) else {
                skipped += 1
                continue
            }
            certificates.append(certificate)
            ders[certificate] = der
        }
        let made = Loaded(store: CertificateStore(certificates), bySubject: Dictionary(grouping: certificates, by: \.subject),
                          ders: ders, count: certificates.count,
                          failure: certificates.isEmpty ? "no certificate" : nil, skipped: skipped)
        loaded.withLock { $0 = made }
    }

    /// The anchors, read on first call.
    public func load() -> Loaded {
        loaded.withLock { state in
            if let state { return state }
            let made = Self.read(files)
            state = made
            return made
        }
    }

    /// Our own summary of an anchor, for the path's subjects and digests (only on a verdict cache miss).
    func summary(of anchor: Certificate) -> CertificateSummary? { load().ders[anchor].map(X509Summarizer.summarize(der:)) }

    static func read(_ files: [String]) -> Loaded {
        var certificates: [Certificate] = []
        var ders: [Certificate: [UInt8]] = [:]
        var problems: [String] = []
        var skipped = 0
        for file in files {
            guard let bytes = readSmallFile(file, limit: maxFileBytes) else {
                problems.append("cannot read \(file)")
                continue
            }
            let documents: [PEMDocument]
            do {
                documents = try PEMDocument.parseMultiple(pemString: String(decoding: bytes, as: UTF8.self))
            } catch {
                problems.append("\(file) is not PEM (\(error))")
                continue
            }
            var found = 0
            for document in documents where document.discriminator == "CERTIFICATE" && certificates.count < maxCertificates {
                guard let certificate = try? Certificate(derEncoded: document.derBytes) else {
                    skipped += 1
                    continue
                }
                certificates.append(certificate)
                ders[certificate] = document.derBytes
                found += 1
            }
            if found == 0 { problems.append("\(file) holds no certificate") }
        }
        let failure = certificates.isEmpty ? (problems.isEmpty ? "no certificate" : problems.joined(separator: "; ")) : nil
        return Loaded(store: CertificateStore(certificates), bySubject: Dictionary(grouping: certificates, by: \.subject), ders: ders, count: certificates.count,
                      failure: failure, skipped: skipped)
    }
}
