import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print its secret, once.")

        @Option(name: .shortAndLong, help: "The configuration file (for the storage path).") var config = "keel.yaml"
        @Option(help: "A name to recognise the key by.") var name: String
        @Option(help: "app (calls /v1), viewer (reads reports, logs and the dashboard) or admin (everything).") var role: APIKey.Role = .app
        @Option(help: "The team the key belongs to, for budgets and cost reports.") var team: String?

        func run() async throws {
            let store = try SQLiteStore(path: try storagePath(config: config))
            let secret = APIKeySecret.generate()
            let key = secret.key(name: name, role: role, team: team)
            try await store.insert(key)
            print(secret.value)
            FileHandle.standardError.write(Data("Created \(role.rawValue) key \(key.id) '\(name)'. Keel stores only its hash: copy it now.\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Option(name: .shortAndLong, help: "The configuration file (for the storage path).") var config = "keel.yaml"

        func run() async throws {
            let store = try SQLiteStore(path: try storagePath(config: config))
            for key in try await store.keys() {
                let state = key.revokedAt == nil ? "active" : "revoked"
                let team = key.team.map { "  team \($0)" } ?? ""
                print(
                    "\(key.id)  \(key.prefix)…  \(key.role.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0))  \(state)  \(key.name)\(team)"
                )
            }
        }
    }
}

extension APIKey.Role: ExpressibleByArgument {}

/// The storage path of a configuration file, or the default one when the file does not exist.
func storagePath(config: String) throws -> String {
    try loadConfiguration(file: config).storage.path
}

/// The configuration in `file`, or the defaults when the file does not exist.
func loadConfiguration(file: String) throws -> KeelConfiguration {
    guard FileManager.default.fileExists(atPath: file) else { return KeelConfiguration() }
    return try KeelConfiguration.load(file: file)
}
