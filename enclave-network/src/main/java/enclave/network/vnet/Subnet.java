package enclave.network.vnet;

import enclave.core.ResourceId;
import java.time.Instant;
import java.util.Objects;

/**
 * A subnet as stored, below its virtual network.
 *
 * @param privateEndpointNetworkPolicies {@code Disabled} (private endpoints may be placed here) or {@code Enabled}
 */
public record Subnet(String id, String name, String virtualNetwork, String addressPrefix, String privateEndpointNetworkPolicies, Instant createdAt) {
    public static final String TYPE = VirtualNetwork.TYPE + "/subnets";
    public static final String DISABLED = "Disabled";
    public static final String ENABLED = "Enabled";

    public Subnet {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(virtualNetwork, "virtualNetwork");
        IpPrefix.parse(addressPrefix);
        privateEndpointNetworkPolicies = privateEndpointNetworkPolicies == null ? DISABLED : privateEndpointNetworkPolicies;
    }

    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }

    public IpPrefix prefix() {
        return IpPrefix.parse(addressPrefix);
    }

    public boolean privateEndpointsAllowed() {
        return DISABLED.equals(privateEndpointNetworkPolicies);
    }
}
