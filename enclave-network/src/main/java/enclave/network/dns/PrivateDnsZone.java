package enclave.network.dns;

import enclave.core.ResourceId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** A private DNS zone as stored (location is always {@code global}, as Azure's). */
public record PrivateDnsZone(String id, String name, Map<String, String> tags, Instant createdAt) {
    public static final String TYPE = "Microsoft.Network/privateDnsZones";
    public static final String LOCATION = "global";

    public PrivateDnsZone {
        Objects.requireNonNull(id, "id");
        name = DnsNames.checkZoneName(name);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }
}
