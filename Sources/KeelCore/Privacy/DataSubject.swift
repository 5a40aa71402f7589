/// The person a request was about, as Keel keeps them: the SHA-256 of the request's `user` (an
/// application's id for its end user), never the id itself — enough to find, export and delete
/// their data on request (`keel subjects`), nothing to read a person back from.
public enum DataSubject {
    /// The digest the log keeps for `user`.
    public static func digest(of user: String) -> String {
        Digest.sha256Hex(user)
    }
}
