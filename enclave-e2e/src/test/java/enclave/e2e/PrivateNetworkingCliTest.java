package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code enclave network ...}: virtual networks and subnets with their validation, exact IP allocation that survives a
 * restart, private endpoints and the approval of their connections, and the private-endpoint workflow of a workspace
 * (Azure's "Configure a private endpoint for an Azure ML workspace"). Each test uses its own address range.
 */
class PrivateNetworkingCliTest {
    private static TestServer enclave;
    private static Cli cli;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.useNewGroup("net-rg");
    }

    @AfterEach
    void signOut() {
        cli.run("logout");
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void virtualNetworksAndSubnetsAreValidated() throws Exception {
        Cli.Result outside = cli.run("network", "vnet", "create", "-n", "far", "--address-prefix", "10.0.0.0/16");
        assertThat(outside.exit()).isEqualTo(1);
        assertThat(outside.err()).contains("(InvalidAddressPrefix)").contains("outside 127.0.0.0/8").contains("loopback");
        Cli.Result publicAddress = cli.run("network", "vnet", "create", "-n", "far", "--address-prefix", "127.0.0.0/16");
        assertThat(publicAddress.err()).contains("(InvalidAddressPrefix)").contains("public address 127.0.0.1");
        Cli.Result misaligned = cli.run("network", "vnet", "create", "-n", "far", "--address-prefix", "127.41.3.0/16");
        assertThat(misaligned.err()).contains("(InvalidAddressPrefix)").contains("did you mean 127.41.0.0/16");

        JsonNode vnet = cli.run("network", "vnet", "create", "-n", "vnet1", "--address-prefix", "127.42.0.0/16", "--subnet-name", "default",
                "--subnet-prefix", "127.42.1.0/24").ok().json();
        assertThat(vnet.at("/properties/dhcpOptions/dnsServers/0").asText()).isEqualTo("127.42.0.2");
        assertThat(vnet.at("/properties/addressSpace/addressPrefixes/0").asText()).isEqualTo("127.42.0.0/16");
        assertThat(vnet.at("/properties/subnets/0/name").asText()).isEqualTo("default");
        assertThat(vnet.at("/properties/subnets/0/properties/privateEndpointNetworkPolicies").asText()).isEqualTo("Disabled");

        Cli.Result overlap = cli.run("network", "vnet", "create", "-n", "vnet2", "--address-prefix", "127.42.128.0/17");
        assertThat(overlap.exit()).isEqualTo(1);
        assertThat(overlap.err()).contains("(AddressPrefixesOverlap)").contains("vnet1").contains("unique on the machine");
        assertThat(cli.run("network", "vnet", "show", "-n", "vnet2").exit()).isEqualTo(1);

        Cli.Result outsideNetwork = cli.run("network", "vnet", "subnet", "create", "--vnet-name", "vnet1", "-n", "stray", "--address-prefix", "127.43.0.0/24");
        assertThat(outsideNetwork.err()).contains("(SubnetOutsideAddressSpace)").contains("127.42.0.0/16");
        Cli.Result siblings = cli.run("network", "vnet", "subnet", "create", "--vnet-name", "vnet1", "-n", "half", "--address-prefix", "127.42.1.128/25");
        assertThat(siblings.err()).contains("(AddressPrefixesOverlap)").contains("'default'");

        cli.run("network", "vnet", "subnet", "create", "--vnet-name", "vnet1", "-n", "second", "--address-prefix", "127.42.2.0/24").ok();
        assertThat(cli.run("network", "vnet", "subnet", "list", "--vnet-name", "vnet1", "--query", "[].name", "-o", "tsv").ok().out().lines().toList())
                .containsExactly("default", "second");
        cli.run("network", "vnet", "subnet", "delete", "--vnet-name", "vnet1", "-n", "second").ok();
        assertThat(cli.run("network", "vnet", "subnet", "show", "--vnet-name", "vnet1", "-n", "second").err()).contains("(ResourceNotFound)");
        assertThat(cli.run("network", "vnet", "list", "--query", "[].name", "-o", "tsv").ok().out()).contains("vnet1");
        assertThat(cli.run("network", "vnet", "list", "-o", "table").ok().out()).contains("vnet1").contains("Succeeded");
        assertThat(cli.run("network").ok().out()).contains("vnet").contains("private-endpoint").contains("private-endpoint-connection");
    }

    @Test
    void addressesAreHandedOutLowestFirstAndSurviveARestart() throws Exception {
        JsonNode account = cli.run("storage", "account", "create", "-n", "netalloc").ok().json();
        String target = account.get("id").asText();
        cli.run("network", "vnet", "create", "-n", "alloc", "--address-prefix", "127.50.0.0/16", "--subnet-name", "s", "--subnet-prefix", "127.50.1.0/24").ok();
        List<String> ips = new ArrayList<>();
        for (String name : List.of("pe-a", "pe-b", "pe-c")) {
            JsonNode pe = createEndpoint(name, "alloc", "s", target, "blob").ok().json();
            ips.add(pe.at("/properties/privateIpAddress").asText());
            assertThat(pe.at("/properties/customDnsConfigs/0/ipAddresses/0").asText()).isEqualTo(pe.at("/properties/privateIpAddress").asText());
            assertThat(pe.at("/properties/customDnsConfigs/0/fqdn").asText()).isEqualTo("netalloc.blob.core.windows.net");
        }
        assertThat(ips).containsExactly("127.50.1.4", "127.50.1.5", "127.50.1.6");
        cli.run("network", "private-endpoint", "delete", "-n", "pe-b").ok();

        enclave.restart();
        assertThat(cli.run("network", "private-endpoint", "show", "-n", "pe-c", "--query", "properties.privateIpAddress", "-o", "tsv").ok().out().strip())
                .isEqualTo("127.50.1.6");
        assertThat(createEndpoint("pe-d", "alloc", "s", target, "blob").ok().json().at("/properties/privateIpAddress").asText()).isEqualTo("127.50.1.5");
        assertThat(createEndpoint("pe-e", "alloc", "s", target, "blob").ok().json().at("/properties/privateIpAddress").asText()).isEqualTo("127.50.1.7");
        JsonNode subnet = cli.run("network", "vnet", "subnet", "show", "--vnet-name", "alloc", "-n", "s").ok().json();
        assertThat(subnet.at("/properties/ipConfigurations").size()).isEqualTo(4);

        Cli.Result subnetInUse = cli.run("network", "vnet", "subnet", "delete", "--vnet-name", "alloc", "-n", "s");
        assertThat(subnetInUse.exit()).isEqualTo(1);
        assertThat(subnetInUse.err()).contains("(InUseSubnetCannotBeDeleted)").contains("'pe-a'").contains("'pe-e'");
        Cli.Result networkInUse = cli.run("network", "vnet", "delete", "-n", "alloc");
        assertThat(networkInUse.err()).contains("(InUseVirtualNetworkCannotBeDeleted)").contains("'pe-c'");
    }

    @Test
    void concurrentCreatesNeverShareAnAddress() throws Exception {
        JsonNode account = cli.run("storage", "account", "create", "-n", "netrace").ok().json();
        String target = account.get("id").asText();
        JsonNode vnet = cli.run("network", "vnet", "create", "-n", "race", "--address-prefix", "127.51.0.0/16", "--subnet-name", "s", "--subnet-prefix",
                "127.51.1.0/24").ok().json();
        String subnet = vnet.at("/properties/subnets/0/id").asText();
        String group = "/subscriptions/" + enclave.subscription() + "/resourceGroups/net-rg/providers/Microsoft.Network/privateEndpoints/";
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String body = "{\"properties\":{\"subnet\":{\"id\":\"" + subnet + "\"},\"privateLinkServiceConnections\":[{\"name\":\"c\",\"properties\":"
                        + "{\"privateLinkServiceId\":\"" + target + "\",\"groupIds\":[\"blob\"]}}]}}";
                String path = group + "race-" + i;
                Callable<HttpResponse<String>> put = () -> enclave.mgmt("PUT", path, body);
                answers.add(pool.submit(put));
            }
            Set<String> addresses = new HashSet<>();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                addresses.add(TestServer.json(response).at("/properties/privateIpAddress").asText());
            }
            assertThat(addresses).hasSize(8).allMatch(ip -> ip.startsWith("127.51.1.")).contains("127.51.1.4", "127.51.1.11");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void privateEndpointsNeedASubnetWithoutNetworkPoliciesAValidTargetAndGroupId() throws Exception {
        JsonNode account = cli.run("storage", "account", "create", "-n", "netpolicy").ok().json();
        String target = account.get("id").asText();
        cli.run("network", "vnet", "create", "-n", "policy", "--address-prefix", "127.52.0.0/16").ok();
        JsonNode subnet = cli.run("network", "vnet", "subnet", "create", "--vnet-name", "policy", "-n", "locked", "--address-prefix", "127.52.1.0/24",
                "--private-endpoint-network-policies", "Enabled").ok().json();
        assertThat(subnet.at("/properties/privateEndpointNetworkPolicies").asText()).isEqualTo("Enabled");

        Cli.Result refused = createEndpoint("pe-locked", "policy", "locked", target, "blob");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("(PrivateEndpointNetworkPoliciesEnabled)")
                .contains("network vnet subnet update -g net-rg --vnet-name policy -n locked --private-endpoint-network-policies Disabled");
        assertThat(cli.run("network", "private-endpoint", "show", "-n", "pe-locked").exit()).isEqualTo(1);

        cli.run("network", "vnet", "subnet", "update", "--vnet-name", "policy", "-n", "locked", "--private-endpoint-network-policies", "Disabled").ok();
        Cli.Result badGroup = createEndpoint("pe-locked", "policy", "locked", target, "amlworkspace");
        assertThat(badGroup.err()).contains("(InvalidGroupId)").contains("[blob]");
        Cli.Result missing = createEndpoint("pe-locked", "policy", "locked", target.replace("netpolicy", "nosuchaccount"), "blob");
        assertThat(missing.err()).contains("(ResourceNotFound)").contains("nosuchaccount");
        Cli.Result notATarget = createEndpoint("pe-locked", "policy", "locked", subnet.get("id").asText(), "blob");
        assertThat(notATarget.err()).contains("(InvalidResourceId)").contains("Microsoft.Storage/storageAccounts");

        JsonNode created = createEndpoint("pe-locked", "policy", "locked", target, "blob").ok().json();
        assertThat(created.at("/properties/privateIpAddress").asText()).isEqualTo("127.52.1.4");
        assertThat(created.at("/properties/privateLinkServiceConnections/0/properties/privateLinkServiceConnectionState/status").asText()).isEqualTo("Approved");
    }

    @Test
    void aConnectionFromSomeoneElseWaitsForTheOwnersApproval() throws Exception {
        String ws = cli.run("ml", "workspace", "create", "-n", "approvals").ok().json().get("id").asText();
        cli.run("group", "create", "-n", "bot-rg").ok();
        String botGroup = "/subscriptions/" + enclave.subscription() + "/resourceGroups/bot-rg";
        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "net-bot", "--role", "Contributor", "--scopes", botGroup).ok().json();
        String appId = sp.get("appId").asText();
        cli.run("login", "--service-principal", "-u", appId, "-p", sp.get("password").asText()).ok();

        cli.run("network", "vnet", "create", "-g", "bot-rg", "-n", "botnet", "--address-prefix", "127.53.0.0/16", "--subnet-name", "s", "--subnet-prefix",
                "127.53.1.0/24").ok();
        JsonNode pending = cli.run("network", "private-endpoint", "create", "-g", "bot-rg", "-n", "bot-pe", "--vnet-name", "botnet", "--subnet", "s",
                "--private-connection-resource-id", ws, "--group-id", "amlworkspace", "--connection-name", "c1", "--request-message", "please").ok().json();
        assertThat(status(pending)).isEqualTo("Pending");
        Cli.Result selfApprove = cli.run("network", "private-endpoint-connection", "approve", "-n", "bot-pe.c1", "--resource-id", ws);
        assertThat(selfApprove.exit()).isEqualTo(1);
        assertThat(selfApprove.err()).contains("(AuthorizationFailed)").contains("privateEndpointConnectionsApproval/action");
        cli.run("logout").ok();

        JsonNode listed = cli.run("network", "private-endpoint-connection", "list", "--resource-id", ws).ok().json();
        assertThat(listed).hasSize(1);
        assertThat(listed.at("/0/name").asText()).isEqualTo("bot-pe.c1");
        assertThat(listed.at("/0/properties/privateLinkServiceConnectionState/status").asText()).isEqualTo("Pending");
        assertThat(listed.at("/0/properties/privateEndpoint/id").asText()).endsWith("/resourceGroups/bot-rg/providers/Microsoft.Network/privateEndpoints/bot-pe");
        assertThat(cli.run("ml", "workspace", "show", "-n", "approvals", "--query", "properties.privateEndpointConnections[0].name", "-o", "tsv").ok().out().strip())
                .isEqualTo("bot-pe.c1");

        JsonNode approved = cli.run("network", "private-endpoint-connection", "approve", "-n", "bot-pe.c1", "--resource-id", ws, "--description", "ok").ok().json();
        assertThat(approved.at("/properties/privateLinkServiceConnectionState/status").asText()).isEqualTo("Approved");
        assertThat(approved.at("/properties/privateLinkServiceConnectionState/description").asText()).isEqualTo("ok");
        assertThat(status(cli.run("network", "private-endpoint", "show", "-g", "bot-rg", "-n", "bot-pe").ok().json())).isEqualTo("Approved");
        assertThat(enclave.server.privateEndpoints().connectedTo(enclave.server.privateEndpoints().find(
                enclave.server.privateEndpoints().all().stream().filter(pe -> pe.name().equals("bot-pe")).findFirst().orElseThrow().resourceId())
                .orElseThrow().targetId())).singleElement().satisfies(pe -> {
                    assertThat(pe.approved()).isTrue();
                    assertThat(pe.virtualNetworkName()).isEqualTo("botnet");
                    assertThat(pe.privateIpAddress()).isEqualTo("127.53.1.4");
                });

        JsonNode rejected = cli.run("network", "private-endpoint-connection", "reject", "--id", ws + "/privateEndpointConnections/bot-pe.c1").ok().json();
        assertThat(rejected.at("/properties/privateLinkServiceConnectionState/status").asText()).isEqualTo("Rejected");
        Cli.Result again = cli.run("network", "private-endpoint-connection", "approve", "-n", "bot-pe.c1", "--resource-id", ws);
        assertThat(again.err()).contains("(Conflict)").contains("rejected");

        cli.run("network", "private-endpoint-connection", "delete", "-n", "bot-pe.c1", "--resource-id", ws).ok();
        assertThat(cli.run("network", "private-endpoint-connection", "list", "--resource-id", ws).ok().json()).isEmpty();
        assertThat(status(cli.run("network", "private-endpoint", "show", "-g", "bot-rg", "-n", "bot-pe").ok().json())).isEqualTo("Disconnected");

        // the owner asking for manual approval waits too; without it, the owner's own request is approved at once
        cli.run("network", "vnet", "create", "-n", "ownernet", "--address-prefix", "127.54.0.0/16", "--subnet-name", "s", "--subnet-prefix", "127.54.1.0/24").ok();
        JsonNode manual = cli.run("network", "private-endpoint", "create", "-n", "owner-manual", "--vnet-name", "ownernet", "--subnet", "s",
                "--private-connection-resource-id", ws, "--group-id", "amlworkspace", "--connection-name", "c", "--manual-request").ok().json();
        assertThat(manual.at("/properties/manualPrivateLinkServiceConnections/0/properties/privateLinkServiceConnectionState/status").asText()).isEqualTo("Pending");
        JsonNode automatic = cli.run("network", "private-endpoint", "create", "-n", "owner-auto", "--vnet-name", "ownernet", "--subnet", "s",
                "--private-connection-resource-id", ws, "--group-id", "amlworkspace", "--connection-name", "c").ok().json();
        assertThat(status(automatic)).isEqualTo("Approved");
    }

    @Test
    void aWorkspaceBehindPrivateEndpointsFollowsAzuresSteps() throws Exception {
        cli.run("network", "vnet", "create", "-n", "seed1", "--address-prefix", "127.60.0.0/16", "--subnet-name", "default", "--subnet-prefix", "127.60.1.0/24").ok();
        cli.run("group", "create", "-n", "pe-rg").ok();
        cli.run("network", "vnet", "create", "-g", "pe-rg", "-n", "seed2", "--address-prefix", "127.61.0.0/16", "--subnet-name", "default", "--subnet-prefix",
                "127.61.1.0/24").ok();
        cli.run("network", "vnet", "subnet", "create", "-g", "pe-rg", "--vnet-name", "seed2", "-n", "locked", "--address-prefix", "127.61.2.0/24",
                "--private-endpoint-network-policies", "Enabled").ok();

        Cli.Result refused = cli.run("ml", "workspace", "create", "-n", "seedfail", "--pe-name", "fail-pe", "--pe-vnet-name", "seed2", "--pe-subnet-name", "locked",
                "--pe-resource-group", "pe-rg");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("(PrivateEndpointNetworkPoliciesEnabled)").contains("--private-endpoint-network-policies Disabled");
        assertThat(cli.run("ml", "workspace", "show", "-n", "seedfail").err()).contains("(WorkspaceNotFound)");

        JsonNode ws = cli.run("ml", "workspace", "create", "-n", "seedws", "--pe-name", "seed-pe1", "--pe-vnet-name", "seed1", "--pe-subnet-name", "default",
                "--pe-auto-approval").ok().json();
        String wsId = ws.get("id").asText();
        assertThat(ws.at("/properties/publicNetworkAccess").asText()).isEqualTo("Disabled");
        assertThat(ws.at("/properties/keyVault").asText()).contains("/providers/Microsoft.KeyVault/vaults/kv");
        assertThat(ws.at("/properties/privateEndpointConnections/0/properties/privateLinkServiceConnectionState/status").asText()).isEqualTo("Approved");
        JsonNode check = ws.at("/properties/privateNetworkCheck");
        assertThat(check.get("satisfied").asBoolean()).isFalse();
        assertThat(check.get("missing")).extracting(JsonNode::asText).containsExactly("blob", "registry", "vault");
        assertThat(check.get("message").asText()).contains("'seed1'").contains(ws.at("/properties/storageAccount").asText())
                .contains(ws.at("/properties/containerRegistry").asText()).contains(ws.at("/properties/keyVault").asText());

        JsonNode second = cli.run("ml", "workspace", "private-endpoint", "add", "-n", "seedws", "--pe-name", "seed-pe2", "--pe-vnet-name", "seed2",
                "--pe-resource-group", "pe-rg", "--pe-auto-approval").ok().json();
        assertThat(second.get("id").asText()).contains("/resourceGroups/pe-rg/");
        assertThat(second.at("/properties/privateIpAddress").asText()).isEqualTo("127.61.1.4");
        assertThat(second.at("/properties/customDnsConfigs/0/fqdn").asText())
                .isEqualTo(ws.at("/properties/workspaceId").asText() + ".workspace.local.api.azureml.ms");
        Cli.Result listed = cli.run("ml", "workspace", "private-endpoint", "list", "-n", "seedws", "--query", "[].name", "-o", "tsv").ok();
        assertThat(listed.out().lines().toList()).containsExactlyInAnyOrder("seed-pe1", "seed-pe2");
        assertThat(listed.err()).contains("WARNING").contains("lacks: blob").contains("enclave network private-endpoint create");

        // the message's commands, run as printed, complete the network
        List<String> commands = check.get("message").asText().lines().map(String::strip).filter(line -> line.startsWith("enclave network")).toList();
        assertThat(commands).hasSize(3);
        for (String command : commands) {
            cli.run(command.substring("enclave ".length()).split(" ")).ok();
        }
        JsonNode complete = cli.run("ml", "workspace", "show", "-n", "seedws").ok().json();
        assertThat(complete.at("/properties/privateNetworkCheck/satisfied").asBoolean()).isTrue();
        assertThat(complete.at("/properties/privateNetworkCheck/message").asText()).contains("'seed1'");
        assertThat(cli.run("ml", "workspace", "private-endpoint", "list", "-n", "seedws").ok().err()).doesNotContain("WARNING");

        cli.run("ml", "workspace", "private-endpoint", "delete", "-n", "seedws", "--pe-name", "seed-pe1").ok();
        cli.run("ml", "workspace", "private-endpoint", "delete", "-n", "seedws", "--pe-name", "seed-pe2", "--pe-resource-group", "pe-rg").ok();
        JsonNode alone = cli.run("ml", "workspace", "show", "-n", "seedws").ok().json();
        assertThat(alone.at("/properties/privateEndpointConnections")).isEmpty();
        assertThat(alone.at("/properties/publicNetworkAccess").asText()).isEqualTo("Disabled");

        assertThat(publicAccess("--public-network-access", "Enabled")).isEqualTo("Enabled");
        assertThat(publicAccess("--public-network-access", "Enabled", "--allow-public-access", "false")).isEqualTo("Disabled");
        assertThat(publicAccess("--allow-public-access", "false", "--public-network-access", "Enabled")).isEqualTo("Enabled");
        assertThat(publicAccess("--allow-public-access", "false")).isEqualTo("Disabled");
        assertThat(publicAccess("--allow-public-access", "true")).isEqualTo("Enabled");
    }

    @Test
    void storageAccountsTurnPublicNetworkAccessOnAndOff() throws Exception {
        assertThat(cli.run("storage", "account", "create", "-n", "netpublic").ok().json().at("/properties/publicNetworkAccess").asText()).isEqualTo("Enabled");
        assertThat(cli.run("storage", "account", "update", "-n", "netpublic", "--public-network-access", "Disabled").ok().json()
                .at("/properties/publicNetworkAccess").asText()).isEqualTo("Disabled");
        assertThat(cli.run("storage", "account", "show", "-n", "netpublic", "--query", "properties.publicNetworkAccess", "-o", "tsv").ok().out().strip())
                .isEqualTo("Disabled");
        Cli.Result bad = cli.run("storage", "account", "update", "-n", "netpublic", "--public-network-access", "Sometimes");
        assertThat(bad.err()).contains("(InvalidRequestContent)").contains("'Enabled' or 'Disabled'");
    }

    private static String publicAccess(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("ml", "workspace", "update", "-n", "seedws"));
        args.addAll(List.of(options));
        return cli.run(args.toArray(String[]::new)).ok().json().at("/properties/publicNetworkAccess").asText();
    }

    private static Cli.Result createEndpoint(String name, String vnet, String subnet, String target, String groupId) {
        return cli.run("network", "private-endpoint", "create", "-n", name, "--vnet-name", vnet, "--subnet", subnet, "--private-connection-resource-id", target,
                "--group-id", groupId, "--connection-name", name + "-conn");
    }

    private static String status(JsonNode endpoint) {
        return endpoint.at("/properties/privateLinkServiceConnections/0/properties/privateLinkServiceConnectionState/status").asText();
    }
}
