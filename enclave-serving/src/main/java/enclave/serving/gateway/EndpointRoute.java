package enclave.serving.gateway;

import enclave.core.ResourceId;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.runtime.RunningDeployment;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the gateway needs to serve one endpoint, rebuilt whenever the endpoint or its deployments change, so a request
 * never touches the store.
 *
 * @param deployments running deployments by lower-case name
 * @param mirror the shadow deployment (lower-case) and the percentage of live requests copied to it
 * @param networkTarget the endpoint as the network access rule sees it (built once here, not per request)
 * @param key {@code id.key()}, and the names below, made once here: building them from the id cost every request
 *     several strings (issue 6)
 * @param workspaceKey the workspace's {@code key()}, as metrics name it
 * @param workspaceName the workspace's name, as the traffic log records it
 * @param endpointKey the endpoint's name in lower case, as metrics name it
 */
public record EndpointRoute(ResourceId id, OnlineEndpoint endpoint, TrafficSplit traffic, Optional<Mirror> mirror,
        Map<String, RunningDeployment> deployments, NetworkAccess.Target networkTarget, String key, String workspaceKey,
        String workspaceName, String endpointKey) {
    public record Mirror(String deployment, int percent) {}

    public EndpointRoute {
        deployments = Map.copyOf(deployments);
    }

    public EndpointRoute(ResourceId id, OnlineEndpoint endpoint, TrafficSplit traffic, Optional<Mirror> mirror,
            Map<String, RunningDeployment> deployments, NetworkAccess.Target networkTarget) {
        this(id, endpoint, traffic, mirror, deployments, networkTarget, id.key(), id.parent().map(ResourceId::key).orElse(""),
                id.parent().map(ResourceId::name).orElse(""), endpoint.name().toLowerCase(Locale.ROOT));
    }
}
