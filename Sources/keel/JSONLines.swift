import Foundation

/// The non-blank lines of a JSONL file (`-` for standard input), each with its number from 1.
func jsonLines(_ path: String) throws -> [(number: Int, text: String)] {
    try inputText(path).split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
        line.allSatisfy(\.isWhitespace) ? nil : (index + 1, String(line))
    }
}

/// The whole text of a file (`-` for standard input).
func inputText(_ path: String) throws -> String {
    path == "-"
        ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : try String(contentsOfFile: path, encoding: .utf8)
}
