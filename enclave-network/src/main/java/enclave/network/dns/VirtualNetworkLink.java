package enclave.network.dns;

import enclave.core.ResourceId;
import java.util.Objects;

/** A link between a private DNS zone and a virtual network, as stored: the network's resolver then answers from the zone. */
public record VirtualNetworkLink(String id, String name, String virtualNetworkId, boolean registrationEnabled, ResolutionPolicy resolutionPolicy) {
    public static final String TYPE = PrivateDnsZone.TYPE + "/virtualNetworkLinks";

    public VirtualNetworkLink {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(virtualNetworkId, "virtualNetworkId");
        resolutionPolicy = resolutionPolicy == null ? ResolutionPolicy.Default : resolutionPolicy;
    }

    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }

    public ResourceId virtualNetwork() {
        return ResourceId.parse(virtualNetworkId);
    }
}
