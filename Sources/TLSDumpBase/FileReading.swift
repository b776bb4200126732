#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a small whole file (key logs, PEM keys) without Foundation;
/// nil when it cannot be read or is larger than `limit`.
public func readSmallFile(_ path: String, limit: Int = 256 << 20) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        if bytes.count > limit { return nil }
        if n < chunk.count { break }
    }
    return ferror(file) == 0 ? bytes : nil
}
