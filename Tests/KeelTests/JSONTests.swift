import Foundation
import KeelCore
import Testing

@Suite struct JSONTests {
    @Test func roundTripKeepsKeyOrderAndExactIntegers() throws {
        let text = #"{"z":1,"a":[true,false,null],"seed":9007199254740993,"t":0.25,"s":"x\"y\\z\n\u00e9"}"#
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?.keys == ["z", "a", "seed", "t", "s"])
        #expect(value.objectValue?["seed"] == .integer(9_007_199_254_740_993))
        #expect(value.objectValue?["s"]?.stringValue == "x\"y\\z\né")
        #expect(try JSONParser.parse(value.jsonString) == value)
    }

    @Test func surrogatePairsDecodeToOneScalar() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: [
        ("", "unexpected end of input"), ("{", "expected a string key"), (#"{"a" 1}"#, "expected ':'"), ("[1,]", "unexpected character"),
        ("01", "unexpected data"), (#""\ud800""#, "unpaired surrogate"), ("tru", "unexpected end of input"), ("{} x", "unexpected data"),
        ("\"a\u{01}\"", "control character"), ("1e999", "out of range"), ("nul", "unexpected end"),
    ])
    func malformedDocumentsAreRejectedWithAReason(text: String, reason: String) {
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            (error as? JSONParser.SyntaxError)?.reason.contains(reason) == true
        }
    }

    @Test func integersOfEveryLengthAreExact() throws {
        for text in ["0", "-0", "7", "-42", "123456789012345678", "-999999999999999999", "9223372036854775807", "-9223372036854775808"] {
            #expect(try JSONParser.parse(text) == .integer(Int64(text)!), "\(text)")
        }
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808), "past Int64, a double")
    }

    @Test func unescapedStringsAreValidatedUnlessASCII() throws {
        #expect(try JSONParser.parse(Array(#""plain ascii""#.utf8)) == .string("plain ascii"))
        #expect(try JSONParser.parse(Array("\"caf\u{e9} \u{1F600}\"".utf8)) == .string("caf\u{e9} \u{1F600}"))
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse([0x22, 0x61, 0xC3, 0x28, 0x22]) }  // "a" + a broken sequence
        #expect(JSONValue.string("caf\u{e9} \"q\"").jsonString == #""café \"q\"""#)
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func controlCharactersAreEscapedOnOutput() {
        #expect(JSONValue.string("a\u{01}b\tc").jsonString == #""a\u0001b\tc""#)
    }

    @Test func settingAKeyKeepsItsPlace() {
        var object = JSONObject([("a", 1), ("b", 2), ("c", 3)])
        object["b"] = "two"
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object["b"] == "two")
    }

    /// RFC 8259 conformance: JSONTestSuite's `y_` files parse, its `n_` files are refused, and its
    /// `i_` files go either way, none crashing.
    @Test func everyFileOfJSONTestSuite() throws {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures/jsontestsuite/test_parsing", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count == 318)
        var wronglyRejected: [String] = []
        var wronglyAccepted: [String] = []
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file)))
            let accepted = (try? JSONParser.parse(bytes)) != nil
            if file.hasPrefix("y_"), !accepted { wronglyRejected.append(file) }
            if file.hasPrefix("n_"), accepted { wronglyAccepted.append(file) }
        }
        #expect(wronglyRejected.isEmpty, "valid documents refused: \(wronglyRejected)")
        #expect(wronglyAccepted.isEmpty, "invalid documents accepted: \(wronglyAccepted)")
    }
}
