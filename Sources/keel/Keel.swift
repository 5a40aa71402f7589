import ArgumentParser
import NIOCore
import NIOPosix

@main
struct Keel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "An OpenAI-compatible gateway and control plane for production AI.",
        subcommands: [Serve.self, Demo.self, Simulate.self, Rehearse.self, Tokens.self, Keys.self, Logs.self, Cost.self, Workflows.self, Config.self]
    )

    static func main() async {
        // Run Swift concurrency on SwiftNIO's event loops, so that a request does not hop threads
        // between the server, the handlers and the upstream client (it must be the first thing done).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
