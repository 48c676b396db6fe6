package enclave.network.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.RoutesOverHttp;
import enclave.store.Database;
import enclave.store.JdbcResourceStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ARM shapes of private DNS zones, record sets, links and zone groups over real HTTP, and the errors users get. */
class PrivateDnsZoneApiTest {
    private static final String RG = "/subscriptions/sub1/resourceGroups/rg1";
    private static final String ZONES = RG + "/providers/Microsoft.Network/privateDnsZones";
    private static final ResolverNetwork VNET = new ResolverNetwork(ResourceId.parse(RG + "/providers/Microsoft.Network/virtualNetworks/vnet1"), "vnet1", "127.56.0.2");

    @TempDir
    static Path temp;

    private static Database database;
    private static PrivateDnsZones zones;
    private static RoutesOverHttp server;

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(temp.resolve("db"));
        NetworkDirectory directory = NetworkDirectory.of(List.of(VNET));
        zones = new PrivateDnsZones(new JdbcResourceStore(database.dataSource()), directory, group -> group.name().equals("rg1"), Clock.systemUTC());
        server = RoutesOverHttp.start(new PrivateDnsZoneApi(zones).routes());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        database.close();
    }

    @Test
    void everyRouteDeclaresAMicrosoftNetworkAction() {
        assertThat(new PrivateDnsZoneApi(zones).routes()).allSatisfy(route -> assertThat(route.action()).startsWith("Microsoft.Network/"));
        assertThat(new PrivateDnsZoneApi(zones).routes()).extracting(route -> route.method() + " " + route.action()).contains(
                "PUT Microsoft.Network/privateDnsZones/write",
                "PUT Microsoft.Network/privateDnsZones/A/write",
                "PUT Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
                "GET Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read");
    }

    @Test
    void zonesRecordSetsAndLinksHaveAzuresShapes() throws Exception {
        String zone = ZONES + "/contoso.internal";
        HttpResponse<String> created = send("PUT", zone, "{\"location\":\"global\",\"tags\":{\"team\":\"ml\"}}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = Json.MAPPER.readTree(created.body());
        assertThat(body.get("type").asText()).isEqualTo("Microsoft.Network/privateDnsZones");
        assertThat(body.get("location").asText()).isEqualTo("global");
        assertThat(body.at("/tags/team").asText()).isEqualTo("ml");
        assertThat(body.at("/properties/numberOfRecordSets").asInt()).isEqualTo(1);
        assertThat(send("PUT", zone, "{\"location\":\"global\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> elsewhere = send("PUT", ZONES + "/other.internal", "{\"location\":\"westeurope\"}");
        assertThat(elsewhere.statusCode()).isEqualTo(400);
        assertThat(elsewhere.body()).contains("InvalidRequestContent").contains("global");

        HttpResponse<String> set = send("PUT", zone + "/A/*.apps", "{\"properties\":{\"ttl\":30,\"aRecords\":[{\"ipv4Address\":\"127.56.0.7\"}]}}");
        assertThat(set.statusCode()).isEqualTo(201);
        JsonNode record = Json.MAPPER.readTree(send("GET", zone + "/A/*.apps", null).body());
        assertThat(record.get("type").asText()).isEqualTo("Microsoft.Network/privateDnsZones/A");
        assertThat(record.at("/properties/fqdn").asText()).isEqualTo("*.apps.contoso.internal.");
        assertThat(record.at("/properties/ttl").asInt()).isEqualTo(30);
        assertThat(record.at("/properties/aRecords/0/ipv4Address").asText()).isEqualTo("127.56.0.7");

        HttpResponse<String> noNetwork = send("PUT", zone + "/virtualNetworkLinks/l0",
                "{\"location\":\"global\",\"properties\":{\"virtualNetwork\":{\"id\":\"" + RG + "/providers/Microsoft.Network/virtualNetworks/nope\"},\"registrationEnabled\":false}}");
        assertThat(noNetwork.statusCode()).isEqualTo(404);
        assertThat(noNetwork.body()).contains("ResourceNotFound").contains("virtual network 'nope' was not found");
        HttpResponse<String> badPolicy = send("PUT", zone + "/virtualNetworkLinks/l1",
                "{\"properties\":{\"virtualNetwork\":{\"id\":\"" + VNET.id() + "\"},\"registrationEnabled\":false,\"resolutionPolicy\":\"Sometimes\"}}");
        assertThat(badPolicy.statusCode()).isEqualTo(400);
        assertThat(badPolicy.body()).contains("NxDomainRedirect");
        HttpResponse<String> link = send("PUT", zone + "/virtualNetworkLinks/l1",
                "{\"location\":\"global\",\"properties\":{\"virtualNetwork\":{\"id\":\"" + VNET.id() + "\"},\"registrationEnabled\":false,\"resolutionPolicy\":\"NxDomainRedirect\"}}");
        assertThat(link.statusCode()).isEqualTo(201);
        JsonNode linkBody = Json.MAPPER.readTree(link.body());
        assertThat(linkBody.at("/properties/virtualNetwork/id").asText()).isEqualTo(VNET.id().toString());
        assertThat(linkBody.at("/properties/resolutionPolicy").asText()).isEqualTo("NxDomainRedirect");
        assertThat(linkBody.at("/properties/virtualNetworkLinkState").asText()).isEqualTo("Completed");
        assertThat(zones.linkedTo(VNET.id())).singleElement().satisfies(linked -> assertThat(linked.policy()).isEqualTo(ResolutionPolicy.NxDomainRedirect));

        HttpResponse<String> stillLinked = send("DELETE", zone, null);
        assertThat(stillLinked.statusCode()).isEqualTo(409);
        assertThat(stillLinked.body()).contains("Conflict").contains("l1");
        assertThat(send("DELETE", zone + "/virtualNetworkLinks/l1", null).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", zone, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", zone + "/A/*.apps", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aPrivateEndpointsZoneGroupShowsTheRecordsItOwns() throws Exception {
        ResourceId endpoint = ResourceId.parse(RG + "/providers/Microsoft.Network/privateEndpoints/pe1");
        zones.registerZoneGroup(endpoint, "privatelink.blob.core.windows.net", List.of(new ZoneRecord("acct1", "127.56.0.4")));
        HttpResponse<String> group = send("GET", endpoint + "/privateDnsZoneGroups/default", null);
        assertThat(group.statusCode()).isEqualTo(200);
        JsonNode config = Json.MAPPER.readTree(group.body()).at("/properties/privateDnsZoneConfigs/0");
        assertThat(config.at("/properties/privateDnsZoneId").asText()).isEqualTo(ZONES + "/privatelink.blob.core.windows.net");
        assertThat(config.at("/properties/recordSets/0/fqdn").asText()).isEqualTo("acct1.privatelink.blob.core.windows.net.");
        assertThat(config.at("/properties/recordSets/0/ipAddresses/0").asText()).isEqualTo("127.56.0.4");

        zones.unregisterZoneGroup(endpoint);
        HttpResponse<String> gone = send("GET", endpoint + "/privateDnsZoneGroups/default", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("ResourceNotFound");
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return server.send(method, path, body);
    }
}
