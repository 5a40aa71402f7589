import Crypto

/// Hex SHA-256 and hex bytes: API key hashes, request fingerprints, the audit chain, data subjects.
public enum Digest {
    public static func sha256Hex(_ text: String) -> String { hex(SHA256.hash(data: Array(text.utf8))) }

    /// `bytes` in lowercase hexadecimal (a digest, a MAC), two digits a byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in bytes {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
