import TLSDumpBase
import TLSDumpTLS

#if canImport(Glibc)
import Glibc
#endif

/// The key material of a run, shared by its connections; re-reads growing key logs.
final class KeyStore {
    private(set) var material: KeyMaterial
    private var sizes: [String: Int] = [:]
    private(set) var reloads = 0

    init(_ material: KeyMaterial) {
        self.material = material
        for path in material.reloadableKeyLogPaths { sizes[path] = KeyStore.fileSize(path) }
    }

    var keyLog: KeyLog { material.keyLog }

    /// Reads the key logs again if any grew; true when something new was read.
    func reloadIfGrown() -> Bool {
        guard !material.reloadableKeyLogPaths.isEmpty else { return false }
        var grown = false
        for path in material.reloadableKeyLogPaths {
            let size = KeyStore.fileSize(path)
            if size != sizes[path] { grown = true; sizes[path] = size }
        }
        guard grown else { return false }
        var log = KeyLog()
        for path in material.reloadableKeyLogPaths {
            if let bytes = readSmallFile(path) { log.parse(bytes: bytes) }
        }
        material.keyLog = log
        reloads += 1
        return true
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : -1
    }
}
