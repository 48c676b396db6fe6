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
        return new NetworkDirectory() {
            @Override
            public Optional<ResolverNetwork> find(ResourceId virtualNetwork) {
                return Optional.empty();
            }

            @Override
            public List<ResolverNetwork> all() {
                return List.of();
            }
        };
    }
}
