/// Where Keel keeps its state: an SQLite file (the default, for one host), or a PostgreSQL
/// database that several replicas share.
public enum StorageConfiguration: Sendable, Hashable {
    /// The SQLite file; its folder is created when missing.
    case sqlite(path: String)
    /// A PostgreSQL server: `postgres://user:password@host:port/database`, and the most connections
    /// each replica opens to it.
    case postgres(url: String, poolSize: Int)

    /// A replica's connections to PostgreSQL unless configured (`storage.pool_size`).
    public static let defaultPoolSize = 20

    /// The default: `.keel/keel.sqlite`.
    public static let `default` = StorageConfiguration.sqlite(path: ".keel/keel.sqlite")
}
