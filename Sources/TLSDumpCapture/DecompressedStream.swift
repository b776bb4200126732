import CStdioCookie
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only stdio FILE whose bytes are a `DecompressingInput`'s output
/// (glibc fopencookie), for libpcap's `pcap_fopen_offline`. The FILE keeps
/// the input alive until it is closed (fclose, or pcap_close).
enum DecompressedStream {
    /// nil (errno set) when the C library cannot make such a stream.
    static func open(_ input: DecompressingInput) -> UnsafeMutablePointer<FILE>? {
        let cookie = Unmanaged.passRetained(input).toOpaque()
        guard let file = tlsdump_open_cookie_stream(cookie, readCookie, closeCookie) else {
            Unmanaged<DecompressingInput>.fromOpaque(cookie).release()
            return nil
        }
        return file
    }
}

/// The stream's read: bytes, 0 at the end, -1 with EIO after a decompression
/// failure (the input keeps the reason; `PcapReader` reports it).
private func readCookie(_ cookie: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int {
    guard let cookie, let buffer else {
        errno = EINVAL
        return -1
    }
    let input = Unmanaged<DecompressingInput>.fromOpaque(cookie).takeUnretainedValue()
    do {
        return try input.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size))
    } catch {
        errno = EIO
        return -1
    }
}

private func closeCookie(_ cookie: UnsafeMutableRawPointer?) -> Int32 {
    if let cookie { Unmanaged<DecompressingInput>.fromOpaque(cookie).release() }
    return 0
}
