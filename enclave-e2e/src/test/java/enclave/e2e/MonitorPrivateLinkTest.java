package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 002 ("Use private endpoints for Managed Prometheus and Azure Monitor workspace") end to end, through the CLI and
 * the real {@code dig} and {@code curl}: two monitor workspaces, each with a private endpoint in its own network; the
 * seed's two DNS tables (public view and the linked network's view), its known issue (a network linked to the privatelink
 * zone cannot resolve a workspace whose private endpoints are elsewhere) and the per-link fix, and PromQL that only the
 * private endpoint may carry once public network access is disabled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitorPrivateLinkTest {
    private static final String MONITOR = "https://prometheus.monitor.azure.com/.default";
    private static final String ZONE = "privatelink.local.prometheus.monitor.azure.com";
    private static TestServer enclave;
    private static Cli cli;
    private static JsonNode amw1;
    private static JsonNode amw2;
    private static String reader;
    private static String readerSecret;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.run("group", "create", "-n", "rg1").ok();
        cli.run("group", "create", "-n", "rg2").ok();
        amw1 = cli.run("monitor", "account", "create", "-n", "amw1", "-g", "rg1").ok().json();
        amw2 = cli.run("monitor", "account", "create", "-n", "amw2", "-g", "rg2").ok().json();

        // amw1 holds the metrics of an ML workspace with a deployed endpoint that has seen traffic.
        cli.run("ml", "workspace", "create", "-n", "ws1", "-g", "rg1").ok();
        cli.run("configure", "--defaults", "group=rg1", "workspace=ws1").ok();
        Toolbox.deploy(cli, files, "seed002-ep", 1, "");
        cli.run("monitor", "account", "link", "-n", "amw1", "-g", "rg1", "--workspace", "ws1").ok();
        String key = cli.run("ml", "online-endpoint", "get-credentials", "-n", "seed002-ep", "--query", "primaryKey", "-o", "tsv").ok().out().strip();
        for (int i = 0; i < 3; i++) {
            assertThat(enclave.score("seed002-ep", key, "{}", Map.of()).statusCode()).isEqualTo(200);
        }

        // Two networks, each with a private endpoint to one workspace (approved at once: the admin owns both).
        cli.run("network", "vnet", "create", "-n", "vnet1", "-g", "rg1", "--address-prefix", "127.71.0.0/16", "--subnet-name", "default",
                "--subnet-prefix", "127.71.1.0/24").ok();
        cli.run("network", "vnet", "create", "-n", "vnet2", "-g", "rg2", "--address-prefix", "127.72.0.0/16", "--subnet-name", "default",
                "--subnet-prefix", "127.72.1.0/24").ok();
        JsonNode pe1 = cli.run("network", "private-endpoint", "create", "-n", "pe1", "-g", "rg1", "--vnet-name", "vnet1", "--subnet", "default",
                "--private-connection-resource-id", amw1.get("id").asText(), "--group-id", "prometheusMetrics", "--connection-name", "c1").ok().json();
        JsonNode pe2 = cli.run("network", "private-endpoint", "create", "-n", "pe2", "-g", "rg2", "--vnet-name", "vnet2", "--subnet", "default",
                "--private-connection-resource-id", amw2.get("id").asText(), "--group-id", "prometheusMetrics", "--connection-name", "c2").ok().json();
        assertThat(pe1.at("/properties/privateIpAddress").asText()).isEqualTo("127.71.1.4");
        assertThat(pe2.at("/properties/privateIpAddress").asText()).isEqualTo("127.72.1.4");
        assertThat(pe1.at("/properties/privateLinkServiceConnections/0/properties/privateLinkServiceConnectionState/status").asText()).isEqualTo("Approved");

        // A principal that may read amw1's metrics (Owner, as in Azure, holds no data actions).
        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "seed002-reader", "--role", "Monitoring Data Reader", "--scopes", amw1.get("id").asText())
                .ok().json();
        reader = sp.get("appId").asText();
        readerSecret = sp.get("password").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void seed002DnsTablesFromThePublicInternetAndFromTheLinkedNetwork() throws Exception {
        String host = host(amw1);
        String label = host.substring(0, host.indexOf('.'));
        assertThat(label).matches("amw1-[0-9a-f]{8}");
        String alias = label + "." + ZONE + ".";

        // Table 1, from the public internet: the CNAME to the privatelink name, then the public address.
        assertThat(dig("127.0.0.1", host, "+short")).containsExactly(alias, "127.0.0.1");
        // Table 2, from vnet1 (linked to the privatelink zone by the private endpoint's zone group): the same CNAME, then the private IP.
        assertThat(dig("127.71.0.2", host, "+short")).containsExactly(alias, "127.71.1.4");
        assertThat(dig("127.71.0.2", alias, "+short")).containsExactly("127.71.1.4");

        // The zone group made the zone in the endpoint's group, with the workspace's record, linked to vnet1.
        assertThat(cli.run("network", "private-dns", "record-set", "a", "show", "-g", "rg1", "-z", ZONE, "-n", label, "--query",
                "properties.aRecords[].ipv4Address", "-o", "tsv").ok().out().strip()).isEqualTo("127.71.1.4");
        assertThat(cli.run("network", "private-dns", "link", "vnet", "list", "-g", "rg1", "-z", ZONE, "--query", "[].properties.virtualNetwork.id", "-o", "tsv")
                .ok().out().strip()).endsWith("/virtualNetworks/vnet1");
    }

    @Test
    void seed002KnownIssueIsNxdomainInTheOtherLinkedNetworkUntilTheLinkRedirects() throws Exception {
        String host = host(amw2);
        String label = host.substring(0, host.indexOf('.'));
        String alias = label + "." + ZONE + ".";
        // amw2 resolves where its private endpoint is (vnet2) and publicly...
        assertThat(dig("127.72.0.2", host, "+short")).containsExactly(alias, "127.72.1.4");
        assertThat(dig("127.0.0.1", host, "+short")).containsExactly(alias, "127.0.0.1");

        // ...but vnet1 is linked to rg1's privatelink zone, which has no record for amw2: NXDOMAIN after the CNAME.
        String status = String.join("\n", dig("127.71.0.2", host, "+noall", "+comments", "+answer"));
        assertThat(status).contains("status: NXDOMAIN").contains(alias);
        assertThat(dig("127.71.0.2", host, "+short")).containsExactly(alias);

        // The fix, per link: fall back to the public answer for names the zone lacks.
        String link = cli.run("network", "private-dns", "link", "vnet", "list", "-g", "rg1", "-z", ZONE, "--query", "[0].name", "-o", "tsv").ok().out().strip();
        JsonNode updated = cli.run("network", "private-dns", "link", "vnet", "update", "-g", "rg1", "-z", ZONE, "-n", link, "--resolution-policy",
                "NxDomainRedirect").ok().json();
        assertThat(updated.at("/properties/resolutionPolicy").asText()).isEqualTo("NxDomainRedirect");
        assertThat(updated.at("/properties/virtualNetwork/id").asText()).endsWith("/virtualNetworks/vnet1");
        assertThat(String.join("\n", dig("127.71.0.2", host, "+noall", "+comments"))).contains("status: NOERROR");
        assertThat(dig("127.71.0.2", host, "+short")).containsExactly(alias, "127.0.0.1");
        // amw1's own record still answers from the zone in vnet1.
        assertThat(dig("127.71.0.2", host(amw1), "+short")).last().isEqualTo("127.71.1.4");
    }

    @Test
    void withPublicAccessDisabledPromqlAnswersOnlyThroughThePrivateEndpoint() throws Exception {
        JsonNode closed = cli.run("monitor", "account", "update", "-n", "amw1", "-g", "rg1", "--public-network-access", "Disabled").ok().json();
        assertThat(closed.at("/properties/publicNetworkAccess").asText()).isEqualTo("Disabled");
        String token = enclave.token(reader, readerSecret, MONITOR);
        String query = "/api/v1/query?query=" + URLEncoder.encode("enclave_requests_total{endpoint=\"seed002-ep\",status_code=\"200\"}", StandardCharsets.UTF_8);

        // The public listener refuses, by path and by host, and says which resolver and private IP would get through.
        NetworkTools.Answer byPath = curl(pathUrl(amw1) + query, null, token);
        NetworkTools.Answer byHost = curl(queryUrl(amw1) + query, "127.0.0.1", token);
        for (NetworkTools.Answer refused : List.of(byPath, byHost)) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            JsonNode error = Json.MAPPER.readTree(refused.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("PublicNetworkAccessDisabled");
            assertThat(error.path("message").asText()).contains("public listener").contains("127.71.0.2").contains("127.71.1.4").contains(host(amw1));
        }

        // Through amw1's private endpoint (the address vnet1's resolver answers): the endpoint's series, once scraped.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            NetworkTools.Answer inside = curl(queryUrl(amw1) + query, "127.71.1.4", token);
            assertThat(inside.status()).as(inside.body()).isEqualTo(200);
            JsonNode result = Json.MAPPER.readTree(inside.body()).at("/data/result");
            assertThat(result).as(inside.body()).hasSize(1);
            assertThat(result.at("/0/metric/endpoint").asText()).isEqualTo("seed002-ep");
            assertThat(result.at("/0/value/1").asDouble()).isGreaterThanOrEqualTo(3);
        });

        // A token for another audience is refused on the private path too.
        NetworkTools.Answer otherAudience = curl(queryUrl(amw1) + query, "127.71.1.4", enclave.token(reader, readerSecret, "https://management.azure.com/.default"));
        assertThat(otherAudience.status()).as(otherAudience.body()).isEqualTo(401);

        // amw1's private endpoint carries only amw1: amw2's host through it is refused before authentication.
        NetworkTools.Answer mismatch = curl(queryUrl(amw2) + query, "127.71.1.4", token);
        assertThat(mismatch.status()).as(mismatch.body()).isEqualTo(403);
        JsonNode error = Json.MAPPER.readTree(mismatch.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("PrivateEndpointTargetMismatch");
        assertThat(error.path("message").asText()).contains("pe1");
    }

    @Test
    void aManualRequestToAMonitorWorkspaceCarriesNoQueriesUntilApprovedAndGoesWithItsEndpoint() throws Exception {
        String amw1Id = amw1.get("id").asText();
        JsonNode pe3 = cli.run("network", "private-endpoint", "create", "-n", "pe3", "-g", "rg2", "--vnet-name", "vnet2", "--subnet", "default",
                "--private-connection-resource-id", amw1Id, "--group-id", "prometheusMetrics", "--connection-name", "c3", "--manual-request").ok().json();
        String ip = pe3.at("/properties/privateIpAddress").asText();
        assertThat(ip).isEqualTo("127.72.1.5");
        assertThat(cli.run("network", "private-endpoint-connection", "list", "--id", amw1Id, "--query",
                "[?name=='pe3.c3'].properties.privateLinkServiceConnectionState.status", "-o", "tsv").ok().out().strip()).isEqualTo("Pending");
        // The workspace shows its connections, as Azure's Microsoft.Monitor/accounts body does.
        assertThat(connectionStates("amw1", "rg1")).containsExactlyInAnyOrder("pe1.c1 Approved", "pe3.c3 Pending");
        // vnet2's resolver now answers amw1's query host with pe3's address (rg2's zone got the record)...
        assertThat(dig("127.72.0.2", host(amw1), "+short")).last().isEqualTo(ip);
        // ...but a Pending connection carries nothing, and says what to approve.
        String token = enclave.token(reader, readerSecret, MONITOR);
        NetworkTools.Answer pending = curl(queryUrl(amw1) + "/api/v1/query?query=enclave_up", ip, token);
        assertThat(pending.status()).as(pending.body()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(pending.body()).at("/error/code").asText()).isEqualTo("PrivateEndpointConnectionNotApproved");
        assertThat(pending.body()).contains("Pending").contains("approve");

        cli.run("network", "private-endpoint-connection", "approve", "-n", "pe3.c3", "--resource-id", amw1Id, "--description", "seed 002").ok();
        assertThat(connectionStates("amw1", "rg1")).containsExactlyInAnyOrder("pe1.c1 Approved", "pe3.c3 Approved");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            NetworkTools.Answer approved = curl(queryUrl(amw1) + "/api/v1/query?query=enclave_up", ip, token);
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);
            assertThat(approved.body()).contains("\"enclave_up\"");
        });

        // Deleting the private endpoint takes its listener and its record: vnet2 is back to the known issue for amw1.
        cli.run("network", "private-endpoint", "delete", "-n", "pe3", "-g", "rg2").ok();
        assertThat(String.join("\n", dig("127.72.0.2", host(amw1), "+noall", "+comments"))).contains("status: NXDOMAIN");
        assertThat(curl(queryUrl(amw1) + "/api/v1/query?query=enclave_up", ip, token).status()).isZero();
        assertThat(connectionStates("amw1", "rg1")).containsExactly("pe1.c1 Approved");
    }

    @Test
    @Order(Integer.MAX_VALUE) // restarts the shared server (new ports): after the others
    void afterARestartTheResolversTheLinkPolicyAndThePrivateListenerComeBack() throws Exception {
        cli.run("monitor", "account", "update", "-n", "amw1", "-g", "rg1", "--public-network-access", "Disabled").ok();
        String link = cli.run("network", "private-dns", "link", "vnet", "list", "-g", "rg1", "-z", ZONE, "--query", "[0].name", "-o", "tsv").ok().out().strip();
        cli.run("network", "private-dns", "link", "vnet", "update", "-g", "rg1", "-z", ZONE, "-n", link, "--resolution-policy", "NxDomainRedirect").ok();
        enclave.restart();

        JsonNode account = cli.run("monitor", "account", "show", "-n", "amw1", "-g", "rg1").ok().json();
        assertThat(account.at("/properties/publicNetworkAccess").asText()).isEqualTo("Disabled");
        String host = host(account);
        String alias = host.substring(0, host.indexOf('.')) + "." + ZONE + ".";
        assertThat(dig("127.0.0.1", host, "+short")).containsExactly(alias, "127.0.0.1");
        assertThat(dig("127.71.0.2", host, "+short")).containsExactly(alias, "127.71.1.4");
        // the link kept NxDomainRedirect: amw2 gets the public answer in vnet1
        assertThat(dig("127.71.0.2", host(amw2), "+short")).last().isEqualTo("127.0.0.1");

        String token = enclave.token(reader, readerSecret, MONITOR);
        String url = queryUrl(account) + "/api/v1/query?query=enclave_up";
        assertThat(curl(url, "127.0.0.1", token).status()).isEqualTo(403);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            NetworkTools.Answer inside = curl(url, "127.71.1.4", token);
            assertThat(inside.status()).as(inside.body()).isEqualTo(200);
            assertThat(inside.body()).contains("\"enclave_up\"");
        });
    }

    /** {@code monitor account show}'s private endpoint connections as "name status". */
    private static List<String> connectionStates(String account, String group) throws Exception {
        List<String> states = new ArrayList<>();
        cli.run("monitor", "account", "show", "-n", account, "-g", group).ok().json().at("/properties/privateEndpointConnections")
                .forEach(c -> states.add(c.get("name").asText() + " " + c.at("/properties/privateLinkServiceConnectionState/status").asText()));
        return states;
    }

    private static String queryUrl(JsonNode account) {
        return account.at("/properties/metrics/prometheusQueryEndpoint").asText();
    }

    private static String pathUrl(JsonNode account) {
        return account.at("/properties/metrics/prometheusQueryEndpointByPath").asText();
    }

    private static String host(JsonNode account) {
        return URI.create(queryUrl(account)).getHost();
    }

    /** curl {@code url} with a bearer token; with {@code address}, the URL's host is resolved to it (what a resolver answered). */
    private static NetworkTools.Answer curl(String url, String address, String token) throws Exception {
        return NetworkTools.curl(enclave.server.caFile(), url, address, token == null ? List.of() : List.of("Authorization: Bearer " + token), null);
    }

    /** The real {@code dig} at a resolver on the platform's DNS port, A query, output lines. */
    private static List<String> dig(String resolver, String name, String... options) throws Exception {
        return NetworkTools.dig(resolver, enclave.server.dns().port(), name, options);
    }
}
