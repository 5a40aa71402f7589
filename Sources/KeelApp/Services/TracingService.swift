import KeelCore
import Logging
import OTel
import ServiceLifecycle
import Synchronization

/// The OTLP/HTTP trace exporter, when `tracing.endpoint` is configured: the observer that turns
/// finished requests into spans, and the service that batches and sends them (and flushes them on
/// shutdown).
enum TracingService {
    static func make(
        _ tracing: KeelConfiguration.Tracing,
        logger: Logger
    ) throws -> (observer: any ExchangeObserver, service: any Service)? {
        guard let endpoint = tracing.endpoint else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = tracing.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/") ? "\(endpoint)v1/traces" : "\(endpoint)/v1/traces"
        configuration.traces.otlpExporter.protocol = tracing.wireProtocol == .json ? .httpJSON : .httpProtobuf
        configuration.traces.batchSpanProcessor.scheduleDelay = tracing.batchDelay
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        // swift-otel's exporter calls `HTTPClient.syncShutdown()` in its deinit, which traps on an
        // event loop thread — where Keel runs its tasks. Tracers are therefore kept for the life
        // of the process (one per gateway built); the service shuts the exporter down properly.
        keptTracers.withLock { $0.append(tracer) }
        return (RequestTracer(tracer: tracer, content: tracing.content), service)
    }

    private static let keptTracers = Mutex<[any Sendable]>([])
}
