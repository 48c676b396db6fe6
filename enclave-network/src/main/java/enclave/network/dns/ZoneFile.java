package enclave.network.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;

/**
 * A private DNS zone in master-file form (RFC 1035 §5.1), the records rendered by dnsjava: {@code $ORIGIN}, {@code $TTL},
 * the SOA and NS records Azure's private zones carry, then every A record. BIND ({@code named-checkzone}) and dnsmasq
 * load it as it is.
 */
public final class ZoneFile {
    private ZoneFile() {}

    public static String render(PrivateDnsZone zone, List<ARecordSet> recordSets) {
        Name origin = DnsNames.zone(zone.name());
        LinkedZone view = new LinkedZone(origin, ResolutionPolicy.Default, Map.of());
        StringBuilder text = new StringBuilder();
        text.append("; private DNS zone ").append(zone.id()).append('\n');
        text.append("$ORIGIN ").append(origin).append('\n');
        text.append("$TTL ").append(ARecordSet.DEFAULT_TTL).append('\n');
        text.append(view.soa()).append('\n');
        text.append(view.ns()).append('\n');
        for (ARecordSet set : recordSets) {
            Name owner = DnsNames.recordName(set.relativeName(), origin);
            for (String ip : set.addresses()) {
                text.append(new ARecord(owner, DClass.IN, set.ttl(), address(ip))).append('\n');
            }
        }
        return text.toString();
    }

    static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(DnsNames.checkIpv4(ip));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip, e);
        }
    }
}
