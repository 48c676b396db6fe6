package enclave.serving.runtime;

import java.time.Duration;

/** {@code request_settings} of a deployment; defaults as Azure's. */
public record RequestSettings(Duration requestTimeout, int maxConcurrentRequestsPerInstance, Duration maxQueueWait) {
    public static final RequestSettings DEFAULTS = new RequestSettings(Duration.ofMillis(5000), 1, Duration.ofMillis(500));

    public RequestSettings {
        if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.toMillis() > 180_000) {
            throw new IllegalArgumentException("request_timeout_ms must be between 1 and 180000");
        }
        if (maxConcurrentRequestsPerInstance < 1) {
            throw new IllegalArgumentException("max_concurrent_requests_per_instance must be at least 1");
        }
        if (maxQueueWait.isNegative()) {
            throw new IllegalArgumentException("max_queue_wait_ms must not be negative");
        }
    }
}
