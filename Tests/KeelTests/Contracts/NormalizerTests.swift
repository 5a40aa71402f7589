import Foundation
import KeelCore
import Testing

/// The normalisers one by one, on values written by hand in the ways records write them.
@Suite struct NormalizerTests {
    static let today = ISO8601DateFormatter().date(from: "2026-06-01T12:00:00Z")!

    @Test(arguments: [
        ("2024-03-05", DateReading.Order.dayFirst, "2024-03-05"), ("05/03/2024", .dayFirst, "2024-03-05"), ("05/03/2024", .monthFirst, "2024-05-03"),
        ("5.3.2024", .dayFirst, "2024-03-05"), ("25/12/2024", .monthFirst, "2024-12-25"), ("12/25/2024", .dayFirst, "2024-12-25"),
        ("20240305", .dayFirst, "2024-03-05"), ("2024/3/5", .monthFirst, "2024-03-05"), ("March 5, 2024", .dayFirst, "2024-03-05"),
        ("5 Mar 2024", .monthFirst, "2024-03-05"), ("5th March 2024", .dayFirst, "2024-03-05"), ("05-mar-24", .dayFirst, "2024-03-05"),
        ("2024-03-05T23:59:59+02:00", .dayFirst, "2024-03-05"), ("2024-03-05 10:00", .dayFirst, "2024-03-05"),
        ("3 mars 2024", .dayFirst, "2024-03-03"),
        ("1. Dezember 2023", .dayFirst, "2023-12-01"), ("29/02/2024", .dayFirst, "2024-02-29"), ("5 de março de 2024", .dayFirst, "2024-03-05"),
        ("5 maart 2024", .monthFirst, "2024-03-05"), ("2024年3月5日", .monthFirst, "2024-03-05"), ("2024년 12월 25일", .dayFirst, "2024-12-25"),
    ])
    func datesInMixedFormatsAreISO(text: String, order: DateReading.Order, iso: String) throws {
        let read = try DateReading(order: order).iso(text, today: Self.today)
        #expect(read == iso, "\(text)")
    }

    @Test(arguments: ["29/02/2023", "31/04/2024", "2024-13-01", "someday", "12/2024", "1/2/3/4", ""])
    func aDateNotOnTheCalendarIsRefused(text: String) {
        #expect(throws: FieldFailure.self, "\(text)") { try DateReading().iso(text, today: Self.today) }
    }

    @Test func aTwoDigitYearIsReadByItsRule() throws {
        let birth = DateReading(order: .dayFirst, century: .age(18...99))
        #expect(try birth.iso("04/07/85", today: Self.today) == "1985-07-04")
        #expect(try birth.iso("04/07/05", today: Self.today) == "2005-07-04", "20 years old")
        #expect(throws: FieldFailure.self, "2015 makes 10 and 1915 makes 110") { try birth.iso("04/07/15", today: Self.today) }
        #expect(try DateReading(century: .pivot(30)).iso("01/01/29", today: Self.today) == "2029-01-01")
        #expect(try DateReading(century: .pivot(30)).iso("01/01/30", today: Self.today) == "1930-01-01")
    }

    @Test(arguments: [
        ("€1.234,50", 1234.5, ["EUR"]), ("1,234.50 USD", 1234.5, ["USD"]), ("USD 1234.5", 1234.5, ["USD"]), ("1 234,50 €", 1234.5, ["EUR"]),
        ("1\u{202F}234,50 €", 1234.5, ["EUR"]), ("CHF 1'234.50", 1234.5, ["CHF"]), ("£12", 12, ["GBP"]), ("(12.00)", -12, []), ("-12,5", -12.5, []),
        ("1,234", 1234, []), ("1.234.567", 1_234_567, []), ("1,5", 1.5, []), ("0.99", 0.99, []), ("R$ 10,00", 10, ["BRL"]),
        ("¥1,000", 1000, ["JPY", "CNY"]),
        ("12.345,67 zł", 12345.67, ["PLN"]), ("eur 5", 5, ["EUR"]), ("+3.50", 3.5, []), ("₹12,34,567.50", 1_234_567.5, ["INR"]),
        ("1,00,000", 100_000, []),
    ])
    func amountsWithSymbolsAndSeparatorsAreNumbers(text: String, value: Double, currencies: [String]) throws {
        let read = try AmountReading().read(text)
        #expect(abs(read.value - value) < 1e-9 && read.currencies == currencies, "\(text): \(read)")
    }

