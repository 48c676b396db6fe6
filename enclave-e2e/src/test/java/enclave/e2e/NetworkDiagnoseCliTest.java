package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.ResourceId;
import enclave.network.privateendpoint.PrivateEndpoint;
import enclave.network.vnet.VirtualNetwork;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code enclave network diagnose} against a real server: a storage account with public access disabled, a private
 * endpoint to it in vnet1, a private DNS zone with its A record linked to vnet1. From the public view the name CNAMEs to
 * its privatelink alias and answers the public address, which refuses (the message names vnet1's resolver and the
 * private IP, exactly as real traffic is told); from vnet1 it answers the private IP, private endpoint pe1, Approved,
 * allowed.
 */
class NetworkDiagnoseCliTest {
    private static final String ZONE = "privatelink.blob.core.windows.net";
    private static final String ACCOUNT = "diagacct";
    private static final String HOST = ACCOUNT + ".blob.core.windows.net";
    private static TestServer enclave;
    private static Cli cli;
    private static String privateIp;
    private static int gatewayPort;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.run("group", "create", "-n", "diag-rg").ok();
        cli.run("configure", "--defaults", "group=diag-rg").ok();
        cli.run("network", "vnet", "create", "-n", "vnet1", "--address-prefix", "127.61.0.0/16", "--subnet-name", "default", "--subnet-prefix",
                "127.61.1.0/24").ok();
        String account = cli.run("storage", "account", "create", "-n", ACCOUNT, "--public-network-access", "Disabled").ok().json().get("id").asText();
        JsonNode pe = cli.run("network", "private-endpoint", "create", "-n", "pe1", "--vnet-name", "vnet1", "--subnet", "default",
                "--private-connection-resource-id", account, "--group-id", "blob", "--connection-name", "c1").ok().json();
        privateIp = pe.at("/properties/privateIpAddress").asText();
        assertThat(privateIp).isEqualTo("127.61.1.4");

        // By hand, as a user without zone groups would; the automatic wiring (built in parallel) may have made them already.
        boolean zoneExists = cli.run("network", "private-dns", "zone", "show", "-n", ZONE).exit() == 0;
        if (!zoneExists) {
            cli.run("network", "private-dns", "zone", "create", "-n", ZONE).ok();
        }
        JsonNode existing = cli.run("network", "private-dns", "record-set", "a", "list", "-z", ZONE).ok().json();
        boolean recordExists = existing.findValuesAsText("ipv4Address").contains(privateIp);
        if (!recordExists) {
            cli.run("network", "private-dns", "record-set", "a", "add-record", "-z", ZONE, "-n", ACCOUNT, "-a", privateIp).ok();
        }
        cli.run("network", "private-dns", "link", "vnet", "create", "-z", ZONE, "-n", "vnet1-link", "-v", "vnet1", "-e", "false").ok();

