package enclave.network.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class PrivateDnsZonesTest {
    private static final String SUB = "00000000-0000-0000-0000-000000000002";
    private static final String ZONE = "privatelink.blob.core.windows.net";
    private static final ResolverNetwork VNET = new ResolverNetwork(ResourceId.of(SUB, "rg", "Microsoft.Network", "virtualNetworks", "vnet1"), "vnet1", "127.54.0.2");

    @TempDir
    Path temp;

    private Database database;
    private PrivateDnsZones zones;
    private final ResourceId zone = PrivateDnsZones.zoneId(SUB, "rg", ZONE);

    @BeforeEach
    void setUp() {
        database = Database.open(temp.resolve("db"));
        NetworkDirectory directory = NetworkDirectory.of(List.of(VNET));
        zones = new PrivateDnsZones(new JdbcResourceStore(database.dataSource()), directory, group -> !group.name().equals("missing"), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @Test
    void aZoneGroupTakesBackExactlyItsOwnRecords() {
        zones.createZone(zone, Map.of());
        zones.addRecord(zone, "shared", "127.54.0.9");
        ResourceId pe1 = endpoint("pe1");
        ResourceId pe2 = endpoint("pe2");
        zones.registerZoneGroup(pe1, ZONE, List.of(new ZoneRecord("acct1", "127.54.0.4"), new ZoneRecord("shared", "127.54.0.4")));
        zones.registerZoneGroup(pe2, ZONE, List.of(new ZoneRecord("acct1", "127.54.0.5")));
        assertThat(zones.recordSet(PrivateDnsZones.recordSetId(zone, "acct1")).addresses()).containsExactly("127.54.0.4", "127.54.0.5");

        zones.unregisterZoneGroup(pe1);

        assertThat(zones.recordSet(PrivateDnsZones.recordSetId(zone, "acct1")).addresses()).containsExactly("127.54.0.5");
        assertThat(zones.recordSet(PrivateDnsZones.recordSetId(zone, "shared")).addresses()).containsExactly("127.54.0.9");
        assertThat(zones.findZoneGroup(pe1)).isEmpty();
        zones.unregisterZoneGroup(pe2);
        assertThat(zones.findRecordSet(PrivateDnsZones.recordSetId(zone, "acct1"))).isEmpty();
        assertThat(zones.findZone(zone)).as("the zone stays").isPresent();
    }

    @Test
    void aZoneGroupCreatesItsZoneInTheEndpointsResourceGroup() {
        zones.registerZoneGroup(endpoint("pe1"), ZONE, List.of(new ZoneRecord("acct1", "127.54.0.4")));
        assertThat(zones.zones(ResourceId.resourceGroup(SUB, "rg"))).extracting(PrivateDnsZone::name).containsExactly(ZONE);
        assertThat(zones.findZoneGroup(endpoint("pe1")).orElseThrow().zoneIds()).containsExactly(zone.toString());
    }

    @Test
    void aLinkNeedsAnExistingNetworkAndNoRegistration() {
        zones.createZone(zone, Map.of());
        ResourceId missing = ResourceId.of(SUB, "rg", "Microsoft.Network", "virtualNetworks", "nope");
        assertThatThrownBy(() -> zones.link(zone, "l1", missing, false, ResolutionPolicy.Default))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ResourceNotFound))
                .hasMessageContaining("virtual network 'nope' was not found").hasMessageContaining("enclave network vnet create");
        assertThatThrownBy(() -> zones.link(zone, "l1", VNET.id(), true, ResolutionPolicy.Default))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidRequestContent))
                .hasMessageContaining("registrationEnabled");
        zones.link(zone, "l1", VNET.id(), false, ResolutionPolicy.Default);
        assertThat(zones.linkedTo(VNET.id())).extracting(LinkedZone::origin).containsExactly(DnsNames.zone(ZONE));
    }

    @Test
    void aNetworkLinksToOnlyOneZoneOfAName() {
        ResourceId other = PrivateDnsZones.zoneId(SUB, "rg2", ZONE);
        zones.createZone(zone, Map.of());
        zones.createZone(other, Map.of());
        zones.link(zone, "l1", VNET.id(), false, ResolutionPolicy.Default);
        assertThatThrownBy(() -> zones.link(other, "l2", VNET.id(), false, ResolutionPolicy.Default))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.Conflict))
                .hasMessageContaining("already linked to another zone named '" + ZONE + "'");
    }

    @Test
    void resolversSeeLinkedZonesAgainAfterARestart() {
        zones.registerZoneGroup(endpoint("pe1"), ZONE, List.of(new ZoneRecord("acct1", "127.54.0.4")));
        zones.link(zone, "l1", VNET.id(), false, ResolutionPolicy.NxDomainRedirect);

        PrivateDnsZones restarted = new PrivateDnsZones(new JdbcResourceStore(database.dataSource()), NetworkDirectory.of(List.of(VNET)), group -> true,
                Clock.systemUTC());

        LinkedZone linked = restarted.linkedTo(VNET.id()).getFirst();
        assertThat(linked.policy()).isEqualTo(ResolutionPolicy.NxDomainRedirect);
        assertThat(linked.lookup(DnsNames.absolute("acct1." + ZONE))).isEqualTo(
                new LinkedZone.Lookup.Found(DnsNames.absolute("acct1." + ZONE), new LinkedZone.Addresses(ARecordSet.DEFAULT_TTL, List.of("127.54.0.4"))));
        restarted.unregisterZoneGroup(endpoint("pe1"));
        assertThat(restarted.linkedTo(VNET.id()).getFirst().lookup(DnsNames.absolute("acct1." + ZONE))).isInstanceOf(LinkedZone.Lookup.NxDomain.class);
    }

    @Test
    void aLinkedZoneCannotBeDeleted() {
        zones.createZone(zone, Map.of());
        zones.link(zone, "l1", VNET.id(), false, ResolutionPolicy.Default);
        assertThatThrownBy(() -> zones.deleteZone(zone))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.Conflict))
                .hasMessageContaining("l1");
        zones.deleteLink(PrivateDnsZones.linkId(zone, "l1"));
        assertThat(zones.deleteZone(zone)).isTrue();
        assertThat(zones.linkedTo(VNET.id())).isEmpty();
    }

    @Test
    void zonesNeedAnExistingResourceGroup() {
        assertThatThrownBy(() -> zones.createZone(PrivateDnsZones.zoneId(SUB, "missing", ZONE), Map.of()))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ResourceGroupNotFound));
    }

    @ParameterizedTest
    @ValueSource(strings = {"com", "a..b", "-bad.example.com", "under score.example"})
    void badZoneNamesAreRefused(String name) {
        assertThatThrownBy(() -> DnsNames.checkZoneName(name))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidResourceName));
    }

    @Test
    void zoneNamesLoseATrailingDotAndCapitals() {
        assertThat(DnsNames.checkZoneName("Example.COM.")).isEqualTo("example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.*", "**", "*x", ""})
    void badRecordNamesAreRefused(String name) {
        assertThatThrownBy(() -> zones.addRecord(zone, name, "127.54.0.4"))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidResourceName));
    }

    @ParameterizedTest
    @ValueSource(strings = {"256.1.1.1", "1.2.3", "01.2.3.4", "::1"})
    void badAddressesAreRefused(String ip) {
        assertThatThrownBy(() -> zones.addRecord(zone, "x", ip))
                .isInstanceOfSatisfying(EnclaveException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.InvalidRequestContent))
                .hasMessageContaining("not an IPv4 address");
    }

    @Test
    void theExportLoadsInBindAndParsesBackWithDnsjava() throws Exception {
        zones.createZone(zone, Map.of());
        zones.addRecord(zone, "acct1", "127.54.0.4");
        zones.addRecord(zone, "acct1", "127.54.0.6");
        zones.addRecord(zone, "*.wild", "127.54.0.7");
        zones.addRecord(zone, "@", "127.54.0.8");
        String text = zones.export(zone);
        assertThat(text).contains("$ORIGIN " + ZONE + ".").contains("SOA").contains("NS");

        Path file = Files.writeString(temp.resolve("zone.db"), text);
        List<Record> parsed = new ArrayList<>();
        try (Master master = new Master(file.toString(), Name.root)) {
            for (Record record = master.nextRecord(); record != null; record = master.nextRecord()) {
                parsed.add(record);
            }
        }
        assertThat(parsed).extracting(record -> Type.string(record.getType()) + " " + record.getName() + " " + record.rdataToString()).contains(
                "A acct1." + ZONE + ". 127.54.0.4",
                "A acct1." + ZONE + ". 127.54.0.6",
                "A *.wild." + ZONE + ". 127.54.0.7",
                "A " + ZONE + ". 127.54.0.8");
        assertThat(parsed).extracting(Record::getType).contains(Type.SOA, Type.NS);

        // BIND's own checker, as an operator would run it before loading the file
        Process check = new ProcessBuilder("named-checkzone", ZONE, file.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).contains("OK");
    }

    private static ResourceId endpoint(String name) {
        return ResourceId.of(SUB, "rg", "Microsoft.Network", "privateEndpoints", name);
    }

}
