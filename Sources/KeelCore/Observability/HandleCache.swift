import Synchronization

/// Metric handles made once per label set and kept: making one registers it with the factory.
final class HandleCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    func handle(_ key: Key, make: (Key) -> Handle) -> Handle {
        handles.withLock { handles in
            if let known = handles[key] { return known }
            let made = make(key)
            handles[key] = made
            return made
        }
    }
}
