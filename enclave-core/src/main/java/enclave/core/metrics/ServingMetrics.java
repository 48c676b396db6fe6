package enclave.core.metrics;

import java.util.List;

/**
 * What the data plane reports while it works. It lives in core so that serving can report without knowing the metrics
 * library; enclave-monitor implements it with Prometheus' client and reads the gauges ({@link #deployments}) at scrape time.
 */
public interface ServingMetrics {
    /** One scoring request answered with {@code status} after {@code durationNanos}; 429 counts as a rejection too. */
    void requestCompleted(SeriesKey series, int status, long durationNanos);

    /** A scoring request refused by credential checks; {@code reason} is one of a small closed set (see {@link AuthFailure}). */
    void authFailed(SeriesKey series, AuthFailure reason);

    /** Why a request failed authentication or authorization; a closed set so it stays a cheap label. */
    enum AuthFailure {
        missing_credential,
        invalid_credential,
        forbidden,
        network_access
    }

    /** A running deployment's state at one instant, for gauges read at scrape time. */
    record DeploymentSample(SeriesKey series, int pendingRequests, int workerRestarts, List<Long> workerPids) {
        public DeploymentSample {
            workerPids = List.copyOf(workerPids);
        }
    }

    /** Reports nothing; for tests and tools that build a gateway without monitoring. */
    ServingMetrics NONE = new ServingMetrics() {
        @Override
        public void requestCompleted(SeriesKey series, int status, long durationNanos) {}

        @Override
        public void authFailed(SeriesKey series, AuthFailure reason) {}
    };
}
