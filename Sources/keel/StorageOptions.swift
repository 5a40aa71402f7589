import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore
import Logging

/// The configuration a command reads its storage from: `keel.yaml` when it exists, else the
/// defaults (SQLite under `.keel`). The command line holds the database itself, so it reads every
/// team's data; `--team` narrows a report to one.
struct StorageOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The configuration file (when it does not exist, the example configuration keel demo runs).")
    var config = "keel.yaml"

    /// The configuration in the file or, when it does not exist, the example configuration `keel demo`
    /// runs (its storage is the default one), so that every command reads what the demo left.
    func configuration() throws -> KeelConfiguration {
        guard FileManager.default.fileExists(atPath: config) else { return try ExampleConfiguration.load() }
        return try KeelConfiguration.load(file: config)
    }

    /// Runs `body` with the configured storage, closing it after.
    func withStorage<T>(_ body: (KeelStorage) async throws -> T) async throws -> T {
        try await KeelStorage.with(try configuration().storage, logger: makeLogger(level: .warning), body)
    }
}

/// `--team NAME`: one team's data instead of every team's.
struct TeamOption: ParsableArguments {
    @Option(help: "Only this team's requests, costs or workflows.") var team: String?

    var scope: TeamScope { team.map { .team($0) } ?? .all }
}
