package enclave.network.dns;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;

/**
 * A private DNS zone as one virtual network's resolver sees it: origin, the link's resolution policy and the A record
 * sets by absolute name (wildcards kept as {@code *.x} names). Lookup follows RFC 1034 §4.3.2 and RFC 4592 (wildcards
 * synthesize only below the closest encloser; empty non-terminals exist and answer NODATA).
 */
public record LinkedZone(Name origin, ResolutionPolicy policy, Map<Name, Addresses> records) {
    /** Azure's private DNS SOA and name server names, so exported zones look like Azure's. */
    static final Name HOST = DnsNames.absolute("azureprivatedns.net");
    static final Name ADMIN = DnsNames.absolute("azureprivatedns-host.microsoft.com");
    private static final Name WILDCARD = Name.fromConstantString("*");

    /** One A record set: its TTL and addresses. */
    public record Addresses(long ttl, List<String> ips) {
        public Addresses {
            ips = List.copyOf(ips);
        }
    }

    /** What the zone says about a name. */
    public sealed interface Lookup {
        record Found(Name owner, Addresses addresses) implements Lookup {}

        /** The name exists (apex, a record set of no addresses, or an empty non-terminal) but has no A records. */
        record NoData() implements Lookup {}

        record NxDomain() implements Lookup {}
    }

    public LinkedZone {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(policy, "policy");
        records = Map.copyOf(records);
    }

    public boolean contains(Name name) {
        return name.subdomain(origin);
    }

    public Lookup lookup(Name name) {
        Addresses exact = records.get(name);
        if (exact != null) {
            return exact.ips().isEmpty() ? new Lookup.NoData() : new Lookup.Found(name, exact);
        }
        if (exists(name)) {
            return new Lookup.NoData();
        }
        // The closest encloser is the nearest existing ancestor; only its own wildcard may answer (RFC 4592 §3.3.1).
        for (int drop = 1; drop < name.labels() - origin.labels() + 1; drop++) {
            Name ancestor = new Name(name, drop);
            if (exists(ancestor)) {
                Addresses wildcard = records.get(wildcardOf(ancestor));
                return wildcard != null && !wildcard.ips().isEmpty() ? new Lookup.Found(name, wildcard) : new Lookup.NxDomain();
            }
        }
        return new Lookup.NxDomain();
    }

    public SOARecord soa() {
        return new SOARecord(origin, DClass.IN, ARecordSet.DEFAULT_TTL, HOST, ADMIN, 1, 3600, 300, 2419200, ARecordSet.DEFAULT_TTL);
    }

    public NSRecord ns() {
        return new NSRecord(origin, DClass.IN, 3600, HOST);
    }

    private boolean exists(Name name) {
        if (name.equals(origin) || records.containsKey(name)) {
            return true;
        }
        return records.keySet().stream().anyMatch(owner -> owner.subdomain(name) && !owner.equals(name));
    }

    static Name wildcardOf(Name parent) {
        try {
            return Name.concatenate(WILDCARD, parent);
        } catch (org.xbill.DNS.NameTooLongException e) {
            throw new IllegalArgumentException("name too long under " + parent, e);
        }
    }
}
