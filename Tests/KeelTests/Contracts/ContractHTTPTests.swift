import Foundation
import HTTPTypes
import HummingbirdTesting
import KeelCore
import NIOCore
import Testing

/// A route's contract and risk policy on the request path: a valid record answered with its
/// normalised metadata logged, an invalid one 422 with every field's problem and kept in
/// quarantine, a resend 409, a high-risk case held for review (202), never answered — one log row each.
@Suite struct ContractHTTPTests {
    static let route = """
        { model: chat-model, \
        contract: { input: metadata, quarantine: true, fields: { amount: [{ amount: { currency_field: currency } }], country: [country] }, \
        dedupe: { key: [order] }, schema: { type: object, required: [order, amount], properties: { amount: { type: number, minimum: 0 } } } }, \
        risk: { values: { eur: { EUR: 1, USD: 0.5 } }, derive: { amount_eur: 'amount * eur[currency]' }, high: ['amount_eur >= 10000'], \
        medium: ['country == "RU"'] } }
        """

    static func body(_ metadata: String, stream: Bool = false) -> String {
        #"{"model":"gpt-test","stream":\#(stream),"messages":[{"role":"user","content":"Classify this claim."}],"metadata":\#(metadata)}"#
    }

    @Test func recordsAreNormalisedRefusedWithEveryProblemKeptAndHeldWhenHighRisk() async throws {
        var gateway = TestGateway()
        gateway.chatRoute = Self.route
        try await gateway.test { client in
            let valid = try await client.post("/v1/chat/completions", Self.body(#"{"order":"o1","amount":"€12,50","country":" germany"}"#))
            #expect(valid.status == .ok)
            let again = try await client.post("/v1/chat/completions", Self.body(#"{"order":"o1","amount":"12.50 EUR"}"#))
            let duplicate = again.json.objectValue?["error"]?.objectValue
            #expect(again.status == .conflict && duplicate?["code"] == "duplicate_record" && duplicate?["original_request"]?.stringValue != nil)

            let invalid = try await client.post(
                "/v1/chat/completions",
                Self.body(#"{"order":"o2","amount":"lots","country":"Atlantis"}"#, stream: true)
            )
            let error = invalid.json.objectValue?["error"]?.objectValue
            #expect(invalid.status == .unprocessableContent && error?["code"] == "contract_violation" && error?["status"] == "quarantined")
            let fields = (error?["errors"]?.arrayValue ?? []).compactMap { $0.objectValue?["field"]?.stringValue }
            #expect(Set(fields) == ["/amount", "/country"] && error?["quarantine_id"]?.stringValue?.hasPrefix("qr_") == true, "\(invalid.json)")
            #expect(!String(buffer: invalid.body).contains("Atlantis"), "a problem names no value")

            let risky = try await client.post("/v1/chat/completions", Self.body(#"{"order":"o3","amount":"USD 30000"}"#, stream: true))
            let held = risky.json.objectValue
            #expect(risky.status == .accepted && held?["object"] == "review" && held?["status"] == "pending", "\(risky.json)")
            #expect(
                risky.headers[HTTPField.Name("x-keel-review-id")!] == held?["id"]?.stringValue
                    && risky.headers[HTTPField.Name("x-keel-decision")!] == nil
            )
            #expect(!String(buffer: risky.body).contains("data:"), "no answer streamed")
            let retried = try await client.post("/v1/chat/completions", Self.body(#"{"order":"o3","amount":"USD 300"}"#))
            #expect(retried.status == .conflict, "the held case keeps its dedupe key")

            let medium = try await client.post(
                "/v1/chat/completions",
                Self.body(#""{\"order\":\"o4\",\"amount\":\"5\",\"currency\":\"EUR\",\"country\":\"Russia\"}""#)
            )
            #expect(medium.status == .ok && medium.headers[HTTPField.Name("x-keel-decision")!] == "validated", "metadata as a string holding JSON")
            #expect(valid.headers[HTTPField.Name("x-keel-decision")!] == "auto")

            let rows = try await client.requestLog(count: 6)
            #expect(rows.map { $0["status"]?.integerValue } == [200, 409, 202, 422, 409, 200].map(Int64.init), "one row a request")
            let first = try #require(rows.last)
            #expect(first["metadata"] == ["order": "o1", "amount": 12.5, "currency": "EUR", "country": "DE"] && first["risk_tier"] == "low")
            #expect(rows.first?["risk_tier"] == "medium" && rows[2]["risk_tier"] == "high" && rows[2]["error_code"] == .null)
        }
    }
}
