import ArgumentParser
import Hummingbird
import KeelApp
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config = "keel.yaml"

    @Option(help: "Listen on this port instead of the configured one.")
    var port: Int?

    func run() async throws {
        var configuration = try KeelConfiguration.load(file: config)
        if let port { configuration.server.port = port }
        let logger = makeLogger(level: configuration.log.level)
        let app = try await Gateway.buildApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}

func makeLogger(label: String = "keel", level: Logger.Level) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}
