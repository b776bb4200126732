#if canImport(Glibc)
import Glibc
#endif

/// `-Z USER`: gives up root once the capture is open, as tcpdump does
/// (supplementary groups, then group, then user; in that order, since
/// changing the user first would forbid changing the groups).
enum Privileges {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func drop(to user: String) throws {
        guard let entry = getpwnam(user) else {
            throw Failure(description: "-Z: no such user: \(user)")
        }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        guard initgroups(user, gid) == 0 else { throw failure("cannot set the groups of \(user)") }
        guard setgid(gid) == 0 else { throw failure("cannot change to group \(gid)") }
        guard setuid(uid) == 0 else { throw failure("cannot change to user \(user)") }
        // Changing back must now fail, or the drop did not happen.
        if uid != 0 && setuid(0) == 0 {
            throw Failure(description: "-Z: could regain root after changing to \(user); refusing to go on")
        }
    }

    private static func failure(_ what: String) -> Failure {
        Failure(description: "-Z: \(what): \(String(cString: strerror(errno)))")
    }
}
