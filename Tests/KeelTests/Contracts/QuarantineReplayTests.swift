import Foundation
import KeelApp
import KeelCore
import KeelStore
import Testing

/// `keel quarantine replay` as a process: after a fix of the contract, a held request that now
/// passes is sent through its route as the key that sent it and marked replayed; one that still
/// fails stays held, and the command says so.
@Suite struct QuarantineReplayTests {
    static func yaml(storage: String, amountSteps: String) -> String {
        """
        storage: \(storage)
        log: { level: error }
        providers:
          sim: { type: simulated, latency: { p50_ms: 0, p99_ms: 0 }, tokens_per_second: 0 }
        models:
          sim-mini: { provider: sim, price: { input: 1, output: 2 } }
        routes:
          claims:
            model: sim-mini
            contract:
              input: metadata
              quarantine: true
              fields: { amount: \(amountSteps) }
              schema: { type: object, required: [amount], properties: { amount: { type: number } } }
        """
    }

    @Test func aFixedContractLetsAHeldRequestThroughOnceAndLeavesTheOthersHeld() async throws {
        try await withTemporaryDirectory { directory in
            try await TestBackend.gateway.withConfiguration { storage in
                let (storageYAML, environment) = storage.processSettings
                let key = APIKeySecret.generate().key(name: "intake", role: .app, team: "claims-team")
                func held(_ amount: String) -> QuarantinedRequest {
                    QuarantinedRequest(
                        route: "claims",
                        team: "claims-team",
                        keyID: key.id,
                        receivedAt: Date(),
                        body:
                            #"{"model":"claims","stream":true,"messages":[{"role":"user","content":"Assess."}],"metadata":{"amount":"\#(amount)"}}"#,
                        problems: [ContractProblem(field: "/amount", code: .invalidAmount, message: "is not an amount.")]
                    )
                }
                let fixable = held("twelve")
                let hopeless = held("lots")
                try await KeelStorage.with(storage, logger: TestBackend.quiet) { storage in
                    try await storage.keys.insert(key)
                    try await storage.quarantine.quarantine(fixable)
                    try await storage.quarantine.quarantine(hopeless)
                }
                // The fix: the contract learns the word upstream systems send.
                let config = "\(directory)/keel.yaml"
                try Self.yaml(storage: storageYAML, amountSteps: #"[{ map: { twelve: "12" } }, { amount: {} }]"#)
                    .write(toFile: config, atomically: true, encoding: .utf8)
                let (status, printed, _) = try KeelProcess.run(
                    ["quarantine", "replay", "--config", config, "--route", "claims"],
                    environment: environment
                )
                #expect(status == 1, "one request is still held")
                let lines = printed.split(separator: "\n").compactMap {
                    try? JSONParser.parse(String($0)).objectValue
                }
                let replayed = try #require(lines.first { $0["id"]?.stringValue == fixable.id })
                #expect(replayed["status"] == "replayed" && replayed["answer"]?.stringValue?.isEmpty == false, "\(lines)")
                #expect(lines.first { $0["id"]?.stringValue == hopeless.id }?["status"] == "held")

                try await KeelStorage.with(storage, logger: TestBackend.quiet) { storage in
                    let fixed = try #require(try await storage.quarantine.quarantined(id: fixable.id))
                    #expect(fixed.status == .replayed && fixed.replayedAs == replayed["request_id"]?.stringValue)
                    #expect(try await storage.quarantine.quarantined(id: hopeless.id)?.status == .held)
                    let record = try #require(try await storage.log.requests(matching: RequestQuery(id: fixed.replayedAs, limit: 1)).first)
                    #expect(record.status == 200 && record.keyID == key.id && record.team == "claims-team" && record.metadata?["amount"] == 12)
                    #expect(
                        try await storage.quarantine.quarantined(route: "claims", status: nil, in: .all, limit: 10).count == 2,
                        "nothing quarantined twice"
                    )
                }
            }
        }
    }
}
