import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print its secret, once.")

        @OptionGroup var storage: StorageOptions
        @Option(help: "A name to recognise the key by.") var name: String
        @Option(help: "app, viewer, reviewer, operator or admin (see the README's table of roles).") var role: APIKey.Role = .app
        @Option(help: "The team the key belongs to: what it may read, and its budgets and cost reports.") var team: String?
        @Option(help: "Days until the key stops working (never, unless given).") var expiresInDays: Int?

        func run() async throws {
            if let expiresInDays, !(1...36_500).contains(expiresInDays) { throw ValidationError("--expires-in-days must be from 1 to 36500") }
            if let problem = APIKey.Specification.problem(withLabel: name) { throw ValidationError("--name \(problem)") }
            if let team, let problem = APIKey.Specification.problem(withLabel: team) { throw ValidationError("--team \(problem)") }
            let secret = APIKeySecret.generate()
            let key = secret.key(name: name, role: role, team: team, expiresAt: expiresInDays.map { Date().addingTimeInterval(Double($0) * 86_400) })
            try await storage.withStorage { storage in
                try await storage.keys.insert(key)
                try await AuditTrail(store: storage.audit).record(.keyCreated(key, by: "cli"))
            }
            print(secret.value)
            FileHandle.standardError.write(Data("Created \(role.rawValue) key \(key.id) '\(name)'. Keel stores only its hash: copy it now.\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @OptionGroup var storage: StorageOptions
        @OptionGroup var team: TeamOption
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            let now = Date()
            for key in try await storage.withStorage({ try await $0.keys.keys(in: team.scope) }) {
                guard !json else {
                    print(key.json.jsonString)
                    continue
                }
                let state = key.revokedAt != nil ? "revoked" : key.isActive(at: now) ? "active" : "expired"
                let team = key.team.map { "  team \($0)" } ?? ""
                let expiry = key.expiresAt.map { "  expires \(ISO8601DateFormatter.keel.string(from: $0))" } ?? ""
                print(
                    "\(key.id)  \(key.prefix)…  \(key.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(state)  \(key.name)\(team)\(expiry)"
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key: every replica refuses it within seconds, and its dashboard sessions end."
        )

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The key's id (key_…), as `keel keys list` shows it.") var id: String

        func run() async throws {
            let revoked = try await storage.withStorage { storage in
                guard let key = try await storage.keys.key(id: id), try await storage.revokeKey(id: id, at: Date()) else { return false }
                try await AuditTrail(store: storage.audit).record(.keyRevoked(key, by: "cli"))
                return true
            }
            guard revoked else { throw ValidationError("no active key \(id)") }
            print("Revoked \(id).")
        }
    }
}

extension APIKey.Role: ExpressibleByArgument {}
