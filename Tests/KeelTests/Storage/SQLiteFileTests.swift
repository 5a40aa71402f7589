import Foundation
import KeelCore
import KeelStore
import Testing

/// What SQLite's files hold.
@Suite struct SQLiteFileTests {
    @Test func keysAreFoundByHashOnlyAndTheSecretIsNeverStored() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/keel.sqlite"
            let store = try SQLiteStore(path: path)
            let secret = APIKeySecret.generate()
            try await store.insert(secret.key(name: "ci", role: .admin))
            #expect(try await store.key(hash: secret.hash)?.role == .admin)
            #expect(try await store.key(hash: APIKeySecret.hash(secret.value + "x")) == nil)
            let file = try Data(contentsOf: URL(fileURLWithPath: path)) + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
            #expect(file.range(of: Data(secret.value.utf8)) == nil, "the secret itself must not be on disk")
        }
    }
}