    @Test func anAmbiguousSeparatorFollowsTheConfiguredDecimal() throws {
        #expect(try AmountReading().read("1.234").value == 1234)
        #expect(try AmountReading(decimal: ".").read("1.234").value == 1.234)
        #expect(try AmountReading(decimal: ",").read("1,234").value == 1.234)
    }

    @Test(arguments: ["12,34,56", "1.2.3", "abc", "€", "1,23.4,5", "12 apples", "XYZ 12"])
    func aValueThatIsNoAmountIsRefused(text: String) {
        #expect(throws: FieldFailure.self, "\(text)") { try AmountReading().read(text) }
    }

    @Test func aSymbolThatContradictsTheStatedCurrencyIsAProblem() throws {
        let step = FieldStep.amount(AmountReading(), currencyField: "currency")
        var record = JSONObject([("amount", "€12,50"), ("currency", "USD")])
        #expect(throws: FieldFailure(.currencyConflict, "has a currency symbol that contradicts 'currency'")) {
            try step.apply(to: &record, field: "amount", today: Self.today)
        }
        record = JSONObject([("amount", "$12.50"), ("currency", "cad")])
        try step.apply(to: &record, field: "amount", today: Self.today)
        #expect(record["amount"] == 12.5 && record["currency"] == "CAD", "a dollar sign agrees with any dollar")
        record = JSONObject([("amount", "12.50 GBP")])
        try step.apply(to: &record, field: "amount", today: Self.today)
        #expect(record["currency"] == "GBP", "the currency inferred from the amount")
    }

    @Test(
        arguments: [
            ("+44 20 7946 0958", nil, "+442079460958"), ("0044 20 7946 0958", nil, "+442079460958"), ("+44 (0)20 7946 0958", nil, "+442079460958"),
            ("020 7946 0958", "GB", "+442079460958"), ("(415) 555-2671", "US", "+14155552671"), ("1-415-555-2671", "US", "+14155552671"),
            ("415.555.2671 ext. 12", "US", "+14155552671"), ("030 1234567", "DE", "+49301234567"), ("06 12 34 56 78", "FR", "+33612345678"),
            ("312 345 6789", "IT", "+393123456789"), ("06 6982 0000", "IT", "+390669820000"), ("8 (912) 345-67-89", "RU", "+79123456789"),
            ("090-1234-5678", "JP", "+819012345678"), ("+81 90 1234 5678", "US", "+819012345678"), ("Tel: 020 7946 0958", "GB", "+442079460958"),
            ("+44 7911 123456 (mobile)", nil, "+447911123456"),
        ] as [(String, String?, String)]
    )
    func phoneNumbersAreE164(text: String, country: String?, e164: String) throws {
        let normalized = try PhoneNumber.e164(text, country: country)
        #expect(normalized == e164, "\(text)")
    }

    @Test(
        arguments: [("12345", "DE"), ("020 7946 095", "GB"), ("+999 123 456", nil), ("call me", "US"), ("555-2671", nil), ("+1 055 555 2671", nil)]
            as [(String, String?)]
    )
    func aNumberThatIsNoneIsRefused(text: String, country: String?) {
        #expect(throws: FieldFailure.self, "\(text)") { try PhoneNumber.e164(text, country: country) }
    }

    @Test func countriesAreFoundByCodeNameOrTheNamesPeopleUse() {
        let names = [
            "DE", "deu", "Germany", "Deutschland", "GERMANY", "U.S.A.", "United States of America", "Côte d'Ivoire", "Cote dIvoire", "Türkiye", "UK",
            "Korea, Republic of", "Republic of Korea", "Iran, Islamic Republic of", "Islamic Republic of Iran",
        ]
        #expect(
            names.map { Country.named($0)?.alpha2 } == ["DE", "DE", "DE", "DE", "DE", "US", "US", "CI", "CI", "TR", "GB", "KR", "KR", "IR", "IR"]
        )
        #expect(Country.named("Atlantis") == nil && Country.named("XX") == nil)
    }

    @Test func stringsAreMadePlainTrimmedAndCased() throws {
        var record = JSONObject([("name", "\u{00A0} ＪＥＡＮ-luc\u{200B}  o'BRIEN\t"), ("code", "ａｂｃ\u{00AD}")])
        for step in [FieldStep.nfkc, .trim, .title] { try step.apply(to: &record, field: "name", today: Self.today) }
        try FieldStep.nfkc.apply(to: &record, field: "code", today: Self.today)
        #expect(record["name"] == "Jean-Luc O'brien" && record["code"] == "abc")
    }
}
