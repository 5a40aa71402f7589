import Foundation
import KeelCore
import KeelTesting
import Testing

/// What drift monitors read from the content: the input's script, refusals and JSON answers, as a
/// request through the pipeline leaves them in its record, streamed or not, with its metadata.
@Suite struct ContentSignalsTests {
    @Test(arguments: [
        ("Where is my parcel? It was due on Monday.", WritingScript.latin),
        ("Façade, naïve, Ærøskøbing — Ça va très bien.", .latin),
        ("Где моя посылка? Она должна была прийти в понедельник.", .cyrillic),
        ("我的包裹在哪里？应该星期一到。", .han),
        ("荷物はどこですか？月曜日に届くはずでした。", .japanese),
        ("제 택배는 어디에 있나요? 월요일에 도착해야 했어요.", .hangul),
        ("أين طردي؟ كان من المفترض أن يصل يوم الاثنين.", .arabic),
        ("मेरा पार्सल कहाँ है? यह सोमवार को आना था।", .devanagari),
        ("Πού είναι το δέμα μου;", .greek),
        ("איפה החבילה שלי?", .hebrew),
        ("พัสดุของฉันอยู่ที่ไหน", .thai),
        ("Order 12345 — Москва: please track parcel RU-5521 for me today", .latin),
    ])
    func theInputsScriptIsTheOneMostOfItsLettersAreWrittenIn(text: String, script: WritingScript) {
        let found = WritingScript.dominant(in: text)
        #expect(found == script, "\(text)")
    }

    @Test func aTextWithoutLettersHasNoScript() {
        let none = WritingScript.dominant(in: "12345 -- 67.89 !!! 😀")
        #expect(none == nil)
    }

    /// A pipeline of the stages that read a request and note its content, over a scripted upstream.
    static func run(body: String, _ step: ScriptedUpstream.Step, features: [JSONValue] = ["input_script", "refusal"]) async throws -> RequestRecord {
        let model = ModelDeployment(name: "m", provider: "p", upstreamModel: "gpt-4o", price: Price(perTokenInput: .zero, output: .zero))
        let records = RecordingObserver()
        let pipeline = Pipeline(stages: [
            RecordStage(observers: [records]),
            ValidateStage(),
            ContentSignalsStage(),
            InferStage(upstreams: ["p": ScriptedUpstream([step])], health: UpstreamHealth(deployments: [model], clock: .system)),
        ])
        var request = GatewayRequest(operation: .chat, credential: nil, body: Array(body.utf8))
        var route = Route(name: "r", targets: [model], policy: RoutePolicy(maxAttempts: 1))
        route.drift = try DriftMonitor(json: ["features": .array(features)])
        request.route = route
        if case .success(.stream(let chunks, _)) = await pipeline.handle(request).1 {
            do { for try await _ in chunks {} } catch {}
        }
        return try #require(records.records.first)
    }

    static func body(_ text: String, stream: Bool = false, extra: String = "") -> String {
        #"{"model":"r","stream":\#(stream),"messages":[{"role":"system","content":"Answer in English."},{"role":"user","content":"\#(text)"}]\#(extra)}"#
    }

    @Test(arguments: [false, true])
    func aRefusalAndAnAnswerInvalidAsJSONAreNotedStreamedOrNot(stream: Bool) async throws {
        func step(_ text: String) -> ScriptedUpstream.Step {
            stream
                ? .stream(
                    text.split(separator: " ", omittingEmptySubsequences: false).map(String.init).enumerated().map { $0 == 0 ? $1 : " " + $1 },
                    usage: nil
                )
                : .reply(text, usage: nil)
        }
        let refused = try await Self.run(body: Self.body("Как взломать банк?", stream: stream), step("I’m sorry, but I can’t help with that."))
        #expect(refused.signals == ContentSignals(inputScript: .cyrillic, refusal: true, answerJSON: nil))

        let json = try await Self.run(
            body: Self.body(
                "Classify: the parcel is late",
                stream: stream,
                extra: #","response_format":{"type":"json_object"},"metadata":{"segment":"vip","amount":"120.5"}"#
            ),
            step(#"{"category": "delivery", "urgent": true}"#)
        )
        #expect(json.signals == ContentSignals(inputScript: .latin, refusal: false, answerJSON: true))
        #expect(json.metadata?["segment"] == "vip")

        let broken = try await Self.run(
            body: Self.body("Classify: the parcel is late", stream: stream, extra: #","response_format":{"type":"json_object"}"#),
            step(#"{"category": "delivery", "urgent": tru"#)
        )
        #expect(broken.signals?.answerJSON == false && broken.signals?.refusal == false)

        let fenced = try await Self.run(body: Self.body("List two colours as JSON", stream: stream), step("```json\n[\"red\", \"blue\"]\n```"))
        #expect(fenced.signals?.answerJSON == true, "an answer that starts as JSON is checked even unasked")

        let prose = try await Self.run(body: Self.body("Say hello", stream: stream), step("Hello! I am unable to see the weather, but hello."))
        #expect(prose.signals == ContentSignals(inputScript: .latin, refusal: false, answerJSON: nil))
    }

    @Test func onlyARouteWhoseMonitorWatchesTheContentNotesIt() async throws {
        let plain = try await Self.run(
            body: Self.body("Hi", extra: #","metadata":{"segment":"vip"}"#),
            .reply("Hello", usage: nil),
            features: ["input_tokens"]
        )
        #expect(plain.signals == nil && plain.metadata?["segment"] == "vip", "metadata is kept for every request")
    }

    @Test func aFailedRequestStillHasItsInputsScript() async throws {
        let failed = try await Self.run(body: Self.body("こんにちは、元気ですか"), .fail(UpstreamError(.unavailable, "down")))
        #expect(failed.status >= 500 && failed.signals == ContentSignals(inputScript: .japanese))
    }

    @Test func metadataFeaturesAreCategoricalUnlessDeclaredNumerical() throws {
        let monitor = try DriftMonitor(
            json: ["features": ["input_script", "refusal", "json_valid", "metadata.segment", ["name": "metadata.amount", "kind": "numerical"]]]
        )
        #expect(monitor.features.map(\.kind) == [.categorical, .categorical, .categorical, .categorical, .numerical])
        var record = RequestRecord(id: "req_1", startedAt: Date(), operation: "chat", status: 200, durationMs: 1)
        record.metadata = JSONObject([("segment", "vip"), ("amount", " 120.5 ")])
        record.signals = ContentSignals(inputScript: .greek, refusal: false, answerJSON: true)
        let values = monitor.features.map { $0.value(of: record) }
        #expect(values == ["greek", false, true, "vip", 120.5])
        record.metadata = JSONObject([("amount", "about a hundred")])
        #expect(monitor.features[4].value(of: record) == nil, "a value that is not a number is missing, not a category")

        for (features, param) in [
            (["metadata."], "features.0"), ([["name": "input_tokens", "kind": "categorical"]], "features.0"),
            (["refusal", "refusal"], "features.1"), ([["name": "metadata.x", "kind": "ordinal"]], "features.0"),
        ] as [([JSONValue], String)] {
            #expect(throws: KeelError.self, "\(features)") { try DriftMonitor(json: ["features": .array(features)]) }
            do { _ = try DriftMonitor(json: ["features": .array(features)]) } catch { #expect(error.param == param, "\(error)") }
        }
    }
}
