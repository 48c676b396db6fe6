package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 as a user lives it through the CLI: principals are made, sign in, are refused until a role is assigned,
 * and endpoints take keys, aml_tokens or aad_tokens with the right checks.
 */
class IdentityAndAccessCliTest {
    private static TestServer enclave;
    private static Cli cli;
    private static String sub;
    private static String ws;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        sub = enclave.subscription();
        cli.useNewWorkspace("ia-rg", "ia-ws");
        ws = "/subscriptions/" + sub + "/resourceGroups/ia-rg/providers/Microsoft.MachineLearningServices/workspaces/ia-ws";
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
    void aServicePrincipalIsRefusedUntilARoleIsAssignedAndRoleCheckSaysWhy() throws Exception {
        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "ci-bot").ok().json();
        String appId = sp.get("appId").asText();
        cli.run("login", "--service-principal", "-u", appId, "-p", sp.get("password").asText(), "--tenant", sp.get("tenant").asText()).ok();
        assertThat(cli.run("account", "show").ok().json().at("/user/name").asText()).isEqualTo(appId);

        Cli.Result refused = cli.run("ml", "online-endpoint", "list");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("AuthorizationFailed").contains("onlineEndpoints/read").contains(ws);

        cli.run("logout").ok();
        cli.run("role", "assignment", "create", "--assignee", appId, "--role", "Reader", "--scope", ws).ok();
        JsonNode check = cli.run("role", "check", "--assignee", appId, "--action", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read",
                "--scope", ws).ok().json();
        assertThat(check.get("allowed").asBoolean()).isTrue();
        assertThat(check.toString()).contains("Reader");
        JsonNode denied = cli.run("role", "check", "--assignee", appId, "--action", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write",
                "--scope", ws).ok().json();
        assertThat(denied.get("allowed").asBoolean()).isFalse();
        assertThat(denied.get("reason").asText()).isNotBlank();

