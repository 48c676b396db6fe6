package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 4 through the CLI and real HTTPS: user-assigned managed identities and their principals. */
class ManagedIdentityCliTest {
    private static TestServer enclave;
    private static Cli cli;
    private static String group;
    private static JsonNode workspace;

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
}
