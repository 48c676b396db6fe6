package enclave.network.vnet;

import enclave.core.ResourceId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A virtual network as stored: an address space inside 127.0.0.0/8 that no other network of the platform overlaps.
 *
 * @param addressPrefixes CIDR prefixes, the first one decides the resolver address
 */
public record VirtualNetwork(String id, String name, String location, Map<String, String> tags, List<String> addressPrefixes, Instant createdAt) {
    public static final String TYPE = "Microsoft.Network/virtualNetworks";

    public VirtualNetwork {
        Objects.requireNonNull(id, "id");
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        addressPrefixes = List.copyOf(addressPrefixes);
        if (addressPrefixes.isEmpty()) {
            throw new IllegalArgumentException("a virtual network needs an address prefix");
        }
    }

    public ResourceId resourceId() {
        return ResourceId.parse(id);
    }

    public List<IpPrefix> prefixes() {
        return addressPrefixes.stream().map(IpPrefix::parse).toList();
    }

    /** The network's DNS resolver: its first prefix's base address + 2 (a reserved address of whatever subnet holds it). */
    public String resolverAddress() {
        return resolverAddress(prefixes().getFirst());
    }

    static String resolverAddress(IpPrefix first) {
        return first.address(2);
    }
}
