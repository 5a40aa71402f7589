#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files, which bounds the connections it can hold.
public enum FileDescriptorLimit {
    /// Raises the soft limit to the hard limit and returns it.
    public static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The client connections a server with `limit` open files can take: half of what a reserve for
    /// its own files leaves, since each request in flight holds an upstream connection too, and at
    /// most 65,536.
    public static func defaultMaximumConnections(for limit: Int) -> Int {
        max(16, min(65_536, (limit - 256) / 2))
    }
}
