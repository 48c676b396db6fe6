package enclave.network.dns;

import java.util.List;
import java.util.Objects;

/**
 * A private endpoint's DNS zone group ({@code .../privateEndpoints/{pe}/privateDnsZoneGroups/default}) as stored: the
 * zones it wrote records into, so deleting the endpoint removes exactly those records.
 */
public record PrivateDnsZoneGroup(String id, String privateEndpointId, List<String> zoneIds) {
    public static final String TYPE = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
    public static final String NAME = "default";

    public PrivateDnsZoneGroup {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(privateEndpointId, "privateEndpointId");
        zoneIds = List.copyOf(zoneIds);
    }
}
