package enclave.network.dns;

import java.util.Objects;
import org.xbill.DNS.Name;

/** One platform resource's names: the public one, its privatelink alias, and whether it has private endpoints (then the public name is a CNAME to the alias). */
public record PlatformResource(Name publicName, Name privateLinkName, boolean hasPrivateEndpoints) {
    public PlatformResource {
        Objects.requireNonNull(publicName, "publicName");
        Objects.requireNonNull(privateLinkName, "privateLinkName");
    }
}
