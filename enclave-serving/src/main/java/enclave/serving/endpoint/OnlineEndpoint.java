package enclave.serving.endpoint;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An online endpoint: a stable scoring URI, how callers authenticate, and how traffic splits across its deployments.
 *
 * @param identity the endpoint's managed identity; fixed at creation
 * @param trafficLogging whether scoring requests write traffic-log records (diagnostic setting)
 */
public record OnlineEndpoint(String id, String name, String location, Map<String, String> tags, String description, AuthMode authMode,
        EndpointIdentity identity, String publicNetworkAccess, Map<String, Integer> traffic, Map<String, Integer> mirrorTraffic,
        ProvisioningState provisioningState, EndpointKeys keys, boolean trafficLogging, Instant createdAt) {
    public OnlineEndpoint {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        traffic = traffic == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(traffic));
        mirrorTraffic = mirrorTraffic == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mirrorTraffic));
        description = description == null ? "" : description;
        // Endpoints stored before managed identities existed had none.
        identity = identity == null ? EndpointIdentity.legacy() : identity;
    }

    public String identityType() {
        return identity.type();
    }

    public OnlineEndpoint withState(ProvisioningState state) {
        return new OnlineEndpoint(id, name, location, tags, description, authMode, identity, publicNetworkAccess, traffic, mirrorTraffic, state,
                keys, trafficLogging, createdAt);
    }

    public OnlineEndpoint withIdentity(EndpointIdentity newIdentity) {
        return new OnlineEndpoint(id, name, location, tags, description, authMode, newIdentity, publicNetworkAccess, traffic, mirrorTraffic,
                provisioningState, keys, trafficLogging, createdAt);
    }

    public OnlineEndpoint withKeys(EndpointKeys newKeys) {
        return new OnlineEndpoint(id, name, location, tags, description, authMode, identity, publicNetworkAccess, traffic, mirrorTraffic,
                provisioningState, newKeys, trafficLogging, createdAt);
    }

    public OnlineEndpoint withTraffic(Map<String, Integer> newTraffic, Map<String, Integer> newMirror) {
        return new OnlineEndpoint(id, name, location, tags, description, authMode, identity, publicNetworkAccess, newTraffic, newMirror,
                provisioningState, keys, trafficLogging, createdAt);
    }
}
