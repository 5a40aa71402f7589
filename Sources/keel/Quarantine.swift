import ArgumentParser
import Foundation
import KeelApp
import KeelCore
import KeelStore

struct Quarantine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Requests a route's contract refused and kept, with their reasons: list, show, and replay them after a fix.",
        subcommands: [List.self, Show.self, Replay.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest quarantined requests, with their problems.")

        @OptionGroup var storage: StorageOptions
        @Option(help: "Only this route's.") var route: String?
        @Option(help: "Only those held (waiting for a fix) or replayed.") var status: QuarantinedRequest.Status?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            let held = try await storage.withStorage { storage in
                try await storage.quarantine.quarantined(route: route, status: status, in: .all, limit: limit)
            }
            for request in held {
                if json {
                    print(JSONValue.object(request.json(body: false)).jsonString)
                } else {
                    let problems = request.problems.map { "\($0.field.isEmpty ? "record" : $0.field) \($0.code.rawValue)" }.joined(separator: ", ")
                    print("\(request.id)  \(request.receivedAt.formatted(.iso8601))  \(request.route)  \(request.status.rawValue)  \(problems)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A quarantined request: its problems and the body as the client sent it (JSON).")

        @OptionGroup var storage: StorageOptions
        @Argument(help: "The quarantine id (qr_…).") var id: String

        func run() async throws {
            guard let request = try await storage.withStorage({ try await $0.quarantine.quarantined(id: id) }) else {
                throw ValidationError("there is no quarantined request '\(id)'")
            }
            print(JSONValue.object(request.json(body: true)).jsonString)
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check held requests again under the current configuration and send on those that now pass.",
            discussion: """
                After a fix of the contract (or of the upstream data), a held request that now passes is sent through the \
                route in process, as the key that sent it, and marked replayed with the new request's id; one that still fails \
                stays held. Each line of output is {"id", "status", "request_id" | "problems", "answer"}.
                """
        )

        @OptionGroup var storage: StorageOptions
        @Option(help: "Replay every held request of this route.") var route: String?
        @Argument(help: "Quarantine ids (qr_…).") var ids: [String] = []

        func validate() throws {
            guard route != nil || !ids.isEmpty else { throw ValidationError("name quarantine ids, or a --route whose held requests to replay") }
        }

        func run() async throws {
            let configuration = try storage.configuration()
            var failed = false
            try await storage.withStorage { storage in
                var held: [QuarantinedRequest] = []
                for id in ids {
                    guard let request = try await storage.quarantine.quarantined(id: id) else {
                        throw ValidationError("there is no quarantined request '\(id)'")
                    }
                    held.append(request)
                }
                if let route { held += try await storage.quarantine.quarantined(route: route, status: .held, in: .all, limit: 10_000).reversed() }
                try await EvaluationGateway.with(configuration: configuration, storage: storage, team: nil) { gateway in
                    for request in held where request.status == .held {
                        let line = try await replay(request, gateway: gateway, configuration: configuration, storage: storage)
                        failed = failed || line["status"] != "replayed"
                        print(JSONValue.object(line).jsonString)
                    }
                }
            }
            if failed { throw ExitCode(1) }
        }

        private func replay(
            _ request: QuarantinedRequest,
            gateway: EvaluationGateway,
            configuration: KeelConfiguration,
            storage: KeelStorage
        ) async throws -> JSONObject {
            func held(_ problems: [ContractProblem]) -> JSONObject {
                JSONObject([("id", .string(request.id)), ("status", "held"), ("problems", .array(problems.map(\.json)))])
            }
            guard let route = configuration.routes.first(where: { $0.name == request.route }) else {
                return held([ContractProblem(field: "", code: .invalidPayload, message: "The route '\(request.route)' is no longer configured.")])
            }
            // A replayed answer goes to the log and this output, not to a stream.
            guard var body = try? JSONParser.parse(request.body).objectValue, let chat = try? ChatCompletionRequest(json: .object(body)) else {
                return held([ContractProblem(field: "", code: .invalidPayload, message: "The stored body is not a chat request.")])
            }
            // Checked first, so that a request that still fails is not quarantined a second time.
            if let contract = route.contract {
                let outcome = contract.check(contract.input(of: chat), today: Date())
                guard outcome.status == .accepted else { return held(outcome.problems) }
            }
            guard let keyID = request.keyID, let key = try await storage.keys.key(id: keyID), key.revokedAt == nil else {
                return held([ContractProblem(field: "", code: .invalidPayload, message: "The key that sent the request is revoked or gone.")])
            }
            body["stream"] = nil
            body["stream_options"] = nil
            let (record, result) = await gateway.send(.chat, body: .object(body), as: key)
            switch result {
            case .success(let response):
                let requestID = record?.id ?? ""
                try await storage.quarantine.markReplayed(id: request.id, as: requestID, at: Date())
                var line = JSONObject([("id", .string(request.id)), ("status", "replayed"), ("request_id", .string(requestID))])
                switch response {
                case .completion(let completion): line["answer"] = JSONValue(completion.content)
                // A high-tier case waits for a person like any other: its answer comes with the decision.
                case .held(let reviewID): line["review_id"] = .string(reviewID)
                case .stream, .embeddings: break
                }
                return line
            case .failure(let error):
                let presented = KeelError(presenting: error)
                return JSONObject([("id", .string(request.id)), ("status", "held"), ("error", .string(presented.message))])
            }
        }
    }
}

extension QuarantinedRequest.Status: ExpressibleByArgument {}
