package enclave.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.testing.FakeEnclave;
import enclave.cli.testing.FakeIdentityEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sign-in, the directory and role-based access through the CLI against {@link FakeEnclave}: who the CLI acts as
 * (admin, service principal, user, managed identity), which grant each uses, what the profile keeps, and the exact
 * REST calls of {@code ad}, {@code role} and the endpoint credentials by auth mode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignInAndAccessAgainstFakeServerTest {
    private static final String SUB = "/subscriptions/" + FakeEnclave.SUBSCRIPTION;
    private static final String RG = SUB + "/resourceGroups/rg1";
    private static final String WS = RG + "/providers/Microsoft.MachineLearningServices/workspaces/ws1";
    private static final String ROLES = "/providers/Microsoft.Authorization/roleDefinitions";
    private static final String ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments";
    private static final String ALICE = "alice@enclave.local";
    private static final String ALICE_PASSWORD = "correct horse battery staple";

    Path home;
    Path profile;
    FakeEnclave server;

    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            return FakeEnclave.parse(out);
        }
    }

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        home = Files.createDirectories(temp.resolve("home"));
        profile = home.resolve("cli/profile.json");
        server = FakeEnclave.start(home);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    @Order(1)
    void withoutAProfileTheCliIsTheAdmin() {
        Run show = run("account", "show");
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.json()).isEqualTo(FakeEnclave.parse("""
                {"environmentName":"Enclave","homeTenantId":"%s","id":"%s","isDefault":true,"managedByTenants":[],"name":"Enclave",
                 "state":"Enabled","tenantId":"%s","user":{"name":"admin","type":"servicePrincipal"}}"""
                .formatted(FakeEnclave.TENANT, FakeEnclave.SUBSCRIPTION, FakeEnclave.TENANT)));

        Run login = run("login");
        assertThat(login.exitCode()).as(login.err()).isZero();
        assertThat(login.json().get(0).path("cloudName").asText()).isEqualTo("Enclave");
        assertThat(login.json().get(0).path("user")).isEqualTo(FakeEnclave.parse("{\"name\":\"admin\",\"type\":\"servicePrincipal\"}"));
        assertThat(profile).doesNotExist();
        assertThat(server.tokenForms.getLast()).containsEntry("grant_type", "client_credentials").containsEntry("client_id", "admin");
    }

    @Test
    @Order(2)
    void createForRbacPrintsTheSecretOnceAndAssignsTheRole() {
        Run created = run("ad", "sp", "create-for-rbac", "-n", "ci-bot", "--role", "Reader", "--scopes", RG);

        assertThat(created.exitCode()).as(created.err()).isZero();
        JsonNode sp = created.json();
        assertThat(sp.properties()).extracting(Map.Entry::getKey).containsExactly("appId", "displayName", "password", "tenant");
        assertThat(sp.path("displayName").asText()).isEqualTo("ci-bot");
        assertThat(sp.path("password").asText()).startsWith("pw-");
        assertThat(sp.path("tenant").asText()).isEqualTo(FakeEnclave.TENANT);
        assertThat(created.err()).contains("Creating 'Reader' role assignment under scope '" + RG + "'", "credentials that you must protect");

        int lookup = server.requests.indexOf("GET " + RG + ROLES + "?$filter=roleName%20eq%20%27Reader%27&api-version=2024-04-01");
        int create = server.requests.indexOf("POST /" + FakeEnclave.TENANT + "/directory/servicePrincipals?api-version=2024-04-01");
        assertThat(lookup).as("the role is resolved before the principal is made").isNotNegative().isLessThan(create);
        String objectId = server.principal("ci-bot").path("objectId").asText();
        assertThat(lastPutUnder(RG + ASSIGNMENTS + "/")).isEqualTo(FakeEnclave.parse("""
                {"properties":{"roleDefinitionId":"%s%s/%s","principalId":"%s","principalType":"ServicePrincipal"}}"""
                .formatted(SUB, ROLES, FakeEnclave.READER, objectId)));
    }

    @Test
    @Order(3)
    void createForRbacWithAnUnknownRoleLeavesNoPrincipalBehind() {
        long before = server.requests.stream().filter(r -> r.startsWith("POST /" + FakeEnclave.TENANT + "/directory/servicePrincipals")).count();

        Run failed = run("ad", "sp", "create-for-rbac", "-n", "typo-bot", "--role", "Raeder", "--scopes", RG);

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).startsWith("ERROR: (RoleDefinitionNotFound) no role 'Raeder' can be assigned at " + RG);
        assertThat(server.requests.stream().filter(r -> r.startsWith("POST /" + FakeEnclave.TENANT + "/directory/servicePrincipals")).count())
                .isEqualTo(before);
        Run roleWithoutScopes = run("ad", "sp", "create-for-rbac", "-n", "x", "--role", "Reader");
        assertThat(roleWithoutScopes.exitCode()).isEqualTo(2);
        assertThat(roleWithoutScopes.err()).startsWith("ERROR: (UsageError) --role and --scopes go together");
    }

    @Test
    @Order(4)
    void loginAsServicePrincipalStoresItsSecretOwnerOnly() throws IOException {
        JsonNode sp = run("ad", "sp", "create-for-rbac", "-n", "deployer").json();
        String appId = sp.path("appId").asText();

        Run login = run("login", "--service-principal", "-u", appId, "-p", sp.path("password").asText(), "--tenant", FakeEnclave.TENANT);

        assertThat(login.exitCode()).as(login.err()).isZero();
        assertThat(login.json()).isEqualTo(FakeEnclave.parse("""
                [{"cloudName":"Enclave","homeTenantId":"%s","id":"%s","isDefault":true,"managedByTenants":[],"name":"Enclave",
                  "state":"Enabled","tenantId":"%s","user":{"name":"%s","type":"servicePrincipal"}}]"""
                .formatted(FakeEnclave.TENANT, FakeEnclave.SUBSCRIPTION, FakeEnclave.TENANT, appId)));
        assertThat(ownerOnly(profile)).isTrue();
        assertThat(FakeEnclave.parse(Files.readString(profile))).isEqualTo(FakeEnclave.parse("""
                {"type":"servicePrincipal","tenantId":"%s","clientId":"%s","clientSecret":"%s"}"""
                .formatted(FakeEnclave.TENANT, appId, sp.path("password").asText())));
        assertThat(Files.list(profile.getParent())).allMatch(file -> !file.getFileName().toString().endsWith(".tmp"));

        Run token = run("account", "get-access-token");
        assertThat(token.exitCode()).as(token.err()).isZero();
        assertThat(token.json().path("accessToken").asText()).startsWith("token:" + appId + ":https://management.azure.com/.default:");
        assertThat(server.tokenForms.getLast()).containsEntry("grant_type", "client_credentials").containsEntry("client_id", appId);

        Run wrong = run("login", "--service-principal", "-u", appId, "-p", "not-the-secret");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).isEqualTo("ERROR: (AuthenticationFailed) cannot get a token for https://management.azure.com/.default: "
                + "invalid_client: the client id or secret is wrong\n");
        assertThat(Files.readString(profile)).as("a failed sign-in keeps the previous one").contains(appId);
    }

    @Test
    @Order(5)
    void getAccessTokenShowsAzFields() {
        Run token = run("account", "get-access-token", "--resource", "https://ml.azure.com/");

        assertThat(token.exitCode()).as(token.err()).isZero();
        JsonNode answer = token.json();
        assertThat(answer.properties()).extracting(Map.Entry::getKey)
                .containsExactly("accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType");
        assertThat(answer.path("accessToken").asText()).contains(":https://ml.azure.com/.default:");
        long expiresOn = answer.path("expires_on").asLong();
        assertThat(expiresOn).isBetween(Instant.now().getEpochSecond() + 3500, Instant.now().getEpochSecond() + 3700);
        assertThat(answer.path("expiresOn").asText()).isEqualTo(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
                .format(Instant.ofEpochSecond(expiresOn).atZone(ZoneId.systemDefault())));
        assertThat(answer.path("subscription").asText()).isEqualTo(FakeEnclave.SUBSCRIPTION);
        assertThat(answer.path("tenant").asText()).isEqualTo(FakeEnclave.TENANT);
        assertThat(answer.path("tokenType").asText()).isEqualTo("Bearer");

        assertThat(run("account", "get-access-token", "--scope", "https://storage.azure.com/.default", "--query", "accessToken", "-o", "tsv").out())
                .contains(":https://storage.azure.com/.default:");
        Run both = run("account", "get-access-token", "--resource", "https://ml.azure.com", "--scope", "https://ml.azure.com/.default");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("ERROR: (UsageError) pass --resource or --scope, not both\n");
    }

    @Test
    @Order(6)
    void logoutGoesBackToTheAdmin() {
        assertThat(run("logout").exitCode()).isZero();

        assertThat(profile).doesNotExist();
        assertThat(run("account", "show", "--query", "user.name", "-o", "tsv").out()).isEqualTo("admin\n");
        assertThat(run("logout").exitCode()).as("signing out twice is harmless").isZero();
    }

    @Test
    @Order(7)
    void loginAsUserKeepsTheRefreshTokenNeverThePassword() throws IOException {
        Run user = run("ad", "user", "create", "--display-name", "Alice", "--user-principal-name", ALICE, "--password", ALICE_PASSWORD);
        assertThat(user.exitCode()).as(user.err()).isZero();
        assertThat(user.json().path("id").asText()).isEqualTo(user.json().path("objectId").asText()).isNotEmpty();
        assertThat(user.json().path("userPrincipalName").asText()).isEqualTo(ALICE);

        Run login = run("login", "-u", ALICE, "-p", ALICE_PASSWORD);

        assertThat(login.exitCode()).as(login.err()).isZero();
        assertThat(login.json().get(0).path("user")).isEqualTo(FakeEnclave.parse("{\"name\":\"" + ALICE + "\",\"type\":\"user\"}"));
        Map<String, String> passwordGrant = server.tokenForms.getLast();
        assertThat(passwordGrant).containsEntry("grant_type", "password").containsEntry("username", ALICE)
                .containsEntry("password", ALICE_PASSWORD).containsEntry("scope", "https://management.azure.com/.default offline_access");
        String stored = Files.readString(profile);
        assertThat(stored).doesNotContain(ALICE_PASSWORD);
        assertThat(ownerOnly(profile)).isTrue();
        JsonNode saved = FakeEnclave.parse(stored);
        assertThat(saved.path("type").asText()).isEqualTo("user");
        assertThat(saved.path("userPrincipalName").asText()).isEqualTo(ALICE);
        String firstRefresh = saved.path("refreshToken").asText();
        assertThat(firstRefresh).startsWith("refresh-");

        Run token = run("account", "get-access-token", "--resource", "https://ml.azure.com");

        assertThat(token.exitCode()).as(token.err()).isZero();
        assertThat(token.json().path("accessToken").asText()).startsWith("token:" + ALICE + ":https://ml.azure.com/.default:");
        assertThat(server.tokenForms.getLast()).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", firstRefresh)
                .containsEntry("scope", "https://ml.azure.com/.default").doesNotContainKey("password");
        String rotated = FakeEnclave.parse(Files.readString(profile)).path("refreshToken").asText();
        assertThat(rotated).as("the newer refresh token replaces the used one").startsWith("refresh-").isNotEqualTo(firstRefresh);
        assertThat(ownerOnly(profile)).isTrue();

        assertThat(run("account", "show", "--query", "user", "-o", "json").json())
                .isEqualTo(FakeEnclave.parse("{\"name\":\"" + ALICE + "\",\"type\":\"user\"}"));
        Run wrong = run("login", "-u", ALICE, "-p", "wrong");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("ERROR: (AuthenticationFailed) cannot get a token for https://management.azure.com/.default offline_access: "
                + "invalid_grant: the user name or password is wrong");
        assertThat(run("logout").exitCode()).isZero();
    }

    @Test
    @Order(8)
    void loginWithTheManagedIdentityOfTheEnvironment() throws IOException {
        Run nowhere = run("login", "--identity");
        assertThat(nowhere.exitCode()).isEqualTo(1);
        assertThat(nowhere.err()).isEqualTo("ERROR: (ManagedIdentityUnavailable) no managed identity is available here (IDENTITY_ENDPOINT is not set)\n");

        try (FakeIdentityEndpoint identity = FakeIdentityEndpoint.start("X-IDENTITY-HEADER", true)) {
            Map<String, String> env = Map.of("IDENTITY_ENDPOINT", identity.url(), "IDENTITY_HEADER", FakeIdentityEndpoint.SECRET);
            server.acceptToken(FakeIdentityEndpoint.token("https://management.azure.com", null), FakeEnclave.MANAGEMENT);

            Run login = run(env, "login", "--identity");

            assertThat(login.exitCode()).as(login.err()).isZero();
            assertThat(login.json().get(0).path("user")).isEqualTo(FakeEnclave.parse("""
                    {"assignedIdentityInfo":"MSI","name":"systemAssignedIdentity","type":"servicePrincipal"}"""));
            FakeIdentityEndpoint.Request request = identity.requests.getLast();
            assertThat(request.query()).isEqualTo(Map.of("resource", "https://management.azure.com", "api-version", "2019-08-01"));
            assertThat(request.headers()).containsEntry("x-identity-header", FakeIdentityEndpoint.SECRET);
            assertThat(FakeEnclave.parse(Files.readString(profile))).isEqualTo(FakeEnclave.parse("""
                    {"type":"managedIdentity","tenantId":"%s"}""".formatted(FakeEnclave.TENANT)));

            Run list = run(env, "role", "definition", "list", "-n", "Reader", "--query", "[].roleName", "-o", "tsv");
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).isEqualTo("Reader\n");
            Run token = run(env, "account", "get-access-token", "--resource", "https://ml.azure.com");
            assertThat(token.json().path("accessToken").asText()).isEqualTo(FakeIdentityEndpoint.token("https://ml.azure.com", null));
            assertThat(token.json().path("expires_on").asLong()).isEqualTo(FakeIdentityEndpoint.EXPIRES_ON);

            Run elsewhere = run("account", "get-access-token");
            assertThat(elsewhere.exitCode()).isEqualTo(1);
            assertThat(elsewhere.err()).contains("(ManagedIdentityUnavailable) no managed identity is available here");

            server.acceptToken(FakeIdentityEndpoint.token("https://management.azure.com", "client-123"), FakeEnclave.MANAGEMENT);
            Run userAssigned = run(env, "login", "--identity", "--username", "client-123");
            assertThat(userAssigned.exitCode()).as(userAssigned.err()).isZero();
            assertThat(userAssigned.json().get(0).path("user").path("name").asText()).isEqualTo("userAssignedIdentity");
            assertThat(identity.requests.getLast().query()).containsEntry("client_id", "client-123");
        }
        try (FakeIdentityEndpoint msi = FakeIdentityEndpoint.start("secret", false)) {
            Map<String, String> env = Map.of("MSI_ENDPOINT", msi.url(), "MSI_SECRET", FakeIdentityEndpoint.SECRET);
            Run login = run(env, "login", "--identity", "--client-id", "client-123");

            assertThat(login.exitCode()).as(login.err()).isZero();
            assertThat(msi.requests.getLast().query())
                    .isEqualTo(Map.of("resource", "https://management.azure.com", "api-version", "2017-09-01", "clientid", "client-123"));
            assertThat(msi.requests.getLast().headers()).containsEntry("secret", FakeIdentityEndpoint.SECRET);
        }
        assertThat(run("account", "show", "--query", "user.name", "-o", "tsv").out())
                .as("the account shows without the identity endpoint; only tokens need it").isEqualTo("userAssignedIdentity\n");
        Run withPassword = run("login", "--identity", "-p", "x");
        assertThat(withPassword.exitCode()).isEqualTo(2);
        assertThat(run("logout").exitCode()).isZero();
    }

    @Test
    @Order(9)
    void customRolesFromTheJsonPeopleWrite(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("scorer.json");
        Files.writeString(file, """
                {
                  "Name": "Endpoint Scorer",
                  "IsCustom": true,
                  "Description": "Can score endpoints.",
                  "Actions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read"],
                  "NotActions": [],
                  "DataActions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action"],
                  "NotDataActions": [],
                  "AssignableScopes": ["%s", "%s"]
                }""".formatted(RG, WS));

        Run created = run("role", "definition", "create", "--role-definition", file.toString());

        assertThat(created.exitCode()).as(created.err()).isZero();
        String guid = created.json().path("name").asText();
        assertThat(guid).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(server.lastPut.get(RG + ROLES + "/" + guid)).isEqualTo(FakeEnclave.parse("""
                {"properties":{"roleName":"Endpoint Scorer","description":"Can score endpoints.","type":"CustomRole",
                 "permissions":[{"actions":["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read"],"notActions":[],
                                 "dataActions":["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action"],"notDataActions":[]}],
                 "assignableScopes":["%s","%s"]}}""".formatted(RG, WS)));
        assertThat(created.json().properties()).extracting(Map.Entry::getKey)
                .containsExactly("id", "name", "roleName", "roleType", "description", "permissions", "assignableScopes", "type");
        assertThat(created.json().path("roleType").asText()).isEqualTo("CustomRole");

        assertThat(run("role", "definition", "list", "--custom-role-only", "--query", "[].roleName", "-o", "tsv").out())
                .isEqualTo("Endpoint Scorer\n");
        assertThat(server.requests).contains("GET " + SUB + ROLES + "?$filter=type%20eq%20%27CustomRole%27&api-version=2024-04-01");
        assertThat(run("role", "definition", "list", "-n", "endpoint scorer", "-o", "table").out()).isEqualTo("""
                RoleName         RoleType    Description
                ---------------  ----------  --------------------
                Endpoint Scorer  CustomRole  Can score endpoints.
                """);

        Run update = run("role", "definition", "update", "--role-definition", """
                {"Name":"Endpoint Scorer","Actions":["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/read"]}""");
        assertThat(update.exitCode()).as(update.err()).isZero();
        JsonNode put = server.lastPut.get(RG + ROLES + "/" + guid);
        assertThat(put.at("/properties/permissions/0/actions/0").asText()).isEqualTo("Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/read");
        assertThat(put.at("/properties/assignableScopes")).as("kept from the role").isEqualTo(FakeEnclave.parse("[\"" + RG + "\",\"" + WS + "\"]"));
        assertThat(put.at("/properties/description").asText()).isEqualTo("Can score endpoints.");

        Run builtIn = run("role", "definition", "delete", "-n", "Reader");
        assertThat(builtIn.exitCode()).isEqualTo(1);
        assertThat(builtIn.err()).isEqualTo("ERROR: (BuiltInRoleNotChangeable) 'Reader' is a built-in role and cannot be deleted\n");
        Run invalid = run("role", "definition", "create", "--role-definition", "{\"Name\":\"x\",\"Actions\":[\"a b\"]}");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).startsWith("ERROR: (InvalidRoleDefinition) --role-definition: Actions[0] 'a b' is not an operation");
        assertThat(server.requests.stream().filter(r -> r.startsWith("PUT ") && r.contains(ROLES)).count()).as("nothing sent when invalid")
                .isEqualTo(2);
    }

    @Test
    @Order(10)
    void roleAssignmentsResolveTheAssigneeAndTheRoleByName() {
        String alice = server.principal(ALICE).path("objectId").asText();

        Run created = run("role", "assignment", "create", "--assignee", ALICE, "--role", "Endpoint Scorer", "--scope", WS);

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(server.requests).contains("GET /" + FakeEnclave.TENANT + "/directory/principals/alice@enclave.local?api-version=2024-04-01",
                "GET " + WS + ROLES + "?$filter=roleName%20eq%20%27Endpoint%20Scorer%27&api-version=2024-04-01");
        String scorerId = server.lastPut.keySet().stream().filter(key -> key.startsWith(RG + ROLES + "/")).findFirst().orElseThrow();
        JsonNode body = lastPutUnder(WS + ASSIGNMENTS + "/");
        assertThat(body).isEqualTo(FakeEnclave.parse("""
                {"properties":{"roleDefinitionId":"%s","principalId":"%s","principalType":"User"}}""".formatted(scorerId, alice)));
        JsonNode shown = created.json();
        assertThat(shown.properties()).extracting(Map.Entry::getKey).containsExactly("id", "name", "principalId", "principalName", "principalType",
                "roleDefinitionId", "roleDefinitionName", "scope", "type");
        assertThat(shown.path("principalName").asText()).isEqualTo(ALICE);
        assertThat(shown.path("roleDefinitionName").asText()).isEqualTo("Endpoint Scorer");
        assertThat(shown.path("scope").asText()).isEqualTo(WS);

        Run byDisplayNameAndGuid = run("role", "assignment", "create", "--assignee", "deployer", "--role", FakeEnclave.CONTRIBUTOR, "--scope", RG);
        assertThat(byDisplayNameAndGuid.exitCode()).as(byDisplayNameAndGuid.err()).isZero();
        assertThat(byDisplayNameAndGuid.json().path("roleDefinitionId").asText()).isEqualTo(SUB + ROLES + "/" + FakeEnclave.CONTRIBUTOR);
        assertThat(byDisplayNameAndGuid.json().path("principalType").asText()).isEqualTo("ServicePrincipal");

        Run unknown = run("role", "assignment", "create", "--assignee", "mallory@enclave.local", "--role", "Reader", "--scope", RG);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("ERROR: (PrincipalNotFound) no user, service principal or managed identity 'mallory@enclave.local'");

        assertThat(run("role", "assignment", "list", "--scope", WS, "-o", "table").out()).isEqualTo("""
                Principal            Role             Scope
                -------------------  ---------------  %s
                alice@enclave.local  Endpoint Scorer  %s
                """.formatted("-".repeat(WS.length()), WS));
        Run inherited = run("role", "assignment", "list", "--scope", WS, "--include-inherited", "--query", "length(@)");
        assertThat(inherited.out().strip()).as("Reader for ci-bot and Contributor for deployer at the group apply too; " + inherited.err())
                .isEqualTo("3");
        assertThat(run("role", "assignment", "list", "--assignee", ALICE, "--all", "--query", "[].roleDefinitionName", "-o", "tsv").out())
                .isEqualTo("Endpoint Scorer\n");
        assertThat(server.requests).contains("GET " + SUB + ASSIGNMENTS + "?$filter=principalId%20eq%20'" + alice + "'&api-version=2024-04-01");
    }

    @Test
    @Order(11)
    void roleCheckExplainsTheDecision() {
        String action = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read";

        Run check = run("role", "check", "--assignee", ALICE, "--action", action, "--scope", WS + "/onlineEndpoints/my-endpoint");

        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(server.accessChecks.getLast()).isEqualTo(FakeEnclave.parse("""
                {"principalId":"%s","action":"%s","scope":"%s","dataAction":false}"""
                .formatted(server.principal(ALICE).path("objectId").asText(), action, WS + "/onlineEndpoints/my-endpoint")));
        assertThat(server.requests).contains("POST " + SUB + "/providers/Microsoft.Authorization/checkAccess?api-version=2024-04-01");
        assertThat(check.json().path("allowed").asBoolean()).isTrue();
        assertThat(check.json().path("grantedBy").path("properties").path("scope").asText()).isEqualTo(WS);

        Run denied = run("role", "check", "--assignee", ALICE, "--action", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/delete",
                "--scope", WS, "--data-action", "-o", "table");
        assertThat(server.accessChecks.getLast().path("dataAction").asBoolean()).isTrue();
        assertThat(denied.out()).isEqualTo("""
                Allowed  Reason
                -------  %s
                false    %s
                """.formatted("-".repeat(denied.out().lines().toList().get(2).length() - 9),
                "no role assignment of the principal grants Microsoft.MachineLearningServices/workspaces/onlineEndpoints/delete at " + WS));
    }

    @Test
    @Order(12)
    void roleAssignmentDeleteByAssigneeAndRole() {
        long before = server.requests.stream().filter(r -> r.startsWith("DELETE " + WS + ASSIGNMENTS + "/")).count();

        Run delete = run("role", "assignment", "delete", "--assignee", ALICE, "--role", "Endpoint Scorer", "--scope", WS);

        assertThat(delete.exitCode()).as(delete.err()).isZero();
        assertThat(server.requests.stream().filter(r -> r.startsWith("DELETE " + WS + ASSIGNMENTS + "/")).count()).isEqualTo(before + 1);
        Run again = run("role", "assignment", "delete", "--assignee", ALICE, "--role", "Endpoint Scorer", "--scope", WS);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).startsWith("ERROR: (RoleAssignmentNotFound) no role assignment at " + WS);
        assertThat(run("role", "definition", "delete", "-n", "Endpoint Scorer", "--scope", RG).exitCode()).isZero();
        assertThat(server.requests.stream().anyMatch(r -> r.startsWith("DELETE " + RG + ROLES + "/"))).isTrue();
    }

    @Test
    @Order(13)
    void endpointCredentialsFollowTheAuthMode() {
        assertThat(run("group", "create", "-n", "rg1").exitCode()).isZero();
        assertThat(run("ml", "workspace", "create", "-n", "ws1", "-g", "rg1").exitCode()).isZero();

        Run create = run("ml", "online-endpoint", "create", "-n", "tok-endpoint", "--auth-mode", "aml_token", "-g", "rg1", "-w", "ws1");
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(server.lastPut.get(WS + "/onlineEndpoints/tok-endpoint").at("/properties/authMode").asText()).isEqualTo("AMLToken");
        Run aml = run("ml", "online-endpoint", "get-credentials", "-n", "tok-endpoint", "-g", "rg1", "-w", "ws1");
        assertThat(aml.json()).isEqualTo(FakeEnclave.parse("""
                {"accessToken":"aml-token","expiryTimeUtc":1900000000,"refreshAfterTimeUtc":1899998200,"tokenType":"Bearer"}"""));
        assertThat(server.requests).contains("POST " + WS + "/onlineEndpoints/tok-endpoint/token?api-version=2024-04-01");
        assertThat(invoke("tok-endpoint").path("authorization").asText()).isEqualTo("Bearer aml-token");

        Run update = run("ml", "online-endpoint", "update", "-n", "tok-endpoint", "--set", "auth_mode=aad_token", "-g", "rg1", "-w", "ws1");
        assertThat(update.exitCode()).as(update.err()).isZero();
        assertThat(server.lastPut.get(WS + "/onlineEndpoints/tok-endpoint").at("/properties/authMode").asText()).isEqualTo("AADToken");
        Run aad = run("ml", "online-endpoint", "get-credentials", "-n", "tok-endpoint", "-g", "rg1", "-w", "ws1");
        assertThat(aad.json().properties()).extracting(Map.Entry::getKey).containsExactly("accessToken", "expiryTimeUtc");
        assertThat(aad.json().path("accessToken").asText()).isEqualTo("token:https://ml.azure.com/.default");
        assertThat(invoke("tok-endpoint").path("authorization").asText()).isEqualTo("Bearer token:https://ml.azure.com/.default");

        Run key = run("ml", "online-endpoint", "create", "-n", "key-endpoint", "-g", "rg1", "-w", "ws1");
        assertThat(key.exitCode()).as(key.err()).isZero();
        assertThat(invoke("key-endpoint").path("authorization").asText()).isEqualTo("Bearer " + FakeEnclave.PRIMARY_KEY);
    }

    private JsonNode invoke(String endpoint) {
        Path request = home.resolve("request.json");
        try {
            Files.writeString(request, "{\"data\":[[1,2]]}");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Run invoke = run("ml", "online-endpoint", "invoke", "-n", endpoint, "-r", request.toString(), "-g", "rg1", "-w", "ws1");
        assertThat(invoke.exitCode()).as(invoke.err()).isZero();
        return invoke.json();
    }

    private JsonNode lastPutUnder(String prefix) {
        List<String> keys = server.requests.stream().filter(r -> r.startsWith("PUT " + prefix)).toList();
        String path = keys.getLast().substring("PUT ".length()).replaceAll("\\?.*$", "");
        return server.lastPut.get(path);
    }

    private static boolean ownerOnly(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file)).equals("rw-------");
    }

    private Run run(String... args) {
        return run(Map.of(), args);
    }

    private Run run(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("ENCLAVE_HOME", home.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
