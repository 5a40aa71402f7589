/// A tokenizer that could not be loaded.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The named encoding is not one Keel ships.
    case unknownEncoding(String)
    /// A line of a rank file is not `BASE64 RANK`.
    case malformedRanks(line: Int)
    /// The rank file is missing from the bundle.
    case missingResource(String)

    public var description: String {
        switch self {
        case .unknownEncoding(let name): "unknown encoding '\(name)'; Keel ships o200k_base and cl100k_base"
        case .malformedRanks(let line): "the rank file is malformed at line \(line)"
        case .missingResource(let name): "the rank file \(name) is missing from Keel's resources"
        }
    }
}
