import TLSDumpBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The capture files a run reads, from what was given: files, directories
/// (their capture files), glob patterns the shell left unexpanded (quoted),
/// and list files (`-V`, one path per line as in tcpdump).
public struct CaptureInputList {
    public private(set) var paths: [String] = []
    /// One line per directory whose other files were skipped.
    public private(set) var notes: [String] = []
    /// Canonical paths taken so far: a file named twice (`-r rot/*.pcap -r rot/`) is read once.
    private var seen: Set<String> = []

    /// Paths read from one `-V` list at most (a list is typed or generated; this caps a runaway one).
    public static let maxListedPaths = 1_000_000

    public init() {}

    /// A file is taken as given (opening it reports what is wrong with it); a
    /// directory adds its capture files, by name; a pattern that names no
    /// file is expanded with glob(3) (when nothing matches, it stays as given,
    /// for the "no such file" error).
    public mutating func add(_ argument: String) {
        if Self.isDirectory(argument) {
            addDirectory(argument)
        } else if !Self.exists(argument), Self.hasGlobCharacters(argument) {
            let matches = Self.glob(argument)
            if matches.isEmpty { paths.append(argument) }
            for match in matches { add(match) }
        } else {
            take(argument)
        }
    }

    private mutating func take(_ path: String) {
        var canonical = path
        if let resolved = realpath(path, nil) {
            canonical = String(cString: resolved)
            free(resolved)
        }
        guard seen.insert(canonical).inserted else { return }
        paths.append(path)
    }

    /// `-V FILE`: one path per line; blank lines and lines starting with '#' are ignored.
    public mutating func addList(file: String) throws(CaptureInputListError) {
        guard let bytes = readSmallFile(file, limit: 64 << 20) else {
            throw .unreadableList(path: file, message: Self.exists(file) ? String(cString: strerror(errno)) : "no such file")
        }
        var listed = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            listed += 1
            guard listed <= Self.maxListedPaths else { throw .tooManyPaths(path: file, limit: Self.maxListedPaths) }
            add(String(text))
        }
    }

    private mutating func addDirectory(_ directory: String) {
        guard let dir = opendir(directory) else {
            paths.append(directory)   // opening it reports why
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var skipped = 0
        for name in names.sorted() {
            let path = base + name
            if Self.isCaptureFile(path) { take(path) } else { skipped += 1 }
        }
        if skipped > 0 {
            notes.append("\(directory): skipped \(skipped) \(skipped == 1 ? "file that is" : "files that are") not a capture")
        }
    }

    /// A regular file that starts with a pcap or pcapng magic number, or a
    /// gzip, zstd, xz or lz4 one (compressed captures are read too).
    public static func isCaptureFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        var magic = [UInt8](repeating: 0, count: 6)
        let count = magic.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        return CaptureMagic.matches(magic.prefix(count))
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func hasGlobCharacters(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// glob(3)'s matches, sorted (its default order).
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        #if canImport(Glibc)
        let status = Glibc.glob(pattern, 0, nil, &result)
        #else
        let status = Darwin.glob(pattern, 0, nil, &result)
        #endif
        guard status == 0 else { return [] }
        var matches: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { matches.append(String(cString: path)) }
        }
        return matches
    }
}

/// Why a `-V` list could not be used.
public enum CaptureInputListError: Error, CustomStringConvertible {
    case unreadableList(path: String, message: String)
    case tooManyPaths(path: String, limit: Int)

    public var description: String {
        switch self {
        case .unreadableList(let path, let message): "cannot read the file list \(path): \(message)"
        case .tooManyPaths(let path, let limit): "the file list \(path) names more than \(limit) files"
        }
    }
}
