package enclave.network.dns;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.core.ResourceId;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The DNS server on real loopback sockets, asked by the real {@code dig} and by dnsjava's resolver over UDP, TCP and a
 * Unix socket: the public view, two virtual networks' views, the known NXDOMAIN issue and its NxDomainRedirect way out,
 * wildcards, and forwarding.
 */
class DnsServerTest {
    private static final String SUB = "00000000-0000-0000-0000-000000000001";
    private static final String PUBLIC = "127.53.0.1";
    private static final String UPSTREAM = "127.53.9.1";
    private static final String GUID = "7d1e4c2a-9f00-4b6e-a1d2-3c4b5a697a8b";
    private static final ResolverNetwork NET_A = network("rg-a", "vnet-a", "127.53.1.2");
    private static final ResolverNetwork NET_B = network("rg-b", "vnet-b", "127.53.2.2");
    private static final ResolverNetwork NET_C = network("rg-c", "vnet-c", "127.53.3.2");
    private static final PlatformSuffixes SUFFIXES = PlatformSuffixes.azure("local");

    @TempDir
    static Path temp;

    private static Database database;
    private static PrivateDnsZones zones;
    private static DnsServer upstream;
    private static DnsServer dns;
    private static int port;
    private static final List<PlatformResource> resources = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        database = Database.open(temp.resolve("db"));
        NetworkDirectory directory = NetworkDirectory.of(List.of(NET_A, NET_B, NET_C));
        zones = new PrivateDnsZones(new JdbcResourceStore(database.dataSource()), directory, group -> true, Clock.systemUTC());

        // The upstream: another DnsServer that serves one outside name, www.example.test.
        upstream = new DnsServer(new SplitHorizon(new ExampleNames(), network -> List.of(), Optional.empty()), UPSTREAM, 0);

        resources.add(SUFFIXES.storageAccount("plainstore", false));
        resources.add(SUFFIXES.storageAccount("pestore", true));
        resources.add(SUFFIXES.storageAccount("elsewhere", true));
        resources.add(SUFFIXES.workspace(GUID, true));
        resources.add(SUFFIXES.scoringHost("ep1", GUID, true));
        dns = new DnsServer(new SplitHorizon(new PlatformNames(PUBLIC, SUFFIXES, () -> resources), zones,
                Optional.of(new Upstream(new java.net.InetSocketAddress(UPSTREAM, upstream.port())))), PUBLIC, 0);
        port = dns.port();
        dns.addNetwork(NET_A);
        dns.addNetwork(NET_B);
        dns.addNetwork(NET_C);

