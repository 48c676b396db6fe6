package enclave.monitor.metrics;

import enclave.core.metrics.SeriesKey;
import enclave.core.metrics.ServingMetrics;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The platform's measurements, held in one Prometheus registry (prometheus-metrics-core). Every endpoint series carries
 * the labels {@code workspace} (the workspace's lower-case ARM id), {@code endpoint} and {@code deployment}; a monitor
 * account's scrape ({@link #writeWorkspaces}) keeps only the series of the workspaces linked to it, plus the platform's
 * own health series ({@code enclave_up}, {@code enclave_jvm_*}), which carry no tenant data.
 */
public final class PlatformMetrics implements ServingMetrics {
    public static final String WORKSPACE = "workspace";
    private static final String[] SERIES = {WORKSPACE, "endpoint", "deployment"};
    // Latency buckets from 1 ms to 60 s: scoring calls are mostly milliseconds, timeouts are seconds.
    private static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Counter rejections;
    private final Counter authFailures;
    private final Supplier<List<DeploymentSample>> deployments;
    private final ConcurrentHashMap<SeriesKey, SeriesPoints> byRequestSeries = new ConcurrentHashMap<>();
    private final ProcessStats processStats;

    /**
     * @param deployments the running deployments at this instant, read at every scrape (queue depth, restarts, worker
     *     processes)
     */
    public PlatformMetrics(Supplier<List<DeploymentSample>> deployments, ProcessStats processStats) {
        this.deployments = deployments;
        this.processStats = processStats;
        requests = Counter.builder().name("enclave_requests_total").help("Scoring requests by endpoint, deployment and status code.")
                .labelNames(WORKSPACE, "endpoint", "deployment", "status_code").register(registry);
        latency = Histogram.builder().name("enclave_request_duration_seconds").help("Scoring request latency at the gateway, in seconds.")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).labelNames(SERIES).register(registry);
        rejections = Counter.builder().name("enclave_requests_rejected_total")
                .help("Scoring requests refused with 429 because the deployment's queue was full or the wait too long.")
                .labelNames(SERIES).register(registry);
        authFailures = Counter.builder().name("enclave_auth_failures_total").help("Scoring requests refused by network or credential checks, by reason.")
                .labelNames(WORKSPACE, "endpoint", "deployment", "reason").register(registry);
        GaugeWithCallback.builder().name("enclave_queue_depth").help("Requests admitted and not yet answered (waiting for a slot or in a worker).")
                .labelNames(SERIES).callback(cb -> deployments.get().forEach(d -> cb.call(d.pendingRequests(), values(d.series()))))
                .register(registry);
        CounterWithCallback.builder().name("enclave_worker_restarts_total").help("Worker restarts (crashes, failed liveness probes) since the deployment started.")
                .labelNames(SERIES).callback(cb -> deployments.get().forEach(d -> cb.call(d.workerRestarts(), values(d.series()))))
                .register(registry);
        GaugeWithCallback.builder().name("enclave_worker_cpu_seconds").help("CPU time used by the deployment's live worker processes (user + system), from /proc.")
                .labelNames(SERIES).callback(cb -> deployments.get().forEach(d -> cb.call(
                        d.workerPids().stream().mapToDouble(pid -> processStats.cpuSeconds(pid).orElse(0)).sum(), values(d.series()))))
                .register(registry);
        GaugeWithCallback.builder().name("enclave_worker_memory_bytes").help("Resident memory of the deployment's live worker processes, from /proc.")
                .labelNames(SERIES).callback(cb -> deployments.get().forEach(d -> cb.call(
                        d.workerPids().stream().mapToDouble(pid -> processStats.residentBytes(pid).orElse(0)).sum(), values(d.series()))))
                .register(registry);
        GaugeWithCallback.builder().name("enclave_up").help("1 while the Enclave platform is serving.").callback(cb -> cb.call(1)).register(registry);
        GaugeWithCallback.builder().name("enclave_jvm_memory_used_bytes").help("The platform JVM's memory in use, by area.").labelNames("area")
                .callback(cb -> {
                    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
                    cb.call(heap.getUsed(), "heap");
                    cb.call(nonHeap.getUsed(), "nonheap");
                }).register(registry);
        GaugeWithCallback.builder().name("enclave_jvm_threads").help("The platform JVM's live platform threads.")
                .callback(cb -> cb.call(ManagementFactory.getThreadMXBean().getThreadCount())).register(registry);
    }

    @Override
    public void requestCompleted(SeriesKey series, int status, long durationNanos) {
        SeriesPoints points = byRequestSeries.computeIfAbsent(series, SeriesPoints::new);
        points.requests(status).inc();
        points.latency.observe(durationNanos / 1e9);
        if (status == 429) {
            points.rejections().inc();
        }
    }

    /**
     * One series' data points, looked up once: {@code labelValues} builds and hashes a list of labels on every call, which
     * was a sixth of what the server allocated per scoring request (issue 6). Series are never removed, so a data point
     * stays the registry's.
     */
    private final class SeriesPoints {
        private final SeriesKey series;
        private final DistributionDataPoint latency;
        private volatile CounterDataPoint rejections;
        private final AtomicReferenceArray<CounterDataPoint> byStatus = new AtomicReferenceArray<>(600);

        SeriesPoints(SeriesKey series) {
            this.series = series;
            this.latency = PlatformMetrics.this.latency.labelValues(values(series));
        }

        /** Made at the first 429, so that a series without rejections has none to show, as before. */
        CounterDataPoint rejections() {
            CounterDataPoint point = rejections;
            if (point == null) {
                point = PlatformMetrics.this.rejections.labelValues(values(series));
                rejections = point;
            }
            return point;
        }

        /** Kept for HTTP statuses (below 600); any other is looked up each time. */
        CounterDataPoint requests(int status) {
            boolean kept = status >= 0 && status < byStatus.length();
            CounterDataPoint point = kept ? byStatus.get(status) : null;
            if (point == null) {
                point = PlatformMetrics.this.requests.labelValues(series.workspace(), series.endpoint(), series.deployment(), Integer.toString(status));
                if (kept) {
                    byStatus.set(status, point);
                }
            }
            return point;
        }
    }

    @Override
    public void authFailed(SeriesKey series, AuthFailure reason) {
        authFailures.labelValues(series.workspace(), series.endpoint(), series.deployment(), reason.name()).inc();
    }

    /**
     * Writes, in the Prometheus text format, the series of the given workspaces (lower-case ARM ids) and the platform's
     * health series; nothing of any other workspace.
     */
    public void writeWorkspaces(Set<String> workspaceKeys, OutputStream out) throws IOException {
        // A counter that first appears already at 5 shows no increase to rate(): give every running deployment its
        // series at zero before the first request, as Prometheus advises for known label sets.
        for (DeploymentSample deployment : deployments.get()) {
            SeriesKey series = deployment.series();
            requests.labelValues(series.workspace(), series.endpoint(), series.deployment(), "200");
            latency.labelValues(values(series));
        }
        MetricSnapshots selected = filter(registry.scrape(), point -> {
            String workspace = point.getLabels().get(WORKSPACE);
            return workspace == null || workspaceKeys.contains(workspace);
        });
        PrometheusTextFormatWriter.create().write(out, selected, EscapingScheme.UNDERSCORE_ESCAPING);
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Keeps the data points that pass; a metric left with none is dropped (its HELP/TYPE would tell of nothing). */
    static MetricSnapshots filter(MetricSnapshots all, Predicate<DataPointSnapshot> keep) {
        List<MetricSnapshot> result = new ArrayList<>();
        for (MetricSnapshot metric : all) {
            MetricSnapshot kept = switch (metric) {
                case CounterSnapshot c -> new CounterSnapshot(c.getMetadata(), c.getDataPoints().stream().filter(keep).toList());
                case GaugeSnapshot g -> new GaugeSnapshot(g.getMetadata(), g.getDataPoints().stream().filter(keep).toList());
                case HistogramSnapshot h -> new HistogramSnapshot(h.isGaugeHistogram(), h.getMetadata(), h.getDataPoints().stream().filter(keep).toList());
                // Only the three kinds above are registered; anything else would be a new kind nobody has checked for labels.
                default -> throw new IllegalStateException("metric kind " + metric.getClass().getSimpleName() + " has no workspace filter");
            };
            if (!kept.getDataPoints().isEmpty()) {
                result.add(kept);
            }
        }
        return new MetricSnapshots(result);
    }

    private static String[] values(SeriesKey series) {
        return new String[] {series.workspace(), series.endpoint(), series.deployment()};
    }
}
