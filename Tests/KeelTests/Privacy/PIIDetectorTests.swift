import Foundation
import KeelCore
import Testing

/// PII detection: on 1,000 generated messages with known PII and hard look-alikes
/// (`Fixtures/pii/generate.py`), recall and precision per structured type; and the rules that
/// tell a value from its look-alike, one by one.
@Suite struct PIIDetectorTests {
    let detector = PIIDetector()

    /// The types of the spans found in `text`, and the text of each.
    func found(_ text: String, _ detector: PIIDetector = PIIDetector()) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return detector.scan(text).map { "\($0.type):\(String(String.UnicodeScalarView(scalars[$0.start..<$0.end])))" }
    }

    @Test func theCorpusIsFoundWithRecallAndPrecisionPerType() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/pii/corpus", withExtension: "jsonl"))
        var counts: [PIIType: (tp: Int, fp: Int, fn: Int)] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let message = try #require(try JSONParser.parse(String(line)).objectValue)
            let text = try #require(message["text"]?.stringValue)
            var truth = (message["spans"]?.arrayValue ?? []).compactMap(\.objectValue).map { span in
                (
                    start: Int(span["start"]?.integerValue ?? 0), end: Int(span["end"]?.integerValue ?? 0),
                    type: PIIType(rawValue: span["type"]?.stringValue ?? ""), matched: false
                )
            }
            for span in detector.scan(text) {
                if let index = truth.firstIndex(where: { !$0.matched && $0.type == span.type && $0.start < span.end && span.start < $0.end }) {
                    truth[index].matched = true
                    counts[span.type, default: (0, 0, 0)].tp += 1
                } else {
                    counts[span.type, default: (0, 0, 0)].fp += 1
                }
            }
            for span in truth where !span.matched { counts[span.type, default: (0, 0, 0)].fn += 1 }
        }
        for type in PIIType.structured {
            let count = counts[type] ?? (0, 0, 0)
            let recall = Double(count.tp) / Double(max(count.tp + count.fn, 1))
            let precision = Double(count.tp) / Double(max(count.tp + count.fp, 1))
            #expect(count.tp + count.fn > 100, "\(type) is in the corpus")
            #expect(recall >= 0.99 && precision >= 0.97, "\(type): recall \(recall), precision \(precision) (\(count))")
        }
    }

    @Test func valuesPassTheirRulesAndLookAlikesDoNot() {
        #expect(found("Pay with 4111 1111 1111 1111 today.") == ["card:4111 1111 1111 1111"])
        #expect(found("Pay with 4111 1111 1111 1112 today.").isEmpty, "Luhn fails")
        #expect(found("Order #4111111111111111 shipped.").isEmpty, "an order number, even one that passes Luhn")
        #expect(
            found("You said: Hello, Refund it to 378249834386135 please.") == ["card:378249834386135"],
            "a word the context window cuts (`said` seen from `id`) is not a reference word"
        )
        #expect(found("Send it to GB82 WEST 1234 5698 7654 32.") == ["iban:GB82 WEST 1234 5698 7654 32"])
        #expect(found("Send it to GB83 WEST 1234 5698 7654 32.").isEmpty, "mod 97 fails")
        #expect(found("SSN 078-05-1121 and 666-12-3456 and 912-34-5678") == ["ssn:078-05-1121"], "areas never issued")
        #expect(found("NI: AB 12 34 56 C, not QQ 12 34 56 C nor GB123456A") == ["nino:AB 12 34 56 C"])
        #expect(found("from 192.168.10.1, not 256.1.1.1, v1.2.3.4 or 1.2.3.4.5") == ["ipv4:192.168.10.1"])
        #expect(found("from 2001:db8::8a2e:370:7334 at 10:30:00, MAC 00:1a:2b:3c:4d:5e") == ["ipv6:2001:db8::8a2e:370:7334"])
        #expect(found("id 123e4567-e89b-12d3-a456-426614174000, sha a94a8fe5ccb19ba61c4c0873d391e987982fbbd3, 2024-03-15T10:30:00Z").isEmpty)
        #expect(found("Call me on +44 20 7946 0958 or (415) 555-2671.") == ["phone:+44 20 7946 0958", "phone:(415) 555-2671"])
        #expect(found("Logged at 1712345678, invoice 4155552671, room 4155552671").isEmpty, "a national number needs a phone word")
        #expect(found("Write to ana.silva+work@mail.example.co.uk.") == ["email:ana.silva+work@mail.example.co.uk"])
        #expect(found("key sk-proj-abcDEF1234567890abcDEF1234567890abcd and AKIAIOSFODNN7EXAMPLE").map { $0.prefix(7) } == ["secret:", "secret:"])
        #expect(found("password: Tr0ub4dor&3, the token expired, key findings: none") == ["secret:Tr0ub4dor&3"])
    }

    @Test func offsetsAreCodePointsAndTheWeakTierIsOptIn() {
        let text = "Olá 😀 José, mail é@x.io? no: jose@example.pt. I'm Ana Silva at 221B Baker Street."
        let spans = detector.scan(text)
        let scalars = Array(text.unicodeScalars)
        #expect(spans.map { String(String.UnicodeScalarView(scalars[$0.start..<$0.end])) } == ["jose@example.pt"])
        let weak = PIIDetector(types: Set(PIIType.structured + PIIType.weak))
        #expect(found(text, weak) == ["email:jose@example.pt", "person:Ana Silva", "address:221B Baker Street"])
    }

    @Test func moreTypesComeFromAPatternAndAValidator() throws {
        let employee = PIIDetector.CustomType(type: PIIType(rawValue: "employee_id"), pattern: try NSRegularExpression(pattern: #"\bEMP-\d{6}\b"#))
        let account = PIIDetector.CustomType(
            type: PIIType(rawValue: "account"),
            pattern: try NSRegularExpression(pattern: #"\b\d{16}\b"#),
            validator: .luhn,
            context: ["account"]
        )
        let detector = PIIDetector(types: [], custom: [employee, account])
        #expect(
            found("EMP-123456 moved account 4111111111111111, not 4111111111111112", detector) == [
                "employee_id:EMP-123456", "account:4111111111111111",
            ]
        )
        #expect(detector.scan("account 4111111111111111").first?.score == 1.0, "a context word raises the score")
    }
}