        gatewayPort = enclave.server.fabric().gatewayPort();
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void fromThePublicViewTheChainLeadsToThePublicListenerWhichRefusesAndSaysWhereThePrivatePathIs() throws Exception {
        String url = "https://" + HOST + ":" + gatewayPort + "/c/b";
        JsonNode d = cli.run("network", "diagnose", url, "-o", "json").ok().json();
        assertThat(d.get("host").asText()).isEqualTo(HOST);
        assertThat(d.get("port").asInt()).isEqualTo(gatewayPort);
        assertThat(d.get("views")).hasSize(1);
        JsonNode view = d.get("views").get(0);
        assertThat(view.get("view").asText()).isEqualTo("public");
        assertThat(view.get("resolver").asText()).isEqualTo("127.0.0.1:" + enclave.server.dns().port());
        assertThat(view.get("rcode").asText()).isEqualTo("NOERROR");
        assertThat(chain(view)).containsExactly(HOST + " CNAME " + ACCOUNT + "." + ZONE, ACCOUNT + "." + ZONE + " A 127.0.0.1");
        assertThat(view.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(d.at("/listener/kind").asText()).isEqualTo("public");
        assertThat(d.at("/target/kind").asText()).isEqualTo("storage account");
        assertThat(d.at("/target/publicNetworkAccess").asText()).isEqualTo("Disabled");
        JsonNode verdict = d.get("verdict");
        assertThat(verdict.get("allowed").asBoolean()).isFalse();
        assertThat(verdict.get("code").asText()).isEqualTo("PublicNetworkAccessDisabled");
        assertThat(verdict.get("message").asText()).contains("the public listener").contains("network vnet1's resolver 127.61.0.2")
                .contains("which answers " + privateIp);

        // Real traffic on the public listener gets the same refusal, word for word.
        HttpResponse<String> real = enclave.http.send(HttpRequest.newBuilder(URI.create(enclave.server.gatewayUrl() + "/" + ACCOUNT + "/c/b"))
                .header("x-ms-version", "2023-11-03").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(real.statusCode()).isEqualTo(403);
        assertThat(real.body()).contains("<Code>PublicNetworkAccessDisabled</Code>")
                .contains(xmlEscaped(verdict.get("message").asText()));

        String table = cli.run("network", "diagnose", url).ok().out();
        assertThat(table).contains("DNS public  (resolver 127.0.0.1:").contains("→ CNAME " + ACCOUNT + "." + ZONE).contains("→ A 127.0.0.1")
                .contains("listener    the public gateway listener 127.0.0.1:" + gatewayPort)
                .contains("target      storage account '" + ACCOUNT + "' public network access Disabled")
                .contains("verdict     REFUSED (PublicNetworkAccessDisabled)").contains("which answers " + privateIp);
    }

    @Test
    void fromInsideTheNetworkTheNameAnswersThePrivateEndpointWhoseApprovedConnectionLetsTheRequestThrough() throws Exception {
        JsonNode d = cli.run("network", "diagnose", "https://" + HOST + ":" + gatewayPort + "/c/b", "--from", "vnet1", "-o", "json").ok().json();
        assertThat(d.get("views")).hasSize(2);
        JsonNode inside = d.get("views").get(1);
        assertThat(inside.get("view").asText()).isEqualTo("vnet1");
        assertThat(inside.get("resolver").asText()).isEqualTo("127.61.0.2:" + enclave.server.dns().port());
        assertThat(chain(inside)).containsExactly(HOST + " CNAME " + ACCOUNT + "." + ZONE, ACCOUNT + "." + ZONE + " A " + privateIp);
        assertThat(cli.run("network", "diagnose", HOST, "--from", "vnet1", "--query", "views[1].address", "-o", "tsv").ok().out().strip())
                .isEqualTo(privateIp);
        assertThat(d.get("pathView").asText()).isEqualTo("vnet1");
        JsonNode listener = d.get("listener");
        assertThat(listener.get("kind").asText()).isEqualTo("privateEndpoint");
        assertThat(listener.get("privateEndpointName").asText()).isEqualTo("pe1");
        assertThat(listener.get("virtualNetworkName").asText()).isEqualTo("vnet1");
        assertThat(listener.get("connectionState").asText()).isEqualTo("Approved");
        assertThat(listener.get("address").asText()).isEqualTo(privateIp + ":" + gatewayPort);
        assertThat(d.at("/verdict/allowed").asBoolean()).isTrue();
        assertThat(d.at("/verdict/code").isMissingNode()).isTrue();

        String table = cli.run("network", "diagnose", "https://" + HOST + ":" + gatewayPort + "/c/b", "--from", "vnet1").ok().out();
        assertThat(table).contains("DNS vnet    vnet1 (resolver 127.61.0.2:").contains("← this path").contains("→ A " + privateIp)
                .contains("listener    private endpoint pe1 of network vnet1 at " + privateIp).contains("connection  Approved")
                .contains("verdict     ALLOWED");
    }

    @Test
    void aNameThePlatformDoesNotServeIsSaidToBeSoWithTheResolverThatAnswered() throws Exception {
        JsonNode d = cli.run("network", "diagnose", "www.example.org", "-o", "json").ok().json();
        assertThat(d.at("/views/0/rcode").asText()).isEqualTo("REFUSED");
        assertThat(d.at("/listener/kind").asText()).isEqualTo("none");
        assertThat(d.get("target").isNull()).isTrue();
        assertThat(d.at("/verdict/allowed").asBoolean()).isFalse();
        assertThat(d.at("/verdict/message").asText()).contains("www.example.org is not a name the platform serves")
                .contains("the resolver 127.0.0.1:" + enclave.server.dns().port());

        Cli.Result noNetwork = cli.run("network", "diagnose", HOST, "--from", "vnet9");
        assertThat(noNetwork.exit()).isEqualTo(1);
        assertThat(noNetwork.err()).contains("(ResourceNotFound)").contains("virtual network 'vnet9' was not found");
    }

    @Test
    void aPendingConnectionIsShownWithTheCommandThatApprovesItAndOnceApprovedTheRequestGetsThrough() throws Exception {
        String account = cli.run("storage", "account", "create", "-n", "diagpend", "--public-network-access", "Disabled").ok().json().get("id").asText();
        JsonNode pe = cli.run("network", "private-endpoint", "create", "-n", "pe-pend", "--vnet-name", "vnet1", "--subnet", "default",
                "--private-connection-resource-id", account, "--group-id", "blob", "--connection-name", "c2", "--manual-request").ok().json();
        String ip = pe.at("/properties/privateIpAddress").asText();
        JsonNode records = cli.run("network", "private-dns", "record-set", "a", "list", "-z", ZONE).ok().json();
        if (!records.findValuesAsText("ipv4Address").contains(ip)) {
            cli.run("network", "private-dns", "record-set", "a", "add-record", "-z", ZONE, "-n", "diagpend", "-a", ip).ok();
        }
        String url = "https://diagpend.blob.core.windows.net:" + gatewayPort + "/c/b";

        JsonNode pending = cli.run("network", "diagnose", url, "--from", "vnet1", "-o", "json").ok().json();
        assertThat(pending.at("/views/1/address").asText()).isEqualTo(ip);
        assertThat(pending.at("/listener/kind").asText()).isEqualTo("privateEndpoint");
        assertThat(pending.at("/listener/privateEndpointName").asText()).isEqualTo("pe-pend");
        assertThat(pending.at("/listener/connectionState").asText()).isEqualTo("Pending");
        assertThat(pending.at("/verdict/allowed").asBoolean()).isFalse();
        // Without a listener the connection is refused before the rule runs; with one the rule refuses: both say how to approve.
        assertThat(pending.at("/verdict/code").asText()).isIn("ListenerUnavailable", "PrivateEndpointConnectionNotApproved");
        String connectionId = pending.at("/listener/connectionId").asText();
        assertThat(pending.at("/verdict/message").asText()).contains("Pending")
                .contains("enclave network private-endpoint-connection approve --id " + connectionId);

        cli.run("network", "private-endpoint-connection", "approve", "--id", connectionId).ok();
        JsonNode approved = cli.run("network", "diagnose", url, "--from", "vnet1", "-o", "json").ok().json();
        assertThat(approved.at("/listener/connectionState").asText()).isEqualTo("Approved");
        assertThat(approved.at("/listener/listening").asBoolean()).isTrue();
        assertThat(approved.at("/verdict/allowed").asBoolean()).isTrue();
    }

    @Test
    void aNetworkLinkedToTheZoneWithoutItsOwnPrivateEndpointGetsNxdomainAndIsToldBothWaysOut() throws Exception {
        // Seed 002: vnet2 has its own zone of the same name (another group), without the account's record.
        String vnet2 = cli.run("network", "vnet", "create", "-n", "vnet2", "--address-prefix", "127.62.0.0/16").ok().json().get("id").asText();
        cli.run("group", "create", "-n", "diag-rg2").ok();
        cli.run("network", "private-dns", "zone", "create", "-g", "diag-rg2", "-n", ZONE).ok();
        cli.run("network", "private-dns", "link", "vnet", "create", "-g", "diag-rg2", "-z", ZONE, "-n", "vnet2-link", "-v", vnet2, "-e", "false").ok();
        String url = "https://" + HOST + ":" + gatewayPort + "/c/b";

        JsonNode d = cli.run("network", "diagnose", url, "--from", "vnet2", "-o", "json").ok().json();
        JsonNode inside = d.at("/views/1");
        assertThat(inside.get("rcode").asText()).isEqualTo("NXDOMAIN");
        assertThat(chain(inside)).containsExactly(HOST + " CNAME " + ACCOUNT + "." + ZONE);
        assertThat(inside.get("address").isNull()).isTrue();
        assertThat(d.at("/listener/kind").asText()).isEqualTo("none");
        assertThat(d.at("/verdict/allowed").asBoolean()).isFalse();
        assertThat(d.at("/verdict/message").asText()).contains("the resolver 127.62.0.2:").contains("answered NXDOMAIN")
                .contains("create a private endpoint of it in vnet2").contains("NxDomainRedirect");
        assertThat(cli.run("network", "diagnose", url, "--from", "vnet2").ok().out()).contains("→ NXDOMAIN (no address)");

        // The way out through the link: the public answer, which leads to the public listener and its refusal.
        cli.run("network", "private-dns", "link", "vnet", "create", "-g", "diag-rg2", "-z", ZONE, "-n", "vnet2-link", "-v", vnet2, "-e", "false",
                "--resolution-policy", "NxDomainRedirect").ok();
        JsonNode redirected = cli.run("network", "diagnose", url, "--from", "vnet2", "-o", "json").ok().json();
        assertThat(redirected.at("/views/1/address").asText()).isEqualTo("127.0.0.1");
        assertThat(redirected.at("/listener/kind").asText()).isEqualTo("public");
        assertThat(redirected.at("/verdict/code").asText()).isEqualTo("PublicNetworkAccessDisabled");
    }

    private static List<String> chain(JsonNode view) {
        List<String> links = new java.util.ArrayList<>();
        view.get("chain").forEach(link -> links.add(link.get("name").asText() + " " + link.get("type").asText() + " " + link.get("data").asText()));
        return links;
    }

    private static String xmlEscaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

}