        String blobZone = SUFFIXES.privateLinkZone("blob");
        // vnet-a: its own zone, with pestore's private endpoint; vnet-b: a zone of the same name in another group with
        // elsewhere's; vnet-c: nothing linked.
        ResourceId zoneA = PrivateDnsZones.zoneId(SUB, "rg-a", blobZone);
        ResourceId zoneB = PrivateDnsZones.zoneId(SUB, "rg-b", blobZone);
        zones.registerZoneGroup(privateEndpoint("rg-a", "pe-pestore"), blobZone, List.of(new ZoneRecord("pestore", "127.53.1.4")));
        zones.registerZoneGroup(privateEndpoint("rg-b", "pe-elsewhere"), blobZone, List.of(new ZoneRecord("elsewhere", "127.53.2.4")));
        zones.link(zoneA, "link-a", NET_A.id(), false, ResolutionPolicy.Default);
        zones.link(zoneB, "link-b", NET_B.id(), false, ResolutionPolicy.Default);
        // the workspace's private endpoint in vnet-a: its own name and the wildcard that covers its scoring hosts
        String mlZone = SUFFIXES.privateLinkZone("amlworkspace");
        zones.registerZoneGroup(privateEndpoint("rg-a", "pe-ws"), mlZone,
                List.of(new ZoneRecord(GUID + ".workspace.local", "127.53.1.5"), new ZoneRecord("*." + GUID + ".inference.local", "127.53.1.5")));
        zones.link(PrivateDnsZones.zoneId(SUB, "rg-a", mlZone), "link-ml", NET_A.id(), false, ResolutionPolicy.Default);
    }

    @AfterAll
    static void stop() {
        dns.close();
        upstream.close();
        database.close();
    }

    @Test
    void thePublicViewAnswersThePublicAddressWithThePrivateLinkCnameWhenTheResourceHasPrivateEndpoints() throws Exception {
        assertThat(Dig.shortAnswer(PUBLIC, port, "plainstore.blob.core.windows.net")).containsExactly(PUBLIC);
        assertThat(Dig.shortAnswer(PUBLIC, port, "pestore.blob.core.windows.net"))
                .containsExactly("pestore.privatelink.blob.core.windows.net.", PUBLIC);
        // the privatelink name itself, asked outside any network, is the public address too
        assertThat(Dig.shortAnswer(PUBLIC, port, "pestore.privatelink.blob.core.windows.net")).containsExactly(PUBLIC);

        Dig.Answer answer = Dig.query(PUBLIC, port, "pestore.blob.core.windows.net");
        assertThat(answer.status()).isEqualTo("NOERROR");
        assertThat(answer.authoritative()).as(answer.output()).isTrue();
        assertThat(answer.records()).containsExactly(
                "pestore.blob.core.windows.net. 10 IN CNAME pestore.privatelink.blob.core.windows.net.",
                "pestore.privatelink.blob.core.windows.net. 10 IN A " + PUBLIC);
    }

    @Test
    void aLinkedNetworkGetsThePrivateAddressTheSameNameHasOutside() throws Exception {
        assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, "pestore.blob.core.windows.net"))
                .containsExactly("pestore.privatelink.blob.core.windows.net.", "127.53.1.4");
        // a resource without private endpoints is public inside the network as well
        assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, "plainstore.blob.core.windows.net")).containsExactly(PUBLIC);
        // a network with nothing linked sees the public view
        assertThat(Dig.shortAnswer(NET_C.resolverAddress(), port, "pestore.blob.core.windows.net"))
                .containsExactly("pestore.privatelink.blob.core.windows.net.", PUBLIC);
    }

    @Test
    void aNetworkLinkedToThePrivateLinkZoneCannotResolveAResourceWhosePrivateEndpointsAreElsewhere() throws Exception {
        // Azure's documented limitation (seed 002): vnet-a's zone has no record for 'elsewhere', whose endpoint is in vnet-b
        Dig.Answer fromA = Dig.query(NET_A.resolverAddress(), port, "elsewhere.blob.core.windows.net");
        assertThat(fromA.status()).as(fromA.output()).isEqualTo("NXDOMAIN");
        assertThat(fromA.records()).containsExactly("elsewhere.blob.core.windows.net. 10 IN CNAME elsewhere.privatelink.blob.core.windows.net.");
        assertThat(Dig.shortAnswer(NET_B.resolverAddress(), port, "elsewhere.blob.core.windows.net"))
                .containsExactly("elsewhere.privatelink.blob.core.windows.net.", "127.53.2.4");
        // outside any network the name works
        assertThat(Dig.shortAnswer(PUBLIC, port, "elsewhere.blob.core.windows.net")).endsWith(PUBLIC);
    }

    @Test
    void nxDomainRedirectFallsBackToThePublicAnswer() throws Exception {
        String blobZone = SUFFIXES.privateLinkZone("blob");
        ResourceId zoneA = PrivateDnsZones.zoneId(SUB, "rg-a", blobZone);
        zones.link(zoneA, "link-a", NET_A.id(), false, ResolutionPolicy.NxDomainRedirect);
        try {
            assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, "elsewhere.blob.core.windows.net"))
                    .containsExactly("elsewhere.privatelink.blob.core.windows.net.", PUBLIC);
            // names the zone has still answer privately
            assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, "pestore.blob.core.windows.net")).endsWith("127.53.1.4");
        } finally {
            zones.link(zoneA, "link-a", NET_A.id(), false, ResolutionPolicy.Default);
        }
        assertThat(Dig.query(NET_A.resolverAddress(), port, "elsewhere.blob.core.windows.net").status()).isEqualTo("NXDOMAIN");
    }

    @Test
    void aWorkspaceWildcardRecordCoversItsEndpointsScoringHosts() throws Exception {
        String host = "ep1.local.inference.ml.azure.com";
        String alias = "ep1." + GUID + ".inference.local.privatelink.api.azureml.ms.";
        assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, host)).containsExactly(alias, "127.53.1.5");
        assertThat(Dig.shortAnswer(PUBLIC, port, host)).containsExactly(alias, PUBLIC);
        assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, GUID + ".workspace.local.api.azureml.ms")).endsWith("127.53.1.5");
        // any label under the wildcard, but not the wildcard's parent (an empty non-terminal: NODATA) nor a sibling
        assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, "other." + GUID + ".inference.local.privatelink.api.azureml.ms")).containsExactly("127.53.1.5");
        Dig.Answer parent = Dig.query(NET_A.resolverAddress(), port, GUID + ".inference.local.privatelink.api.azureml.ms");
        assertThat(parent.status()).isEqualTo("NOERROR");
        assertThat(parent.records()).isEmpty();
        assertThat(Dig.query(NET_A.resolverAddress(), port, "x.nope.local.privatelink.api.azureml.ms").status()).isEqualTo("NXDOMAIN");
    }

    @Test
    void unknownPlatformNamesAreNxDomainAndOtherNamesGoUpstream() throws Exception {
        Dig.Answer unknown = Dig.query(PUBLIC, port, "nosuchaccount.blob.core.windows.net");
        assertThat(unknown.status()).isEqualTo("NXDOMAIN");
        assertThat(unknown.authoritative()).isTrue();
        assertThat(Dig.shortAnswer(PUBLIC, port, "www.example.test")).containsExactly("127.53.9.9");
        assertThat(Dig.shortAnswer(NET_A.resolverAddress(), port, "www.example.test")).containsExactly("127.53.9.9");
        // the upstream itself has no upstream: it refuses what it does not serve
        assertThat(Dig.query(UPSTREAM, upstream.port(), "www.elsewhere.test").status()).isEqualTo("REFUSED");
    }

    @Test
    void dnsjavaResolvesOverUdpAndTcp() throws Exception {
        for (boolean tcp : List.of(false, true)) {
            SimpleResolver resolver = new SimpleResolver(NET_A.resolverAddress());
            resolver.setPort(port);
            resolver.setTCP(tcp);
            resolver.setTimeout(Duration.ofSeconds(5));
            Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("pestore.blob.core.windows.net."), Type.A, DClass.IN)));
            assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
            List<Record> answers = response.getSection(Section.ANSWER);
            assertThat(answers).hasSize(2);
            assertThat(((CNAMERecord) answers.get(0)).getTarget()).isEqualTo(Name.fromString("pestore.privatelink.blob.core.windows.net."));
            assertThat(((ARecord) answers.get(1)).getAddress()).isEqualTo(InetAddress.getByName("127.53.1.4"));
            assertThat(answers.get(1).getTTL()).isEqualTo(10);
        }
    }

    @Test
    void theUnixSocketListenerAnswersAsItsNetworksView() throws Exception {
        Path socket = temp.resolve("dns.sock");
        try (UnixDnsListener listener = dns.listenUnix(socket, Optional.of(NET_A.id()));
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(listener.socket()));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
            DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
            List<Message> responses = new ArrayList<>();
            // two queries on one connection, as DNS over TCP allows
            for (String name : List.of("pestore.blob.core.windows.net.", "elsewhere.blob.core.windows.net.")) {
                byte[] query = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
                out.writeShort(query.length);
                out.write(query);
                out.flush();
                byte[] response = new byte[in.readUnsignedShort()];
                in.readFully(response);
                responses.add(new Message(response));
            }
            assertThat(((ARecord) responses.get(0).getSection(Section.ANSWER).get(1)).getAddress().getHostAddress()).isEqualTo("127.53.1.4");
            assertThat(responses.get(1).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void aMalformedPacketIsAnsweredFormErrAndTheServerKeepsAnswering() throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(5000);
            // a header claiming one question, then garbage
            byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 0x41};
            client.send(new DatagramPacket(garbage, garbage.length, InetAddress.getByName(PUBLIC), port));
            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            client.receive(reply);
            Message response = new Message(java.util.Arrays.copyOf(reply.getData(), reply.getLength()));
            assertThat(response.getHeader().getID()).isEqualTo(0x1234);
            assertThat(response.getRcode()).isEqualTo(Rcode.FORMERR);
        }
        assertThat(dns.answer(new byte[] {1, 2, 3}, Optional.empty())).isEmpty();
        assertThat(Dig.shortAnswer(PUBLIC, port, "plainstore.blob.core.windows.net")).containsExactly(PUBLIC);
    }

    @Test
    void anAnswerTooBigForUdpIsTruncatedAndDigGetsItAllOverTcp() throws Exception {
        ResourceId big = PrivateDnsZones.zoneId(SUB, "rg-c", "big.internal");
        zones.createZone(big, Map.of());
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            addresses.add("127.53.3." + (i + 10));
        }
        zones.putRecordSet(big, "many", 10, addresses);
        zones.link(big, "link-big", NET_C.id(), false, ResolutionPolicy.Default);

        try (DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(5000);
            byte[] query = Message.newQuery(Record.newRecord(Name.fromString("many.big.internal."), Type.A, DClass.IN)).toWire();
            client.send(new DatagramPacket(query, query.length, InetAddress.getByName(NET_C.resolverAddress()), port));
            DatagramPacket reply = new DatagramPacket(new byte[4096], 4096);
            client.receive(reply);
            assertThat(reply.getLength()).isLessThanOrEqualTo(512);
            assertThat(new Message(java.util.Arrays.copyOf(reply.getData(), reply.getLength())).getHeader().getFlag(Flags.TC)).isTrue();
        }
        // dig offers EDNS (1232 bytes), still too small for 100 records: it sees TC and asks again over TCP
        assertThat(Dig.shortAnswer(NET_C.resolverAddress(), port, "many.big.internal")).hasSize(100).containsAll(addresses);
    }

    @Test
    void removingANetworkStopsItsResolver() throws Exception {
        ResolverNetwork temporary = network("rg-t", "vnet-t", "127.53.4.2");
        dns.addNetwork(temporary);
        assertThat(Dig.shortAnswer(temporary.resolverAddress(), port, "plainstore.blob.core.windows.net")).containsExactly(PUBLIC);
        dns.removeNetwork(temporary.id());
        try (DatagramSocket probe = new DatagramSocket(new java.net.InetSocketAddress(temporary.resolverAddress(), port))) {
            assertThat(probe.getLocalPort()).as("the port on the removed network's address is free again").isEqualTo(port);
        }
    }

    private static ResolverNetwork network(String group, String name, String resolver) {
        return new ResolverNetwork(ResourceId.of(SUB, group, "Microsoft.Network", "virtualNetworks", name), name, resolver);
    }

    private static ResourceId privateEndpoint(String group, String name) {
        return ResourceId.of(SUB, group, "Microsoft.Network", "privateEndpoints", name);
    }

    /** What the test upstream serves: www.example.test and nothing else under example.test. */
    private static final class ExampleNames implements PublicNames {
        @Override
        public Optional<PublicName> lookup(Name fqdn) {
            return fqdn.equals(DnsNames.absolute("www.example.test")) ? Optional.of(new PublicName(fqdn, "127.53.9.9", Optional.empty())) : Optional.empty();
        }

        @Override
        public boolean inPlatformZone(Name fqdn) {
            return fqdn.subdomain(DnsNames.absolute("example.test"));
        }
    }
}
