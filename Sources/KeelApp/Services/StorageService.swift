import KeelStore
import ServiceLifecycle

/// Closes the storage's connections once everything that writes to it has stopped: first in the
/// service group, so last to shut down.
struct StorageService: Service {
    let storage: KeelStorage

    func run() async throws {
        try? await gracefulShutdown()
        await storage.close()
    }
}
