import KeelCore
import Logging
import OTel
import ServiceLifecycle
import Synchronization

/// The OTLP/HTTP trace exporter, when `tracing.endpoint` is configured: the observer that turns
/// finished requests into spans off the request path, and the services that build, batch and send
/// them (and flush them on shutdown, the spans' builder first).
enum TracingService {
    static func make(
        _ tracing: KeelConfiguration.Tracing,
        logger: Logger
    ) throws -> (observer: any ExchangeObserver, services: [any Service])? {
        guard let endpoint = tracing.endpoint else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = tracing.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/") ? "\(endpoint)v1/traces" : "\(endpoint)/v1/traces"
        configuration.traces.otlpExporter.protocol = tracing.wireProtocol == .json ? .httpJSON : .httpProtobuf
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: tracing.sampleRatio) ?? .parentBasedAlwaysOn
        configuration.traces.batchSpanProcessor.scheduleDelay = tracing.batchDelay
        // swift-otel sends one batch a delay (or when the queue is full): at two spans a request and
        // thousands of requests a second, OpenTelemetry's defaults (2,048 queued, 512 a batch, every
        // 5 s) would drop most of them. A quarter second's delay and batches of 4,096 carry 16,000 a second.
        configuration.traces.batchSpanProcessor.maxQueueSize = 16_384
        configuration.traces.batchSpanProcessor.maxExportBatchSize = 4_096
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        // swift-otel's exporter calls `HTTPClient.syncShutdown()` in its deinit, which traps on an
        // event loop thread — where Keel runs its tasks. Tracers are therefore kept for the life
        // of the process (one per gateway built); the service shuts the exporter down properly.
        keptTracers.withLock { $0.append(tracer) }
        let builder = DeferredObserver(RequestTracer(tracer: tracer, content: tracing.content), clock: .continuous, logger: logger)
        return (builder, [service, builder])
    }

    private static let keptTracers = Mutex<[any Sendable]>([])
}
