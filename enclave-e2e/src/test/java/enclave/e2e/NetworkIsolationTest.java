package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's data path on real sockets and real DNS answers (seed 001, "network isolation with managed online endpoints"): a
 * workspace behind a private endpoint in vnet1, endpoints with public access on and off, deployments with egress on and off.
 * Clients are the real {@code dig} and {@code curl}; the deployment's own code reports what it can reach from inside its
 * network namespace.
 */
class NetworkIsolationTest {
    private static final String SCORING_SUFFIX = ".local.inference.ml.azure.com";
    private static TestServer enclave;
    private static Cli cli;
    private static ServerSocket outside;
    private static String storageAccount;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.run("group", "create", "-n", "iso-rg").ok();
        cli.run("network", "vnet", "create", "-n", "vnet1", "-g", "iso-rg", "--address-prefix", "127.61.0.0/16", "--subnet-name", "default",
                "--subnet-prefix", "127.61.1.0/24").ok();
        JsonNode workspace = cli.run("ml", "workspace", "create", "-n", "isows", "-g", "iso-rg", "--pe-name", "ws-pe", "--pe-vnet-name", "vnet1",
                "--pe-subnet-name", "default", "--pe-auto-approval").ok().json();
        assertThat(workspace.at("/properties/publicNetworkAccess").asText()).isEqualTo("Disabled");
        cli.run("configure", "--defaults", "group=iso-rg", "workspace=isows").ok();
        storageAccount = workspace.at("/properties/storageAccount").asText().replaceAll(".*/", "");
        // A file in the workspace's own storage, which deployments may read through their private endpoint to it.
        cli.run("storage", "container", "create", "--account-name", storageAccount, "-n", "data").ok();
        Path hello = Files.writeString(files.resolve("hello.txt"), "hello from the workspace storage");
        cli.run("storage", "blob", "upload", "--account-name", storageAccount, "-c", "data", "-n", "hello.txt", "-f", hello.toString()).ok();
        // "A server outside": a TCP listener in the host's network, which isolated deployments must not reach.
        outside = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        outside.close();
        enclave.close();
    }

    @Test
    void privateEndpointAndIsolatedDeploymentFollowSeed001() throws Exception {
        deploy("iso-private", "disabled", "disabled");
        String key = key("iso-private");
        String host = "iso-private" + SCORING_SUFFIX;

        // Outside the network: the public listener refuses, and says how to get in.
        HttpResponse<String> refused = scorePathStyle("iso-private", key, "{\"action\":\"pid\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(TestServer.json(refused).at("/error/code").asText()).isEqualTo("PublicNetworkAccessDisabled");
        assertThat(refused.body()).contains("the public listener").contains("127.61.0.2").contains("127.61.1.4");

        // DNS: the public view gives the privatelink CNAME and the public address, vnet1's resolver the private endpoint's IP.
        assertThat(dig("127.0.0.1", host)).containsExactly("iso-private." + workspaceGuid() + ".inference.local.privatelink.api.azureml.ms.", "127.0.0.1");
        assertThat(dig("127.61.0.2", host)).last().isEqualTo("127.61.1.4");

        // Inside the network (the address vnet1's resolver gives): the same key scores.
        NetworkTools.Answer inside = curl(host, "127.61.1.4", key, "{\"action\":\"pid\"}");
        assertThat(inside.status()).as(inside.body()).isEqualTo(200);
        assertThat(inside.body()).contains("pid");

        // The deployment's own code: it reads the workspace storage through its private endpoint by the Azure name...
        JsonNode fetched = insideJson(host, key, "{\"action\":\"fetch\",\"url\":\"https://" + storageAccount + ".blob.core.windows.net/data/hello.txt\","
                + "\"resource\":\"https://storage.azure.com/\"}");
        assertThat(fetched.path("status").asInt()).as(fetched.toString()).isEqualTo(200);
        assertThat(fetched.path("body").asText()).isEqualTo("hello from the workspace storage");
        JsonNode resolved = insideJson(host, key, "{\"action\":\"resolve\",\"name\":\"" + storageAccount + ".blob.core.windows.net\"}");
        assertThat(resolved.path("addresses").get(0).asText()).as(resolved.toString()).startsWith("127.2");
        // ...and cannot reach a server outside.
        JsonNode connect = insideJson(host, key, "{\"action\":\"connect\",\"host\":\"127.0.0.1\",\"port\":" + outside.getLocalPort() + "}");
        assertThat(connect.path("connected").asBoolean()).as(connect.toString()).isFalse();

        // Its three private endpoints are visible in the deployment's own resource group, and go with the deployment.
        assertThat(managedEndpoints("iso-private-blue-network")).hasSize(3).allMatch(name -> name.startsWith("mpe-"));
        assertThat(cli.run("network", "private-endpoint", "list", "--all").ok().json().findValuesAsText("name")).contains("ws-pe")
                .containsAll(managedEndpoints("iso-private-blue-network"));
        cli.run("ml", "online-endpoint", "update", "-n", "iso-private", "--traffic", "blue=0").ok();
        cli.run("ml", "online-deployment", "delete", "-n", "blue", "-e", "iso-private", "--yes").ok();
        Cli.Result left = cli.run("network", "private-endpoint", "list", "-g", "iso-private-blue-network");
        assertThat(left.exit() != 0 || left.json().isEmpty()).as(left.out()).isTrue();
        assertThat(cli.run("group", "show", "-n", "iso-private-blue-network").exit()).isNotZero();
    }

    @Test
    void publicEndpointWithIsolatedEgressScoresPubliclyButCannotReachOut() throws Exception {
        deploy("iso-egress", "enabled", "disabled");
        HttpResponse<String> scored = scorePathStyle("iso-egress", key("iso-egress"), "{\"action\":\"connect\",\"host\":\"127.0.0.1\",\"port\":"
                + outside.getLocalPort() + "}");
        assertThat(scored.statusCode()).as(scored.body()).isEqualTo(200);
        assertThat(TestServer.json(scored).path("connected").asBoolean()).isFalse();
    }

    @Test
    void privateEndpointWithOpenEgressIsPrivateInboundButReachesOut() throws Exception {
        deploy("iso-inbound", "disabled", "enabled");
        String key = key("iso-inbound");
        assertThat(scorePathStyle("iso-inbound", key, "{\"action\":\"pid\"}").statusCode()).isEqualTo(403);
        JsonNode connect = insideJson("iso-inbound" + SCORING_SUFFIX, key, "{\"action\":\"connect\",\"host\":\"127.0.0.1\",\"port\":"
                + outside.getLocalPort() + "}");
        assertThat(connect.path("connected").asBoolean()).as(connect.toString()).isTrue();
    }

    @Test
    void aPendingPrivateEndpointCarriesNoTrafficUntilApproved() throws Exception {
        deploy("iso-pending", "disabled", "enabled");
        String key = key("iso-pending");
        cli.run("network", "vnet", "create", "-n", "vnet2", "-g", "iso-rg", "--address-prefix", "127.62.0.0/16", "--subnet-name", "default",
                "--subnet-prefix", "127.62.1.0/24").ok();
        String workspaceId = cli.run("ml", "workspace", "show", "-n", "isows").ok().json().get("id").asText();
        JsonNode pe = cli.run("network", "private-endpoint", "create", "-n", "pe2", "-g", "iso-rg", "--vnet-name", "vnet2", "--subnet", "default",
                "--private-connection-resource-id", workspaceId, "--group-id", "amlworkspace", "--connection-name", "c2", "--manual-request").ok().json();
        String ip = pe.at("/properties/privateIpAddress").asText();
        assertThat(ip).isEqualTo("127.62.1.4");

        NetworkTools.Answer pending = curl("iso-pending" + SCORING_SUFFIX, ip, key, "{\"action\":\"pid\"}");
        assertThat(pending.status()).as(pending.body()).isEqualTo(403);
        assertThat(pending.body()).contains("PrivateEndpointConnectionNotApproved").contains("Pending");

        cli.run("network", "private-endpoint-connection", "approve", "-n", "pe2.c2", "--resource-id", workspaceId).ok();
        NetworkTools.Answer approved = curl("iso-pending" + SCORING_SUFFIX, ip, key, "{\"action\":\"pid\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(dig("127.62.0.2", "iso-pending" + SCORING_SUFFIX)).last().isEqualTo("127.62.1.4");

        // Deleting the private endpoint takes its listener and its DNS records with it.
        cli.run("network", "private-endpoint", "delete", "-n", "pe2", "-g", "iso-rg").ok();
        assertThat(dig("127.61.0.2", "iso-pending" + SCORING_SUFFIX)).doesNotContain("127.62.1.4");
        assertThat(curl("iso-pending" + SCORING_SUFFIX, ip, key, "{\"action\":\"pid\"}").status()).isZero();
    }

    @Test
    void theWorkspacesDataPlaneIsReachableOnlyThroughItsPrivateEndpoint() throws Exception {
        String host = workspaceGuid() + ".workspace.local.api.azureml.ms";
        String token = enclave.token("https://ml.azure.com/.default");
        assertThat(dig("127.61.0.2", host)).last().isEqualTo("127.61.1.4");

        NetworkTools.Answer outside = curlGet(host, "127.0.0.1", token);
        assertThat(outside.status()).as(outside.body()).isEqualTo(403);
        assertThat(outside.body()).contains("PublicNetworkAccessDisabled").contains("127.61.1.4");

        NetworkTools.Answer inside = curlGet(host, "127.61.1.4", token);
        assertThat(inside.status()).as(inside.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(inside.body()).get("workspaceId").asText()).isEqualTo(workspaceGuid());
        assertThat(curlGet(host, "127.61.1.4", enclave.token("https://management.azure.com/.default")).status()).isEqualTo(401);
    }

    private static void deploy(String endpoint, String publicAccess, String egress) throws Exception {
        Path endpointYaml = Files.writeString(files.resolve(endpoint + ".yml"), "name: " + endpoint + "\nauth_mode: key\npublic_network_access: "
                + publicAccess + "\n");
        cli.run("ml", "online-endpoint", "create", "-f", endpointYaml.toString()).ok();
        Path yaml = Files.writeString(files.resolve(endpoint + "-blue.yml"), Toolbox.deploymentYaml(endpoint, "blue", 1,
                "egress_public_network_access: " + egress + "\n"));
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic").ok();
    }

    private static String key(String endpoint) throws IOException {
        return cli.run("ml", "online-endpoint", "get-credentials", "-n", endpoint).ok().json().get("primaryKey").asText();
    }

    private static String workspaceGuid() throws IOException {
        return cli.run("ml", "workspace", "show", "-n", "isows").ok().json().at("/properties/workspaceId").asText();
    }

    private static List<String> managedEndpoints(String group) throws IOException {
        List<String> names = new ArrayList<>();
        cli.run("network", "private-endpoint", "list", "-g", group).ok().json()
                .forEach(pe -> names.add(pe.get("name").asText()));
        return names.stream().filter(name -> name.startsWith("mpe-")).toList();
    }

    private static HttpResponse<String> scorePathStyle(String endpoint, String key, String body) throws Exception {
        return enclave.http.send(HttpRequest.newBuilder(URI.create(enclave.server.scoringUri(endpoint)))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** curl to {@code https://<host>:<gateway port>/score} with a key, connecting to {@code address} (what a resolver in the network answers). */
    private static NetworkTools.Answer curl(String host, String address, String key, String body) throws Exception {
        return NetworkTools.curl(enclave.server.caFile(), "https://" + host + ":" + enclave.server.fabric().gatewayPort() + "/score", address,
                List.of("Authorization: Bearer " + key, "Content-Type: application/json"), body);
    }

    /** curl GET {@code https://<host>:<gateway port>/discovery} with a bearer token, connecting to {@code address}. */
    private static NetworkTools.Answer curlGet(String host, String address, String token) throws Exception {
        return NetworkTools.curl(enclave.server.caFile(), "https://" + host + ":" + enclave.server.fabric().gatewayPort() + "/discovery", address,
                List.of("Authorization: Bearer " + token), null);
    }

    private static JsonNode insideJson(String host, String key, String body) throws Exception {
        NetworkTools.Answer answer = curl(host, "127.61.1.4", key, body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return Json.MAPPER.readTree(answer.body());
    }

    /** {@code dig +short} of an A query at a resolver on the platform's DNS port: the CNAME chain, then the addresses. */
    static List<String> dig(String resolver, String name) throws Exception {
        return NetworkTools.dig(resolver, enclave.server.dns().port(), name, "+short");
    }
}
