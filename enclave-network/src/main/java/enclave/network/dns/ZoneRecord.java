package enclave.network.dns;

/** One A record a private endpoint asks for in a zone: a name relative to the zone ({@code *.x} allowed) and an IPv4 address. */
public record ZoneRecord(String relativeName, String ip) {
    public ZoneRecord {
        DnsNames.checkRelativeName(relativeName);
        DnsNames.checkIpv4(ip);
    }
}
