package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 through the CLI and real HTTPS: endpoints act as their managed identities. A user-assigned identity needs its roles
 * granted by hand before the storage initializer may pull; an endpoint without an identity cannot deploy.
 */
class ManagedIdentityCliTest {
    private static final String STORAGE_READER = "Storage Blob Data Reader";

    private static TestServer enclave;
    private static Cli cli;
    private static String group;
    private static JsonNode workspace;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.run("group", "create", "-n", "mi-rg").ok();
        workspace = cli.run("ml", "workspace", "create", "-n", "mi-ws", "-g", "mi-rg").ok().json();
        cli.run("configure", "--defaults", "group=mi-rg", "workspace=mi-ws").ok();
        group = "/subscriptions/" + enclave.subscription() + "/resourceGroups/mi-rg";
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void aSystemAssignedIdentityIsMadeWithTheEndpointHoldsTheWorkspaceRolesAndGoesWithIt() throws Exception {
        JsonNode endpoint = cli.run("ml", "online-endpoint", "create", "-n", "mi-system").ok().json();
        assertThat(endpoint.at("/identity/type").asText()).isEqualTo("SystemAssigned");
        assertThat(endpoint.at("/identity/tenantId").asText()).isEqualTo(enclave.tenant());
        String principal = endpoint.at("/identity/principalId").asText();
        JsonNode roles = cli.run("role", "assignment", "list", "--assignee", principal, "--all").ok().json();
        assertThat(roles.findValuesAsText("roleDefinitionName")).containsExactlyInAnyOrder("AcrPull", STORAGE_READER);
        assertThat(roles.findValuesAsText("scope")).containsExactlyInAnyOrder(workspace.at("/properties/containerRegistry").asText(),
                workspace.at("/properties/storageAccount").asText());
        Path yaml = Files.writeString(files.resolve("system.yml"), Toolbox.deploymentYaml("mi-system", "blue", 1, ""));
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic").ok();

        cli.run("ml", "online-endpoint", "delete", "-n", "mi-system", "-y").ok();
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(404);
        assertThat(cli.run("role", "assignment", "list", "--all").ok().json().findValuesAsText("principalId")).doesNotContain(principal);
    }

    @Test
    void aUserAssignedIdentityGetsNoRolesAndTheDeploymentNamesTheOnesItLacks() throws Exception {
        JsonNode identity = cli.run("identity", "create", "-n", "mi-puller", "-g", "mi-rg").ok().json();
        String identityId = identity.get("id").asText();
        String principal = identity.get("principalId").asText();
        String clientId = identity.get("clientId").asText();
        assertThat(cli.run("identity", "show", "-n", "mi-puller", "-g", "mi-rg").ok().json().get("clientId").asText()).isEqualTo(clientId);
        assertThat(cli.run("identity", "list", "-g", "mi-rg").ok().json().findValuesAsText("name")).contains("mi-puller");

        JsonNode endpoint = cli.run("ml", "online-endpoint", "create", "-n", "mi-uai", "--set", "identity.type=user_assigned",
                "--set", "identity.user_assigned_identities[0].resource_id=" + identityId).ok().json();
        assertThat(endpoint.at("/identity/type").asText()).isEqualTo("UserAssigned");
        assertThat(endpoint.at("/identity/userAssignedIdentities").get(identityId).get("clientId").asText()).isEqualTo(clientId);

        String storage = workspace.at("/properties/storageAccount").asText();
        String registry = workspace.at("/properties/containerRegistry").asText();
        Path yaml = Files.writeString(files.resolve("uai.yml"), Toolbox.deploymentYaml("mi-uai", "blue", 1, ""));
        Cli.Result noStorage = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(noStorage.exit()).isEqualTo(1);
        assertThat(noStorage.err()).contains(principal).contains("'" + STORAGE_READER + "' on " + storage)
                .contains("enclave role assignment create --assignee " + principal + " --role \"" + STORAGE_READER + "\" --scope " + storage);
        assertThat(cli.run("ml", "online-deployment", "get-logs", "-n", "blue", "-e", "mi-uai", "--container", "storage-initializer").ok().out())
                .contains("refused").contains(STORAGE_READER);

        cli.run("role", "assignment", "create", "--assignee", principal, "--role", STORAGE_READER, "--scope", storage).ok();
        Cli.Result noPull = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(noPull.exit()).isEqualTo(1);
        assertThat(noPull.err()).contains("'AcrPull' on " + registry);

        cli.run("role", "assignment", "create", "--assignee", principal, "--role", "AcrPull", "--scope", registry).ok();
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic").ok();

        // The identity is fixed at creation.
        Cli.Result change = cli.run("ml", "online-endpoint", "update", "-n", "mi-uai", "--set", "identity.type=system_assigned",
                "--set", "identity.user_assigned_identities=null");
        assertThat(change.exit()).isEqualTo(1);
        assertThat(change.err()).contains("cannot change after creation");

        cli.run("ml", "online-endpoint", "delete", "-n", "mi-uai", "-y").ok();
        cli.run("identity", "delete", "-n", "mi-puller", "-g", "mi-rg").ok();
        assertThat(cli.run("identity", "show", "-n", "mi-puller", "-g", "mi-rg").err()).contains("ResourceNotFound");
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aUserAssignedIdentityIsAPrincipalThatGoesWithItsRoles() throws Exception {
        JsonNode identity = cli.run("identity", "create", "-n", "mi-lifecycle", "-g", "mi-rg").ok().json();
        String principal = identity.get("principalId").asText();
        assertThat(identity.get("id").asText()).isEqualTo(group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi-lifecycle");
        assertThat(identity.get("tenantId").asText()).isEqualTo(enclave.tenant());
        assertThat(cli.run("identity", "show", "-n", "mi-lifecycle", "-g", "mi-rg").ok().json().get("clientId").asText())
                .isEqualTo(identity.get("clientId").asText());
        assertThat(cli.run("identity", "list", "-g", "mi-rg").ok().json().findValuesAsText("name")).contains("mi-lifecycle");
        HttpResponse<String> directory = enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null);
        assertThat(TestServer.json(directory).get("type").asText()).isEqualTo("ManagedIdentity");
        cli.run("role", "assignment", "create", "--assignee", principal, "--role", "Reader", "--scope", group).ok();

        cli.run("identity", "delete", "-n", "mi-lifecycle", "-g", "mi-rg").ok();
        assertThat(cli.run("identity", "show", "-n", "mi-lifecycle", "-g", "mi-rg").err()).contains("ResourceNotFound").contains("enclave identity create");
        assertThat(enclave.mgmt("GET", "/" + enclave.tenant() + "/directory/principals/" + principal, null).statusCode()).isEqualTo(404);
        assertThat(cli.run("role", "assignment", "list", "--all").ok().json().findValuesAsText("principalId")).doesNotContain(principal);
    }

    @Test
    void anEndpointWithoutAnIdentityCannotDeploy() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "mi-none", "--set", "identity.type=none").ok();
        Path yaml = Files.writeString(files.resolve("none.yml"), Toolbox.deploymentYaml("mi-none", "blue", 1, ""));
        Cli.Result refused = cli.run("ml", "online-deployment", "create", "-f", yaml.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("has no managed identity").contains("system_assigned");
        Cli.Result missing = cli.run("ml", "online-endpoint", "create", "-n", "mi-missing", "--set", "identity.type=user_assigned",
                "--set", "identity.user_assigned_identities[0].resource_id=" + group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nobody");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("ResourceNotFound").contains("nobody").contains("enclave identity create");
    }
}
