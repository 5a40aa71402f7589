import ArgumentParser
import NIOCore
import NIOPosix

#if os(Linux)
import CMalloc
#endif

@main
struct Keel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "An OpenAI-compatible gateway and control plane for production AI.",
        subcommands: [
            Serve.self, Demo.self, Simulate.self, Rehearse.self, Tokens.self, Keys.self, Logs.self, Cost.self, Workflows.self, Prompts.self,
            Datasets.self, Eval.self, Drift.self, Validate.self, Quarantine.self, Reviews.self, PII.self, Audit.self, Retention.self, Subjects.self,
            ReadinessCommand.self, Database.self, Config.self,
        ]
    )

    static func main() async {
        #if os(Linux)
        // glibc gives each thread that allocates its own arena, up to eight per core, and keeps what
        // each has freed: a burst of large requests across the event loops, the SQLite writer and
        // the cooperative pool would leave the process at several times its working size. Two are
        // enough for a server whose threads hand memory to each other all the time. A fixed mmap
        // threshold keeps large buffers (request bodies, parsed documents) out of the heap, so that
        // freeing one returns it to the system instead of raising the threshold for the next.
        mallopt(M_ARENA_MAX, 2)
        mallopt(M_MMAP_THRESHOLD, 256 << 10)
        #endif
        // Run Swift concurrency on SwiftNIO's event loops, so that a request does not hop threads
        // between the server, the handlers and the upstream client (it must be the first thing done).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
