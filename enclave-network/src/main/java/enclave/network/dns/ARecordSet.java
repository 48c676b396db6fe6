package enclave.network.dns;

import enclave.core.ResourceId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An A record set of a private DNS zone as stored: its name relative to the zone ({@code @}, labels, or a wildcard),
 * its TTL, and its addresses, each remembering the private endpoint that made it (if one did), so a zone group can
 * take back exactly its own records.
 */
public record ARecordSet(String id, String relativeName, long ttl, List<Entry> records) {
    public static final String TYPE = PrivateDnsZone.TYPE + "/A";
    /** Short, so a private endpoint made or removed shows in answers quickly. */
    public static final long DEFAULT_TTL = 10;

    /** One address; {@code privateEndpoint} is the id of the private endpoint whose zone group made it. */
    public record Entry(String ipv4Address, Optional<String> privateEndpoint) {
        public Entry {
            DnsNames.checkIpv4(ipv4Address);
            privateEndpoint = privateEndpoint == null ? Optional.empty() : privateEndpoint;
        }

        boolean ownedBy(ResourceId endpoint) {
            return privateEndpoint.map(owner -> ResourceId.parse(owner).key().equals(endpoint.key())).orElse(false);
        }
    }

    public ARecordSet {
        Objects.requireNonNull(id, "id");
        relativeName = DnsNames.checkRelativeName(relativeName);
        if (ttl < 0 || ttl > 2147483647L) {
            throw new IllegalArgumentException("ttl must be 0-2147483647 seconds");
        }
        records = List.copyOf(records);
    }

    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }

    public List<String> addresses() {
        return records.stream().map(Entry::ipv4Address).distinct().toList();
    }
}
