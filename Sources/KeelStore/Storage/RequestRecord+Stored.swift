import KeelCore

/// How both backends keep the request log's newer facts: finish reasons joined by commas (none
/// holds one), `metadata` as its JSON text, and the content signals in columns of their own.
extension RequestRecord {
    var storedFinishReasons: String? { finishReasons.isEmpty ? nil : finishReasons.joined(separator: ",") }

    var storedMetadata: String? { metadata.map(\.jsonText) }

    mutating func restore(finishReasons stored: String?, metadata storedMetadata: String?) {
        finishReasons = stored.map { $0.split(separator: ",").map(String.init) } ?? []
        metadata = storedMetadata.flatMap { try? JSONParser.parse($0).objectValue }
    }

    mutating func restoreSignals(inputScript: String?, refusal: Bool?, answerJSON: Bool?) {
        guard inputScript != nil || refusal != nil || answerJSON != nil else { return }
        signals = ContentSignals(inputScript: inputScript.flatMap(WritingScript.init(rawValue:)), refusal: refusal, answerJSON: answerJSON)
    }
}
