import Foundation
import KeelCore
import Testing

/// A contract's policies one by one — payloads as strings, versions and upgrades, null markers and
/// missing fields, the schema, duplicates — its configuration's errors, the risk rules, and
/// `keel validate` as a process.
@Suite struct ContractTests {
    static let today = ISO8601DateFormatter().date(from: "2026-06-01T12:00:00Z")!

    static func contract(_ json: JSONValue) throws(KeelError) -> InputContract { try InputContract(json: json, path: "routes.r.contract") }

    @Test func aStringHoldingJSONIsReadAndAnythingElseIsAProblemOfTheRecord() throws {
        let contract = try Self.contract(["fields": ["n": ["integer"]]])
        #expect(contract.check(#"{"n": "42"}"#, today: Self.today).normalized?["n"] == 42)
        for payload: JSONValue? in ["{not json", 12, nil, ["a list"]] {
            let outcome = contract.check(payload, today: Self.today)
            #expect(outcome.status == .rejected && outcome.problems.map(\.code) == [.invalidPayload], "\(String(describing: payload))")
        }
    }

    @Test func oldRecordsAreUpgradedStepByStepAndUnknownVersionsAreNotGuessed() throws {
        let contract = try Self.contract([
            "quarantine": true,
            "versions": [
                "field": "v", "current": 3, "missing": 1,
                "upgrades": [
                    ["from": 1, "rename": ["nm": "name"], "values": ["kind": ["P": "person", "C": "company"]], "drop": ["fax"]],
                    ["from": 2, "rename": ["name": "full_name"], "set": ["channel": "legacy"], "steps": ["opened": [["date": ["order": "MDY"]]]]],
                ],
            ],
            "fields": ["opened": [["date": [:]]]],
        ])
        let first = contract.check(["nm": "Ada", "kind": "c", "fax": "123", "opened": "03/04/2020"], today: Self.today)
        #expect(first.status == .accepted)
        #expect(
            first.normalized == JSONObject([("full_name", "Ada"), ("kind", "company"), ("opened", "2020-03-04"), ("v", 3), ("channel", "legacy")]),
            "\(String(describing: first.normalized))"
        )
        let current = contract.check(["v": "3", "full_name": "Ada", "opened": "03/04/2020"], today: Self.today)
        #expect(current.normalized?["opened"] == "2020-04-03", "a current record's dates are day first")
        let future = contract.check(["v": 9], today: Self.today)
        #expect(future.status == .quarantined && future.problems.map(\.field) == ["/v"] && future.problems[0].code == .unknownVersion)
    }

    @Test func nullMarkersAreNullAndTheMissingPolicyDecidesWhatThatMeans() throws {
        let contract = try Self.contract([
            "quarantine": true,
            "missing": ["email": nil, "channel": ["default": "web"], "phone": "quarantine", "customer_id": "reject"],
        ])
        let kept = contract.check(["customer_id": "C1", "email": " N/A ", "phone": "+44 20 7946 0958"], today: Self.today)
        #expect(kept.status == .accepted && kept.normalized?["email"] == .null && kept.normalized?["channel"] == "web")
        let noPhone = contract.check(["customer_id": "C1", "phone": "-"], today: Self.today)
        #expect(noPhone.status == .quarantined && noPhone.problems.map(\.field) == ["/phone"])
        let noCustomer = contract.check(["phone": "x"], today: Self.today)
        #expect(noCustomer.status == .rejected && noCustomer.problems.map(\.field) == ["/customer_id"], "rejected even with quarantine on")
    }

    @Test func everyFieldsErrorIsReportedOnceAtItsPlace() throws {
        let contract = try Self.contract([
            "fields": ["amount": [["amount": [:]]], "when": [["date": [:]]]],
            "schema": [
                "type": "object", "required": ["amount", "when", "name"],
                "properties": ["amount": ["type": "number", "minimum": 0], "when": ["type": "string"], "age": ["type": "integer"]],
            ],
        ])
        let outcome = contract.check(["amount": "lots", "when": "yesterday", "age": "12"], today: Self.today)
        #expect(outcome.status == .rejected, "quarantine is off")
        let problems = outcome.problems.map { "\($0.field) \($0.code.rawValue)" }.sorted()
        #expect(problems == ["/age schema", "/amount invalid_amount", "/name schema", "/when invalid_date"], "\(problems)")
        let negative = contract.check(["amount": "-€5", "when": "2024-01-01", "name": "x"], today: Self.today)
        #expect(negative.problems.map(\.field) == ["/amount"] && negative.problems[0].message.contains("0"), "\(negative.problems)")
    }

    @Test func aResendUnderTheSameKeyIsRejectedInABatch() throws {
        let contract = try Self.contract(["dedupe": ["key": ["customer", "claim"]], "fields": ["customer": ["upper"]]])
        var batch = BatchValidation(contract: contract, risk: nil, today: Self.today)
        let first = batch.validate(line: #"{"id": 1, "payload": {"customer": "c1", "claim": "x"}}"#, number: 1)
        let again = batch.validate(line: #"{"id": 2, "payload": "{\"customer\": \" C1 \", \"claim\": \"x\"}"}"#, number: 2)
        let other = batch.validate(line: #"{"id": 3, "payload": {"customer": "c1", "claim": "y"}}"#, number: 3)
        let broken = batch.validate(line: "not json", number: 4)
        #expect([first, again, other, broken].map { $0["status"] } == ["accepted", "rejected", "accepted", "rejected"])
        #expect(again["errors"]?.arrayValue?.first?.objectValue?["code"] == "duplicate")
        #expect(batch.counts[.accepted] == 2 && batch.counts[.rejected] == 2 && broken["id"] == .null)
    }

    @Test(
        arguments: [
            (["fields": ["a": ["shout"]]], "routes.r.contract.fields.a.0"),
            (["fields": ["a": [["map": "nowhere"]]]], "routes.r.contract.fields.a.0.map"),
            (["missing": ["a": "maybe"]], "routes.r.contract.missing.a"), (["schema": ["$ref": "#/nowhere"]], "routes.r.contract.schema"),
            (["schema": ["type": 12]], "routes.r.contract.schema"),
            (["schema": ["properties": ["a": ["minLength": -1]]]], "routes.r.contract.schema"),
            (["versions": ["current": 2, "upgrades": [["from": 2]]]], "routes.r.contract.versions.upgrades.0.from"),
            (["colour": 1], "routes.r.contract.colour"),
            (["fields": ["d": [["date": ["two_digit_year": ["age": [0, 200]]]]]]], "routes.r.contract.fields.d.0.date.two_digit_year"),
            (["dedupe": ["key": []]], "routes.r.contract.dedupe.key"),
        ] as [(JSONValue, String)]
    )
    func aContractThatDoesNotReadSaysWhere(json: JSONValue, param: String) {
        do throws(KeelError) {
            _ = try Self.contract(json)
            Issue.record("\(json) was read")
        } catch {
            #expect(error.param == param, "\(error)")
        }
    }

    @Test func riskRulesGiveTheTierAndSayWhy() throws {
        let policy = try RiskPolicy(
            json: [
                "values": ["high_risk_countries": ["RU", "IR"], "eur_rates": ["EUR": 1, "USD": 0.5]],
                "derive": ["amount_eur": "amount * eur_rates[currency]"],
                "high": ["amount_eur >= 10000", #"segment == "vip" and not (note contains "routine")"#, "country in high_risk_countries"],
                "medium": [#"note contains_any ["dispute", "FRAUD"]"#, "answer.confidence < 0.7", #"email matches "@example\\.org$""#],
            ],
            path: "risk"
        )
        func assess(_ record: JSONValue, answer: JSONValue? = nil) -> RiskPolicy.Assessment { policy.assess(record.objectValue!, answer: answer) }
        func tier(_ record: JSONValue, answer: JSONValue? = nil) -> RiskTier { assess(record, answer: answer).tier }
        #expect(tier(["amount": 19_000, "currency": "USD"]) == .low, "9,500 EUR")
        #expect(tier(["amount": 21_000, "currency": "USD"]) == .high)
        #expect(assess(["amount": 21_000, "currency": "USD"]).derived["amount_eur"]?.doubleValue == 10_500)
        #expect(tier(["segment": "VIP", "note": "first claim"]) == .high, "strings compare in any case")
        #expect(tier(["segment": "vip", "note": "Routine check"]) == .low)
        #expect(tier(["country": "ir"]) == .high)
        #expect(tier(["note": "Customer raised a dispute"]) == .medium)
        #expect(tier(["note": "x"], answer: ["confidence": 0.5]) == .medium && tier(["note": "x"], answer: ["confidence": 0.9]) == .low)
        #expect(tier(["email": "a@example.org"]) == .medium && tier(["email": "a@example.org.uk"]) == .low)
        #expect(tier([:]) == .low, "a rule about a missing field does not hold")
        #expect(policy.readsAnswer)
        #expect(assess(["country": "RU", "amount": 1]).reasons == ["country in high_risk_countries"])
    }

    @Test(arguments: ["amount >=", "a == (b", #"note contains "x"#, "a ! b", "and b", "x[1"])
    func aRuleThatDoesNotReadIsRefusedWithItsPlace(rule: String) {
        do throws(KeelError) {
            _ = try RiskPolicy(json: ["high": [.string(rule)]], path: "routes.r.risk")
            Issue.record("'\(rule)' was read")
        } catch {
            #expect(error.param == "routes.r.risk.high.0" && error.message.contains(rule), "\(error)")
        }
    }

    @Test func keelValidatePrintsALineARecordAndTheCountsThatAddUp() throws {
        let config = try #require(Bundle.module.url(forResource: "Fixtures/contracts/keel", withExtension: "yaml"))
        let input = try #require(Bundle.module.url(forResource: "Fixtures/contracts/intake", withExtension: "jsonl"))
        let (status, printed, summary) = try KeelProcess.run(["validate", "--config", config.path, "--route", "claims", "--input", input.path])
        #expect(status == 0, "\(summary)")
        let lines = printed.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
        #expect(lines.count == 1_000 && lines.allSatisfy { ["accepted", "quarantined", "rejected"].contains($0["status"]?.stringValue ?? "") })
        let counts = ContractOutcome.Status.allCases.map { status in lines.count { $0["status"]?.stringValue == status.rawValue } }
        #expect(summary.contains("\(counts[0]) accepted, \(counts[1]) quarantined, \(counts[2]) rejected of 1000 records"), "\(summary)")
    }
}
