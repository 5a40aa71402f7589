extension String {
    /// The text as every backend stores it: without NUL characters. PostgreSQL's text type refuses
    /// them and SQLite's reads end at the first; a client may send one in any field it controls.
    var storable: String {
        utf8.contains(0) ? String(String.UnicodeScalarView(unicodeScalars.filter { $0 != "\0" })) : self
    }
}
