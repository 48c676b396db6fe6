package enclave.network.dns;

import java.util.Optional;
import org.xbill.DNS.Name;

/** The platform's public names (storage accounts, workspaces, scoring hosts, ...) as the public view answers them. */
public interface PublicNames {
    /** The answer for an absolute name (a public name or its privatelink alias), if the platform serves it. */
    Optional<PublicName> lookup(Name fqdn);

    /**
     * Whether the name lies in a DNS zone the platform is authoritative for ({@code blob.core.windows.net}, ...): an
     * unknown name there is NXDOMAIN, never forwarded upstream.
     */
    boolean inPlatformZone(Name fqdn);
}
