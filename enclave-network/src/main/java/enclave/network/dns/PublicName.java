package enclave.network.dns;

import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.Name;

/**
 * What the public view answers for one platform name: the platform's public address, or first a CNAME to
 * {@code privateLinkAlias} (the resource's name in its privatelink zone) when the resource has private endpoints.
 */
public record PublicName(Name name, String publicAddress, Optional<Name> privateLinkAlias) {
    public PublicName {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(publicAddress, "publicAddress");
        Objects.requireNonNull(privateLinkAlias, "privateLinkAlias");
    }
}
