import Foundation

/// A country of ISO 3166-1 with its names and telephone numbering, from the bundled table
/// (`Countries/countries.json`, generated from pycountry and libphonenumber's metadata).
public struct Country: Sendable, Hashable {
    public var alpha2: String
    public var alpha3: String
    public var names: [String]
    public var phone: Numbering?

    /// How the country's telephone numbers are written: `+code`, then a national number of one of
    /// its kinds (fixed line, mobile, toll free, …: each a set of lengths and a pattern); written
    /// nationally, the number starts with `trunk`.
    public struct Numbering: Sendable, Hashable {
        public var code: Int
        public var trunk: String?
        public var kinds: [Kind]
    }

    /// One kind of the country's numbers (fixed line, mobile, toll free, …): its lengths and pattern.
    public struct Kind: Sendable, Hashable {
        public var lengths: Set<Int>
        public var pattern: String
    }

    /// Every country, by its codes and names.
    public static let all: [Country] = {
        guard let url = Bundle.module.url(forResource: "countries", withExtension: "json", subdirectory: "Countries"),
            let data = try? Data(contentsOf: url), let table = try? JSONParser.parse([UInt8](data))
        else { preconditionFailure("KeelCore's bundled countries.json is missing or unreadable.") }
        return (table.objectValue?["countries"]?.arrayValue ?? []).compactMap { item -> Country? in
            guard let object = item.objectValue, let alpha2 = object["alpha2"]?.stringValue, let alpha3 = object["alpha3"]?.stringValue else {
                return nil
            }
            let phone = object["phone"]?.objectValue.flatMap { phone -> Numbering? in
                guard let code = phone["code"]?.integerValue else { return nil }
                let kinds = (phone["kinds"]?.arrayValue ?? []).compactMap { kind -> Kind? in
                    guard let pattern = kind.objectValue?["pattern"]?.stringValue else { return nil }
                    return Kind(
                        lengths: Set((kind.objectValue?["lengths"]?.arrayValue ?? []).compactMap { $0.integerValue.map(Int.init) }),
                        pattern: pattern
                    )
                }
                return Numbering(code: Int(code), trunk: phone["trunk"]?.stringValue, kinds: kinds)
            }
            return Country(alpha2: alpha2, alpha3: alpha3, names: (object["names"]?.arrayValue ?? []).compactMap(\.stringValue), phone: phone)
        }
    }()

    /// Names intake data uses that ISO's table does not have: short forms, older names, names in the country's languages.
    static let aliases: [String: String] = [
        "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "united states of america": "US",
        "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
        "northern ireland": "GB", "russia": "RU", "россия": "RU", "south korea": "KR", "korea": "KR", "north korea": "KP",
        "iran": "IR", "vietnam": "VN", "syria": "SY", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "laos": "LA",
        "moldova": "MD", "czech republic": "CZ", "ivory coast": "CI", "turkey": "TR", "türkiye": "TR", "macedonia": "MK",
        "taiwan": "TW", "palestine": "PS", "vatican": "VA", "brunei": "BN", "cape verde": "CV", "swaziland": "SZ", "burma": "MM",
        "holland": "NL", "the netherlands": "NL", "nederland": "NL", "deutschland": "DE", "espana": "ES", "españa": "ES",
        "italia": "IT", "brasil": "BR", "méxico": "MX", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "sverige": "SE",
        "norge": "NO", "danmark": "DK", "polska": "PL", "österreich": "AT", "osterreich": "AT", "belgique": "BE", "belgië": "BE",
        "suomi": "FI", "éire": "IE", "eire": "IE", "magyarország": "HU", "česko": "CZ", "hrvatska": "HR", "ελλάδα": "GR",
        "nippon": "JP", "日本": "JP", "中国": "CN", "한국": "KR", "uae": "AE", "emirates": "AE", "the bahamas": "BS", "the gambia": "GM",
    ]

    /// Countries by every code and name, folded (``foldedKey(_:)``).
    static let byKey: [String: Country] = {
        var table: [String: Country] = [:]
        for country in all {
            for key in [country.alpha2, country.alpha3] + country.names { table[foldedKey(key)] = country }
            // ISO writes "Korea, Republic of"; people write "Republic of Korea".
            for name in country.names {
                let parts = name.components(separatedBy: ", ")
                if parts.count == 2 { table[foldedKey("\(parts[1]) \(parts[0])")] = table[foldedKey("\(parts[1]) \(parts[0])")] ?? country }
            }
        }
        let byCode = Dictionary(uniqueKeysWithValues: all.map { ($0.alpha2, $0) })
        for (alias, code) in aliases { table[foldedKey(alias)] = byCode[code] }
        return table
    }()

    /// A name or code as the table is keyed: case, diacritics and punctuation aside.
    static func foldedKey(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        return String(folded.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == " " }.map(Character.init))
            .split(separator: " ").joined(separator: " ")
    }

    /// The country a code (alpha-2 or alpha-3) or name names, in any case, with or without diacritics.
    public static func named(_ text: String) -> Country? { byKey[foldedKey(text)] }
}
