import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a route's input contract and risk policy to records, without calling a model: a data-readiness check.",
        discussion: """
            Each input line is {"id", "payload"}: the record as a client would send it (an object, or a string holding JSON; \
            other fields ignored). Each output line is {"id", "status": "accepted"|"quarantined"|"rejected", "errors": \
            [{"field", "code", "message"}], "normalized": {...}, "tier": "low"|"medium"|"high"}. A resend of an accepted record \
            (the same dedupe key) is rejected. The counts go to standard error; they add up to the lines read. They are also \
            kept in the configuration's audit trail, with the input's SHA-256: the route's data-readiness evidence (keel readiness).
            """
    )

    @OptionGroup var storage: StorageOptions
    @Option(help: "The route whose contract and risk policy apply.") var route: String
    @Option(help: "The JSONL file of records ('-' for standard input).") var input: String

    func run() async throws {
        let configuration = try storage.configuration()
        guard let found = configuration.routes.first(where: { $0.name == route }) else {
            throw ValidationError("there is no route '\(route)' in \(storage.config)")
        }
        guard found.contract != nil else { throw ValidationError("the route '\(route)' has no contract section") }
        let text = try inputText(input)
        let evidence = try await storage.withStorage { storage in
            try await SampleValidation.run(
                route: found,
                text: text,
                source: input == "-" ? "standard input" : URL(fileURLWithPath: input).lastPathComponent,
                storage: storage,
                by: commandActor("keel validate")
            ) { print(JSONValue.object($0).jsonString) }
        }
        let counts = ContractOutcome.Status.allCases.map { "\(evidence.counts[$0] ?? 0) \($0.rawValue)" }
        FileHandle.standardError.write(Data("\(counts.joined(separator: ", ")) of \(evidence.records) records\n".utf8))
    }
}
