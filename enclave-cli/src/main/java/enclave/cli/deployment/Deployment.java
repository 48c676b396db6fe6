package enclave.cli.deployment;

import enclave.cli.asset.CodeSource;
import enclave.cli.asset.EnvironmentSource;
import enclave.cli.asset.ModelSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A validated deployment: local paths resolved and checked, defaults applied, names and choices in ARM spelling. */
public record Deployment(
        String name,
        String endpointName,
        Optional<String> description,
        Map<String, String> tags,
        Optional<ModelSource> model,
        Optional<CodeConfiguration> code,
        Optional<EnvironmentSource> environment,
        String instanceType,
        int instanceCount,
        RequestSettings requestSettings,
        Probe livenessProbe,
        Probe readinessProbe,
        Map<String, String> environmentVariables,
        boolean appInsightsEnabled,
        String egressPublicNetworkAccess,
        Optional<ScaleSettings> scaleSettings) {

    public Deployment {
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        environmentVariables = Collections.unmodifiableMap(new LinkedHashMap<>(environmentVariables));
    }

    public record CodeConfiguration(CodeSource code, String scoringScript) {}

    /** Defaults per Azure ML: 5000 ms timeout, one request per instance at a time, 500 ms queue wait. */
    public record RequestSettings(long requestTimeoutMs, int maxConcurrentRequestsPerInstance, long maxQueueWaitMs) {}

    /** Seconds and counts; defaults per Azure ML: 10 s delay, 10 s period, 2 s timeout, 1 success, 30 failures. */
    public record Probe(int initialDelay, int period, int timeout, int successThreshold, int failureThreshold) {}

    /** {@code Default}, or {@code TargetUtilization} with its bounds. */
    public record ScaleSettings(String scaleType, Optional<Integer> minInstances, Optional<Integer> maxInstances,
                                Optional<Integer> pollingInterval, Optional<Integer> targetUtilizationPercentage) {}
}
