package enclave.network.dns;

import enclave.core.ResourceId;
import java.util.Objects;

/**
 * A virtual network as the DNS server sees it: its id, its name, and the address its resolver listens on
 * (the first address prefix's base + 2, e.g. {@code 127.42.0.2}).
 */
public record ResolverNetwork(ResourceId id, String name, String resolverAddress) {
    public ResolverNetwork {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        if (resolverAddress == null || !resolverAddress.startsWith("127.")) {
            throw new IllegalArgumentException("a virtual network's resolver lives in 127.0.0.0/8, got " + resolverAddress);
        }
    }
}
