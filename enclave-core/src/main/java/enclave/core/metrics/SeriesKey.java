package enclave.core.metrics;

import java.util.Objects;

/**
 * Which series a measurement belongs to. {@code workspace} is the workspace's ARM id in lower case (its
 * {@code ResourceId.key()}): monitor accounts select series by it, so it is what keeps one tenant's metrics from another's.
 *
 * @param deployment empty when the request never reached a deployment (refused before routing)
 */
public record SeriesKey(String workspace, String endpoint, String deployment) {
    public SeriesKey {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(endpoint, "endpoint");
        deployment = deployment == null ? "" : deployment;
    }
}