        cli.run("login", "--service-principal", "-u", appId, "-p", sp.get("password").asText()).ok();
        assertThat(cli.run("ml", "online-endpoint", "list").ok().json().isArray()).isTrue();
        Cli.Result write = cli.run("ml", "online-endpoint", "create", "-n", "by-reader");
        assertThat(write.exit()).isEqualTo(1);
        assertThat(write.err()).contains("AuthorizationFailed");
    }

    @Test
    void usersSignInWithAPasswordAndKeepOnlyARefreshToken() throws Exception {
        cli.run("ad", "user", "create", "--display-name", "Dana", "--user-principal-name", "dana@enclave.local", "--password", "s3cret-pass-word").ok();
        Cli.Result wrong = cli.run("login", "-u", "dana@enclave.local", "-p", "not-her-password");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("AuthenticationFailed");

        cli.run("login", "-u", "dana@enclave.local", "-p", "s3cret-pass-word").ok();
        Path profile = enclave.home.resolve("cli/profile.json");
        assertThat(Files.readString(profile)).doesNotContain("s3cret-pass-word").contains("refreshToken");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(profile))).isEqualTo("rw-------");
        JsonNode token = cli.run("account", "get-access-token", "--resource", "https://ml.azure.com").ok().json();
        assertThat(token.get("accessToken").asText()).isNotBlank();
        assertThat(token.has("expiresOn")).isTrue();
    }

    @Test
    void aadTokenEndpointsNeedTheScoreRoleAndLogTheCaller() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "aad-ep", "--auth-mode", "aad_token").ok();
        deployToolbox("aad-ep");
        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "scorer-app").ok().json();
        String appId = sp.get("appId").asText();
        cli.run("login", "--service-principal", "-u", appId, "-p", sp.get("password").asText()).ok();
        Path request = Files.writeString(files.resolve("pid.json"), "{\"action\":\"pid\"}");
        String token = cli.run("account", "get-access-token", "--resource", "https://ml.azure.com", "--query", "accessToken", "-o", "tsv").ok().out().strip();
        HttpResponse<String> forbidden = enclave.score("aad-ep", token, "{\"action\":\"pid\"}", Map.of());
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("score/action");

        cli.run("logout").ok();
        cli.run("role", "assignment", "create", "--assignee", appId, "--role", "AzureML Data Scientist", "--scope", ws + "/onlineEndpoints/aad-ep").ok();
        cli.run("login", "--service-principal", "-u", appId, "-p", sp.get("password").asText()).ok();
        HttpResponse<String> allowed = enclave.score("aad-ep", token, "{\"action\":\"pid\"}", Map.of());
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        // as in Azure, onlineEndpoints/read is checked at the workspace: a role on the endpoint alone lets it score, not read it
        Cli.Result show = cli.run("ml", "online-endpoint", "get-credentials", "-n", "aad-ep");
        assertThat(show.exit()).isEqualTo(1);
        assertThat(show.err()).contains("onlineEndpoints/read");

        cli.run("logout").ok();
        String requestId = allowed.headers().firstValue("x-request-id").orElseThrow();
        String objectId = cli.run("ad", "sp", "show", "--id", appId, "--query", "objectId", "-o", "tsv").ok().out().strip();
        JsonNode logs = cli.run("ml", "online-endpoint", "logs", "-n", "aad-ep", "--lines", "10", "-o", "json").ok().json();
        JsonNode record = null;
        for (JsonNode candidate : logs) {
            if (candidate.path("xRequestId").asText().equals(requestId)) {
                record = candidate;
            }
        }
        assertThat(record).isNotNull();
        assertThat(record.get("authMode").asText()).isEqualTo("aad_token");
        assertThat(record.get("identity").asText()).isEqualTo(objectId);
        assertThat(Files.exists(request)).isTrue();
    }

    @Test
    void amlTokensWorkForTheirEndpointAndStopWhenTheModeChanges() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "aml-ep", "--auth-mode", "aml_token").ok();
        deployToolbox("aml-ep");
        JsonNode credentials = cli.run("ml", "online-endpoint", "get-credentials", "-n", "aml-ep").ok().json();
        assertThat(credentials.get("expiryTimeUtc").asLong()).isGreaterThan(credentials.get("refreshAfterTimeUtc").asLong());
        Path request = Files.writeString(files.resolve("aml.json"), "{\"action\":\"pid\"}");
        assertThat(cli.run("ml", "online-endpoint", "invoke", "-n", "aml-ep", "-r", request.toString()).ok().out()).contains("pid");
        assertThat(enclave.score("aml-ep", credentials.get("accessToken").asText(), "{}", Map.of()).statusCode()).isEqualTo(200);

        cli.run("ml", "online-endpoint", "update", "-n", "aml-ep", "--set", "auth_mode=key").ok();
        assertThat(enclave.score("aml-ep", credentials.get("accessToken").asText(), "{}", Map.of()).statusCode()).isEqualTo(401);
        assertThat(cli.run("ml", "online-endpoint", "invoke", "-n", "aml-ep", "-r", request.toString()).ok().out()).contains("pid");
    }

    @Test
    void customRolesFromAzureJsonAreEnforced() throws Exception {
        Path definition = Files.writeString(files.resolve("role.json"), """
                {
                  "Name": "Endpoint Reader Without Keys",
                  "IsCustom": true,
                  "Description": "Reads endpoints, never their keys",
                  "Actions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*"],
                  "NotActions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action",
                                 "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write",
                                 "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/delete"],
                  "DataActions": [],
                  "NotDataActions": [],
                  "AssignableScopes": ["/subscriptions/%s"]
                }""".formatted(sub));
        cli.run("role", "definition", "create", "--role-definition", definition.toString()).ok();
        assertThat(cli.run("role", "definition", "list", "--custom-role-only", "--query", "[].roleName", "-o", "tsv").ok().out())
                .contains("Endpoint Reader Without Keys");
        cli.run("ml", "online-endpoint", "create", "-n", "custom-ep").ok();

        JsonNode sp = cli.run("ad", "sp", "create-for-rbac", "-n", "auditor", "--role", "Endpoint Reader Without Keys", "--scopes", ws).ok().json();
        cli.run("login", "--service-principal", "-u", sp.get("appId").asText(), "-p", sp.get("password").asText()).ok();
        assertThat(cli.run("ml", "online-endpoint", "show", "-n", "custom-ep").ok().json().get("name").asText()).isEqualTo("custom-ep");
        Cli.Result keys = cli.run("ml", "online-endpoint", "get-credentials", "-n", "custom-ep");
        assertThat(keys.exit()).isEqualTo(1);
        assertThat(keys.err()).contains("AuthorizationFailed").contains("listKeys/action");

        cli.run("logout").ok();
        Cli.Result inUse = cli.run("role", "definition", "delete", "-n", "Endpoint Reader Without Keys");
        assertThat(inUse.exit()).isEqualTo(1);
        String assignment = cli.run("role", "assignment", "list", "--assignee", sp.get("appId").asText(), "--scope", ws, "--query", "[0].id", "-o", "tsv")
                .ok().out().strip();
        cli.run("role", "assignment", "delete", "--ids", assignment).ok();
        cli.run("role", "definition", "delete", "-n", "Endpoint Reader Without Keys").ok();
    }

    @Test
    void trafficLoggingCanBeTurnedOffPerEndpoint() throws Exception {
        cli.run("ml", "online-endpoint", "create", "-n", "quiet-ep").ok();
        deployToolbox("quiet-ep");
        String key = cli.run("ml", "online-endpoint", "get-credentials", "-n", "quiet-ep", "--query", "primaryKey", "-o", "tsv").ok().out().strip();
        assertThat(enclave.score("quiet-ep", key, "{}", Map.of()).statusCode()).isEqualTo(200);
        String endpointId = ws + "/onlineEndpoints/quiet-ep";
        cli.run("monitor", "diagnostic-settings", "create", "-n", "logs", "--resource", endpointId, "--logs",
                "[{\"category\":\"AmlOnlineEndpointTrafficLog\",\"enabled\":false}]").ok();
        int before = cli.run("ml", "online-endpoint", "logs", "-n", "quiet-ep", "-o", "json").ok().json().size();
        for (int i = 0; i < 3; i++) {
            assertThat(enclave.score("quiet-ep", key, "{}", Map.of()).statusCode()).isEqualTo(200);
        }
        assertThat(cli.run("ml", "online-endpoint", "logs", "-n", "quiet-ep", "-o", "json").ok().json().size()).isEqualTo(before);
        assertThat(cli.run("monitor", "diagnostic-settings", "show", "-n", "logs", "--resource", endpointId, "--query", "properties.logs[0].enabled",
                "-o", "tsv").ok().out().strip()).isEqualTo("false");
        cli.run("monitor", "diagnostic-settings", "delete", "-n", "logs", "--resource", endpointId).ok();
        assertThat(enclave.score("quiet-ep", key, "{}", Map.of()).statusCode()).isEqualTo(200);
        assertThat(cli.run("ml", "online-endpoint", "logs", "-n", "quiet-ep", "-o", "json").ok().json().size()).isEqualTo(before + 1);
    }

    private static void deployToolbox(String endpoint) throws Exception {
        Toolbox.deploy(cli, files, endpoint, 1, "");
    }
}
