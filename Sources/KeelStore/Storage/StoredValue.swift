/// A column's value in the statements both backends share, which each binds its own way
/// (`sqlite`, `postgres`).
enum StoredValue {
    case text(String?)
    case integer(Int?)
    case real(Double?)
}

/// A statement both backends run, with its `?` placeholders' values.
struct StoredQuery {
    var sql: String
    var values: [StoredValue]
}
