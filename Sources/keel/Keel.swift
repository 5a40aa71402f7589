import ArgumentParser

@main
struct Keel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "An OpenAI-compatible gateway and control plane for production AI.",
        subcommands: [Serve.self, Demo.self, Simulate.self, Keys.self, Logs.self, Config.self]
    )
}
