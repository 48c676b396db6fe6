package enclave.serving.gateway;

import enclave.core.ResourceId;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.runtime.RunningDeployment;
import java.util.Map;
import java.util.Optional;

/**
 * What the gateway needs to serve one endpoint, rebuilt whenever the endpoint or its deployments change, so a request
 * never touches the store.
 *
 * @param deployments running deployments by lower-case name
 * @param mirror the shadow deployment (lower-case) and the percentage of live requests copied to it
 * @param networkTarget the endpoint as the network access rule sees it (built once here, not per request)
 */
public record EndpointRoute(ResourceId id, OnlineEndpoint endpoint, TrafficSplit traffic, Optional<Mirror> mirror,
        Map<String, RunningDeployment> deployments, NetworkAccess.Target networkTarget) {
    public record Mirror(String deployment, int percent) {}

    public EndpointRoute {
        deployments = Map.copyOf(deployments);
    }
}
