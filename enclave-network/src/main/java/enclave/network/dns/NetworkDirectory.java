package enclave.network.dns;

import enclave.core.ResourceId;
import java.util.List;
import java.util.Optional;

/** The virtual networks that exist, as far as private DNS needs to know (links name one; each has a resolver). */
public interface NetworkDirectory {
    Optional<ResolverNetwork> find(ResourceId virtualNetwork);

    List<ResolverNetwork> all();

    /** A directory with no networks (until virtual networks are wired in). */
    static NetworkDirectory empty() {
        return of(List.of());
    }

    /** A fixed set of networks. */
    static NetworkDirectory of(List<ResolverNetwork> networks) {
        List<ResolverNetwork> fixed = List.copyOf(networks);
        return new NetworkDirectory() {
            @Override
            public Optional<ResolverNetwork> find(ResourceId virtualNetwork) {
                return fixed.stream().filter(network -> network.id().key().equals(virtualNetwork.key())).findFirst();
            }

            @Override
            public List<ResolverNetwork> all() {
                return fixed;
            }
        };
    }
}
