import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// A process's Prometheus endpoint: swift-prometheus's registry bootstrapped as swift-metrics'
/// backend (so the domain's `Counter`s and `Timer`s land in it), served as `GET /metrics` in
/// the text exposition format on a port of its own — the API's port never serves it.
public struct MetricsServer: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Bootstraps the metrics system once per process, before any metric is made; a later
    /// call (swift-metrics traps on a second bootstrap) answers the first call's server.
    /// `latencyHistograms`: timers measured in fractions of a millisecond get finer buckets.
    public static func bootstrap(latencyHistograms: [String]) -> MetricsServer {
        bootstrapped.withLock { server in
            if let server { return server }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            let fine: [Duration] = [
                .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
            ]
            for name in latencyHistograms { factory.durationHistogramBuckets[name] = fine }
            MetricsSystem.bootstrap(factory)
            let made = MetricsServer(registry: registry)
            server = made
            return made
        }
    }

    private static let bootstrapped = Mutex<MetricsServer?>(nil)

    /// The HTTP service: `GET /metrics` (after `refresh`, which sets gauges read at scrape time),
    /// 404 for anything else.
    public func service(host: String, port: Int, logger: Logger,
                        refresh: @escaping @Sendable () async -> Void = {}) -> some Service {
        let router = Router()
        let registry = self.registry
        router.get("/metrics") { _, _ -> Response in
            await refresh()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16_384)
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        var named = logger
        named[metadataKey: "listener"] = "metrics"
        let metricsLogger = named
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                metricsLogger.info("metrics listening", metadata: ["metrics.port": "\(channel.localAddress?.port ?? port)"])
            },
            logger: metricsLogger)
    }
}
