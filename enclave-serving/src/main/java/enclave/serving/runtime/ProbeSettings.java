package enclave.serving.runtime;

import java.time.Duration;

/** A liveness or readiness probe; defaults as Azure's. */
public record ProbeSettings(Duration initialDelay, Duration period, Duration timeout, int successThreshold, int failureThreshold) {
    public static final ProbeSettings DEFAULTS = new ProbeSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2), 1, 30);

    public ProbeSettings {
        if (initialDelay.isNegative() || period.isNegative() || period.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe delays must be positive");
        }
        if (successThreshold < 1 || failureThreshold < 1) {
            throw new IllegalArgumentException("probe thresholds must be at least 1");
        }
    }
}
