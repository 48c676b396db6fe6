package enclave.network.dns;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.xbill.DNS.Name;

/**
 * {@link PublicNames} over a list of platform resources: a public name answers the public address, or a CNAME to its
 * privatelink alias when the resource has private endpoints; the alias itself answers the public address (what a
 * client outside any linked network gets).
 */
public final class PlatformNames implements PublicNames {
    private final String publicAddress;
    private final List<Name> zones;
    private final Supplier<List<PlatformResource>> resources;

    /**
     * @param publicAddress the platform's public address (the server's bind address)
     * @param resources the current resources, asked on every lookup
     */
    public PlatformNames(String publicAddress, PlatformSuffixes suffixes, Supplier<List<PlatformResource>> resources) {
        this.publicAddress = DnsNames.checkIpv4(publicAddress);
        this.zones = suffixes.zones();
        this.resources = Objects.requireNonNull(resources, "resources");
    }

    @Override
    public Optional<PublicName> lookup(Name fqdn) {
        for (PlatformResource resource : resources.get()) {
            if (resource.publicName().equals(fqdn)) {
                return Optional.of(new PublicName(fqdn, publicAddress,
                        resource.hasPrivateEndpoints() ? Optional.of(resource.privateLinkName()) : Optional.empty()));
            }
            if (resource.privateLinkName().equals(fqdn)) {
                return Optional.of(new PublicName(fqdn, publicAddress, Optional.empty()));
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean inPlatformZone(Name fqdn) {
        return zones.stream().anyMatch(fqdn::subdomain);
    }
}
