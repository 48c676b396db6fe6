package enclave.serving.trafficlog;

import java.time.Instant;

/**
 * One row of {@code AmlOnlineEndpointTrafficLog}: what a scoring request asked, who asked, where it went and how it ended.
 * Durations are milliseconds.
 */
public record TrafficRecord(
        Instant timeGenerated,
        String method,
        String path,
        String subscriptionId,
        String workspaceName,
        String endpointName,
        String deploymentName,
        String protocol,
        int responseCode,
        String responseCodeReason,
        int modelStatusCode,
        String modelStatusReason,
        long requestPayloadSize,
        long responsePayloadSize,
        String userAgent,
        String xRequestId,
        String xMsClientRequestId,
        long totalDurationMs,
        long requestDurationMs,
        long responseDurationMs,
        long requestThrottlingDelayMs,
        long responseThrottlingDelayMs,
        String authMode,
        String identity,
        boolean mirrored) {}
