package enclave.network.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lookups in one zone (RFC 1034 §4.3.2, RFC 4592): exact names, wildcards of the closest encloser, empty non-terminals. */
class LinkedZoneTest {
    private static final LinkedZone ZONE = new LinkedZone(DnsNames.zone("example.internal"), ResolutionPolicy.Default, Map.of(
            name("host"), addresses("127.57.0.1"),
            name("*"), addresses("127.57.0.2"),
            name("*.apps"), addresses("127.57.0.3"),
            name("a.deep.tree"), addresses("127.57.0.4"),
            name("*.tree"), addresses("127.57.0.5")));

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "host, 127.57.0.1",
            "other, 127.57.0.2",
            "x.y.other, 127.57.0.2",
            "web.apps, 127.57.0.3",
            "a.b.apps, 127.57.0.3",
            "a.deep.tree, 127.57.0.4",
            // 'deep.tree' exists (an empty non-terminal), so '*.tree' does not answer for it or below it
            "deep.tree, NODATA",
            "b.deep.tree, NXDOMAIN",
            "leaf.tree, 127.57.0.5",
            // 'apps' exists only as the parent of '*.apps': an empty non-terminal
            "apps, NODATA",
            "example.internal., NODATA",
            // 'host' exists, so it is the closest encloser and has no wildcard: the zone's '*' does not reach below it
            "sub.host, NXDOMAIN"})
    void lookupFollowsTheRfcs(String relative, String expected) {
        LinkedZone.Lookup found = ZONE.lookup(relative.endsWith(".") ? DnsNames.absolute(relative) : name(relative));
        String actual = switch (found) {
            case LinkedZone.Lookup.Found hit -> hit.addresses().ips().getFirst();
            case LinkedZone.Lookup.NoData noData -> "NODATA";
            case LinkedZone.Lookup.NxDomain nxDomain -> "NXDOMAIN";
        };
        assertThat(actual).isEqualTo(expected);
    }

    private static org.xbill.DNS.Name name(String relative) {
        return DnsNames.recordName(relative, DnsNames.zone("example.internal"));
    }

    private static LinkedZone.Addresses addresses(String ip) {
        return new LinkedZone.Addresses(10, List.of(ip));
    }
}
