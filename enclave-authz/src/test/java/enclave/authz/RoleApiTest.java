package enclave.authz;

import static enclave.authz.RbacFixture.CONTAINER;
import static enclave.authz.RbacFixture.EP;
import static enclave.authz.RbacFixture.RG;
import static enclave.authz.RbacFixture.RG2;
import static enclave.authz.RbacFixture.STORAGE;
import static enclave.authz.RbacFixture.SUB;
import static enclave.authz.RbacFixture.WS;
import static enclave.authz.RbacFixture.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.authz.role.BuiltInRoles;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Caller;
import enclave.core.http.Http;
import enclave.core.http.Route;
import enclave.identity.PrincipalKind;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Microsoft.Authorization routes over real HTTP, behind a stand-in for the server's route → RBAC → handler pipeline. */
class RoleApiTest {
    private static final String AUTHZ = "/providers/Microsoft.Authorization";
    private static final String SCORE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action";

    @TempDir
    static Path temp;

    private static RbacFixture rbac;
    private static Server server;
    private static String base;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        rbac = new RbacFixture(temp);
        rbac.grant("admin", "Owner", SUB);
        rbac.grant("contributor", "Contributor", SUB);
        rbac.grant("rg-admin", "User Access Administrator", RG);
        rbac.grant("scientist", "AzureML Data Scientist", WS);
        rbac.grant("blob-reader", "Storage Blob Data Reader", STORAGE);
        rbac.directory.add("target", PrincipalKind.USER);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Router(new RoleApi(rbac.roles, rbac.assignments, rbac.authorizer).routes(), rbac.authorizer));
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        rbac.close();
    }

    @Test
    void routesDeclareTheirActionsAndScopes() {
        List<Route> routes = new RoleApi(rbac.roles, rbac.assignments, rbac.authorizer).routes();

        assertThat(routes).extracting(route -> route.method() + " " + route.template() + " " + route.action()).containsExactly(
                "PUT {*scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionName} Microsoft.Authorization/roleDefinitions/write",
                "GET {*scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionName} Microsoft.Authorization/roleDefinitions/read",
                "DELETE {*scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionName} Microsoft.Authorization/roleDefinitions/delete",
                "GET {*scope}/providers/Microsoft.Authorization/roleDefinitions Microsoft.Authorization/roleDefinitions/read",
                "PUT {*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName} Microsoft.Authorization/roleAssignments/write",
                "GET {*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName} Microsoft.Authorization/roleAssignments/read",
                "DELETE {*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName} Microsoft.Authorization/roleAssignments/delete",
                "GET {*scope}/providers/Microsoft.Authorization/roleAssignments Microsoft.Authorization/roleAssignments/read",
                "POST /subscriptions/{sub}/providers/Microsoft.Authorization/checkAccess Microsoft.Authorization/roleAssignments/read");
        Route put = routes.getFirst();
        Map<String, String> params = put.match("PUT", WS + AUTHZ + "/roleDefinitions/" + BuiltInRoles.READER).orElseThrow();
        assertThat(put.scope().apply(params)).isEqualTo(WS.toString());
        Route check = routes.getLast();
        assertThat(check.scope().apply(check.match("POST", "/subscriptions/s1" + AUTHZ + "/checkAccess").orElseThrow())).isEqualTo("/subscriptions/s1");
    }

    @Test
    void listsBuiltInRolesInTheArmShapeWithFilters() throws Exception {
        JsonNode all = json(send("admin", "GET", SUB + AUTHZ + "/roleDefinitions", null));
        JsonNode owner = find(all, BuiltInRoles.OWNER);
        assertThat(owner.path("id").asText()).isEqualTo("/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/" + BuiltInRoles.OWNER);
        assertThat(owner.path("type").asText()).isEqualTo("Microsoft.Authorization/roleDefinitions");
        assertThat(owner.path("properties").path("roleName").asText()).isEqualTo("Owner");
        assertThat(owner.path("properties").path("type").asText()).isEqualTo("BuiltInRole");
        assertThat(owner.path("properties").path("permissions").get(0).path("actions").get(0).asText()).isEqualTo("*");
        assertThat(owner.path("properties").path("assignableScopes").get(0).asText()).isEqualTo("/");
        JsonNode contributor = find(all, BuiltInRoles.CONTRIBUTOR);
        assertThat(contributor.path("properties").path("permissions").get(0).path("notActions").findValuesAsText("notActions")).isEmpty();
        assertThat(contributor.path("properties").path("permissions").get(0).path("notActions").get(1).asText()).isEqualTo("Microsoft.Authorization/*/Write");

        JsonNode byName = json(send("admin", "GET", SUB + AUTHZ + "/roleDefinitions?$filter=" + encode("roleName eq 'azureml data scientist'"), null));
        assertThat(byName.path("value").findValuesAsText("name")).containsExactly(BuiltInRoles.AZUREML_DATA_SCIENTIST);
        JsonNode builtIn = json(send("admin", "GET", SUB + AUTHZ + "/roleDefinitions?$filter=" + encode("type eq 'BuiltInRole'"), null));
        assertThat(builtIn.path("value")).hasSize(10);
        JsonNode unknown = json(send("admin", "GET", SUB + AUTHZ + "/roleDefinitions?$filter=" + encode("permissionsCount eq '3'"), null));
        assertThat(unknown.path("value")).hasSize(all.path("value").size());

        HttpResponse<String> malformed = send("admin", "GET", SUB + AUTHZ + "/roleDefinitions?$filter=" + encode("roleName eq Owner"), null);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(errorCode(malformed)).isEqualTo("BadRequest");

        HttpResponse<String> one = send("admin", "GET", RG + AUTHZ + "/roleDefinitions/" + BuiltInRoles.ACR_PULL, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one).path("properties").path("roleName").asText()).isEqualTo("AcrPull");
        HttpResponse<String> missing = send("admin", "GET", RG + AUTHZ + "/roleDefinitions/" + UUID.randomUUID(), null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(errorCode(missing)).isEqualTo("ResourceNotFound");
    }

    @Test
    void customRoleLifecycle() throws Exception {
        String name = UUID.randomUUID().toString();
        String path = SUB + AUTHZ + "/roleDefinitions/" + name;

        HttpResponse<String> created = send("admin", "PUT", path, roleBody("Lifecycle scorer", RG));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode role = json(created);
        assertThat(role.path("id").asText()).isEqualTo(path);
        assertThat(role.path("name").asText()).isEqualTo(name);
        assertThat(role.path("properties").path("type").asText()).isEqualTo("CustomRole");
        assertThat(role.path("properties").path("description").asText()).isEqualTo("scores endpoints");
        assertThat(role.path("properties").path("permissions").get(0).path("actions").get(0).asText()).isEqualTo(SCORE);
        assertThat(role.path("properties").path("assignableScopes").get(0).asText()).isEqualTo(RG.toString());
        assertThat(send("admin", "PUT", path, roleBody("Lifecycle scorer", RG)).statusCode()).isEqualTo(200);

        String custom = "?$filter=" + encode("type eq 'CustomRole'");
        assertThat(json(send("admin", "GET", RG + AUTHZ + "/roleDefinitions" + custom, null)).path("value").findValuesAsText("name")).contains(name);
        assertThat(json(send("admin", "GET", SUB + AUTHZ + "/roleDefinitions" + custom, null)).path("value").findValuesAsText("name"))
                .doesNotContain(name);
        assertThat(json(send("admin", "GET", SUB + AUTHZ + "/roleDefinitions?$filter=" + encode("atScopeAndBelow() and type eq 'CustomRole'"), null))
                .path("value").findValuesAsText("name")).contains(name);

        String assignmentPath = WS + AUTHZ + "/roleAssignments/" + UUID.randomUUID();
        assertThat(send("admin", "PUT", assignmentPath, assignmentBody(path, id("target"))).statusCode()).isEqualTo(201);
        HttpResponse<String> inUse = send("admin", "DELETE", path, null);
        assertThat(inUse.statusCode()).isEqualTo(409);
        assertThat(errorCode(inUse)).isEqualTo("Conflict");
        assertThat(message(inUse)).contains("role 'Lifecycle scorer' is still used by 1 role assignment (" + assignmentPath + ")");

        assertThat(send("admin", "DELETE", assignmentPath, null).statusCode()).isEqualTo(200);
        HttpResponse<String> deleted = send("admin", "DELETE", path, null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).path("properties").path("roleName").asText()).isEqualTo("Lifecycle scorer");
        assertThat(send("admin", "DELETE", path, null).statusCode()).isEqualTo(204);
        assertThat(send("admin", "GET", path, null).statusCode()).isEqualTo(404);
    }

    @Test
    void builtInRolesCannotBeDeletedOrOverwritten() throws Exception {
        HttpResponse<String> delete = send("admin", "DELETE", SUB + AUTHZ + "/roleDefinitions/" + BuiltInRoles.OWNER, null);
        assertThat(delete.statusCode()).isEqualTo(400);
        assertThat(message(delete)).contains("built-in roles cannot be deleted");

        HttpResponse<String> put = send("admin", "PUT", SUB + AUTHZ + "/roleDefinitions/" + BuiltInRoles.READER, roleBody("Reader 2", RG));
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(message(put)).contains("built-in roles cannot be changed");

        HttpResponse<String> builtInType = send("admin", "PUT", SUB + AUTHZ + "/roleDefinitions/" + UUID.randomUUID(),
                "{\"properties\":{\"roleName\":\"x\",\"type\":\"BuiltInRole\",\"permissions\":[{\"actions\":[\"*/read\"]}],\"assignableScopes\":[\"" + RG + "\"]}}");
        assertThat(builtInType.statusCode()).isEqualTo(400);
        assertThat(errorCode(builtInType)).isEqualTo("InvalidRequestContent");
    }

    @Test
    void creatingACustomRoleNeedsRoleDefinitionWriteAtEveryAssignableScope() throws Exception {
        String name = UUID.randomUUID().toString();
        String path = RG + AUTHZ + "/roleDefinitions/" + name;

        HttpResponse<String> refused = send("rg-admin", "PUT", path, roleBody("Two groups", RG, RG2));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(errorCode(refused)).isEqualTo("AuthorizationFailed");
        assertThat(message(refused)).contains("'rg-admin'", id("rg-admin"), "'Microsoft.Authorization/roleDefinitions/write'", "over scope '" + RG2 + "'",
                "an assignable scope of role 'Two groups'");
        assertThat(send("admin", "GET", path, null).statusCode()).as("nothing was stored").isEqualTo(404);

        assertThat(send("rg-admin", "PUT", path, roleBody("One group", RG)).statusCode()).isEqualTo(201);
        HttpResponse<String> widen = send("rg-admin", "PUT", path, roleBody("One group", RG, SUB));
        assertThat(widen.statusCode()).isEqualTo(403);
        assertThat(message(widen)).contains("over scope '" + SUB + "'");

        HttpResponse<String> contributor = send("contributor", "PUT", SUB + AUTHZ + "/roleDefinitions/" + UUID.randomUUID(), roleBody("Nope", RG));
        assertThat(contributor.statusCode()).isEqualTo(403);
        assertThat(message(contributor)).contains("excludes it through notActions 'Microsoft.Authorization/*/Write'");
    }

    @Test
    void assigningRolesNeedsRoleAssignmentsWriteAtTheScope() throws Exception {
        String reader = "/subscriptions/s1" + AUTHZ + "/roleDefinitions/" + BuiltInRoles.READER;

        HttpResponse<String> contributor = send("contributor", "PUT", RG + AUTHZ + "/roleAssignments/" + UUID.randomUUID(), assignmentBody(reader, id("target")));
        assertThat(contributor.statusCode()).isEqualTo(403);
        assertThat(message(contributor)).contains("'Microsoft.Authorization/roleAssignments/write'",
                "role 'Contributor' at /subscriptions/s1 excludes it through notActions 'Microsoft.Authorization/*/Write'");

        assertThat(send("rg-admin", "PUT", WS + AUTHZ + "/roleAssignments/" + UUID.randomUUID(), assignmentBody(reader, id("target"))).statusCode())
                .isEqualTo(201);
        assertThat(send("rg-admin", "PUT", SUB + AUTHZ + "/roleAssignments/" + UUID.randomUUID(), assignmentBody(reader, id("target"))).statusCode())
                .as("above its own scope").isEqualTo(403);

        // A data scientist may not hand itself more power.
        String owner = "/subscriptions/s1" + AUTHZ + "/roleDefinitions/" + BuiltInRoles.OWNER;
        HttpResponse<String> escalation = send("scientist", "PUT", WS + AUTHZ + "/roleAssignments/" + UUID.randomUUID(), assignmentBody(owner, id("scientist")));
        assertThat(escalation.statusCode()).isEqualTo(403);
        assertThat(rbac.assignments.ofPrincipal(id("scientist"))).hasSize(1);
    }

    @Test
    void roleAssignmentsReadListAndDelete() throws Exception {
        String name = UUID.randomUUID().toString();
        String path = WS + AUTHZ + "/roleAssignments/" + name;
        String contributor = "/subscriptions/s1" + AUTHZ + "/roleDefinitions/" + BuiltInRoles.CONTRIBUTOR;
        rbac.directory.add("listed", PrincipalKind.SERVICE_PRINCIPAL);

        HttpResponse<String> created = send("admin", "PUT", path, assignmentBody(contributor, id("listed")));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode assignment = json(created);
        assertThat(assignment.path("id").asText()).isEqualTo(path);
        assertThat(assignment.path("name").asText()).isEqualTo(name);
        assertThat(assignment.path("type").asText()).isEqualTo("Microsoft.Authorization/roleAssignments");
        JsonNode properties = assignment.path("properties");
        assertThat(properties.path("roleDefinitionId").asText()).isEqualTo(contributor);
        assertThat(properties.path("principalId").asText()).isEqualTo(id("listed"));
        assertThat(properties.path("principalType").asText()).isEqualTo("ServicePrincipal");
        assertThat(properties.path("scope").asText()).isEqualTo(WS.toString());
        assertThat(properties.path("createdOn").asText()).startsWith("2026-01-02T03:");
        assertThat(properties.path("createdBy").asText()).isEqualTo(id("admin"));
        assertThat(send("admin", "PUT", path, assignmentBody(contributor, id("listed"))).statusCode()).as("the same PUT again").isEqualTo(200);
        assertThat(json(send("admin", "GET", path, null))).isEqualTo(assignment);

        String byListed = "?$filter=" + encode("principalId eq '" + id("listed") + "'");
        assertThat(ids(send("admin", "GET", WS + AUTHZ + "/roleAssignments" + byListed, null))).containsExactly(path);
        assertThat(ids(send("admin", "GET", SUB + AUTHZ + "/roleAssignments" + byListed, null))).as("below the scope").containsExactly(path);
        assertThat(ids(send("admin", "GET", SUB + AUTHZ + "/roleAssignments?$filter=" + encode("atScope() and assignedTo('" + id("listed") + "')"), null)))
                .as("atScope(): at and above only").isEmpty();
        assertThat(ids(send("admin", "GET", EP + AUTHZ + "/roleAssignments", null))).as("inherited from above").contains(path)
                .anyMatch(id -> id.startsWith("/subscriptions/s1/providers/"));
        assertThat(ids(send("admin", "GET", RG2 + AUTHZ + "/roleAssignments", null))).doesNotContain(path);

        HttpResponse<String> deleted = send("admin", "DELETE", path, null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).path("name").asText()).isEqualTo(name);
        assertThat(send("admin", "DELETE", path, null).statusCode()).isEqualTo(204);
        HttpResponse<String> missing = send("admin", "GET", path, null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(errorCode(missing)).isEqualTo("ResourceNotFound");
    }

    @Test
    void badAssignmentRequestsAreRefusedAndLeaveNothingBehind() throws Exception {
        String reader = "/subscriptions/s1" + AUTHZ + "/roleDefinitions/" + BuiltInRoles.READER;
        int before = rbac.assignments.all().size();

        assertThat(errorCode(send("admin", "PUT", RG + AUTHZ + "/roleAssignments/" + UUID.randomUUID(), "{}"))).isEqualTo("InvalidRequestContent");
        assertThat(errorCode(send("admin", "PUT", RG + AUTHZ + "/roleAssignments/" + UUID.randomUUID(), "{not json"))).isEqualTo("InvalidRequestContent");
        HttpResponse<String> nobody = send("admin", "PUT", RG + AUTHZ + "/roleAssignments/" + UUID.randomUUID(), assignmentBody(reader, id("nobody")));
        assertThat(nobody.statusCode()).isEqualTo(400);
        assertThat(message(nobody)).contains("does not exist in the directory");
        HttpResponse<String> otherScope = send("admin", "PUT", RG + AUTHZ + "/roleAssignments/" + UUID.randomUUID(),
                "{\"properties\":{\"roleDefinitionId\":\"" + reader + "\",\"principalId\":\"" + id("target") + "\",\"scope\":\"" + RG2 + "\"}}");
        assertThat(otherScope.statusCode()).isEqualTo(400);
        assertThat(message(otherScope)).contains("differs from the scope in the URL");
        assertThat(send("admin", "PUT", RG + AUTHZ + "/roleAssignments/not-a-guid", assignmentBody(reader, id("target"))).statusCode()).isEqualTo(400);
        assertThat(rbac.assignments.all()).hasSize(before);
    }

    @Test
    void checkAccessExplainsDecisions() throws Exception {
        String check = SUB + AUTHZ + "/checkAccess";

        JsonNode scores = json(send("admin", "POST", check, checkBody(id("scientist"), SCORE, EP, false)));
        assertThat(scores.path("allowed").asBoolean()).isTrue();
        assertThat(scores.path("reason").asText()).contains("role 'AzureML Data Scientist' at " + WS + " grants it through actions");
        assertThat(scores.path("grantedBy").path("properties").path("principalId").asText()).isEqualTo(id("scientist"));
        assertThat(scores.path("grantedBy").path("properties").path("scope").asText()).isEqualTo(WS.toString());
        assertThat(scores.path("considered").get(0).path("outcome").asText()).isEqualTo("GRANTS");
        assertThat(scores.path("considered").get(0).path("roleName").asText()).isEqualTo("AzureML Data Scientist");

        JsonNode writes = json(send("admin", "POST", check, checkBody(id("contributor"), "Microsoft.Authorization/roleAssignments/write", WS, false)));
        assertThat(writes.path("allowed").asBoolean()).isFalse();
        assertThat(writes.has("grantedBy")).isFalse();
        assertThat(writes.path("reason").asText()).contains("excludes it through notActions 'Microsoft.Authorization/*/Write'");
        assertThat(writes.path("considered").get(0).path("outcome").asText()).isEqualTo("EXCLUDES");

        String blobRead = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
        assertThat(json(send("admin", "POST", check, checkBody(id("blob-reader"), blobRead, CONTAINER, true))).path("allowed").asBoolean()).isTrue();
        assertThat(json(send("admin", "POST", check, checkBody(id("blob-reader"), blobRead, CONTAINER, false))).path("allowed").asBoolean()).isFalse();

        JsonNode self = json(send("admin", "POST", check, "{\"action\":\"Microsoft.Authorization/roleAssignments/write\"}"));
        assertThat(self.path("principalId").asText()).isEqualTo(id("admin"));
        assertThat(self.path("scope").asText()).isEqualTo("/subscriptions/s1");
        assertThat(self.path("allowed").asBoolean()).isTrue();

        assertThat(errorCode(send("admin", "POST", check, checkBody(id("scientist"), SCORE, ResourceId.subscription("s2"), false))))
                .isEqualTo("InvalidRequestContent");
        assertThat(errorCode(send("admin", "POST", check, "{\"principalId\":\"x\"}"))).isEqualTo("InvalidRequestContent");
        assertThat(send("target", "POST", check, checkBody(id("scientist"), SCORE, EP, false)).statusCode()).as("needs roleAssignments/read").isEqualTo(403);
    }

    private static String roleBody(String roleName, ResourceId... scopes) {
        StringBuilder assignable = new StringBuilder();
        for (ResourceId scope : scopes) {
            assignable.append(assignable.isEmpty() ? "" : ",").append('"').append(scope).append('"');
        }
        return "{\"properties\":{\"roleName\":\"" + roleName + "\",\"description\":\"scores endpoints\",\"type\":\"CustomRole\","
                + "\"permissions\":[{\"actions\":[\"" + SCORE + "\"],\"notActions\":[],\"dataActions\":[],\"notDataActions\":[]}],"
                + "\"assignableScopes\":[" + assignable + "]}}";
    }

    private static String assignmentBody(String roleDefinitionId, String principalId) {
        return "{\"properties\":{\"roleDefinitionId\":\"" + roleDefinitionId + "\",\"principalId\":\"" + principalId + "\",\"principalType\":\"User\"}}";
    }

    private static String checkBody(String principalId, String action, ResourceId scope, boolean dataAction) {
        return "{\"principalId\":\"" + principalId + "\",\"action\":\"" + action + "\",\"scope\":\"" + scope + "\",\"dataAction\":" + dataAction + "}";
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode item : list.path("value")) {
            if (item.path("name").asText().equals(name)) {
                return item;
            }
        }
        throw new AssertionError(name + " is not in " + list);
    }

    private static List<String> ids(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response).path("value").findValuesAsText("id").stream().filter(id -> id.contains("/roleAssignments/")).toList();
    }

    private static String encode(String filter) {
        return URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    private static String errorCode(HttpResponse<String> response) throws Exception {
        return json(response).path("error").path("code").asText();
    }

    private static String message(HttpResponse<String> response) throws Exception {
        return json(response).path("error").path("message").asText();
    }

    private static HttpResponse<String> send(String principal, String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        String separator = path.contains("?") ? "&" : "?";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path + separator + "api-version=2022-04-01"))
                .method(method, publisher)
                .header("Content-Type", "application/json")
                .header("x-test-principal", principal)
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The part of the server's management pipeline these routes rely on: match, identify the caller, check the route's action at its scope, run. */
    private static final class Router extends Handler.Abstract {
        private final List<Route> routes;
        private final Authorizer authorizer;

        Router(List<Route> routes, Authorizer authorizer) {
            this.routes = routes;
            this.authorizer = authorizer;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getDecodedPath();
            for (Route route : routes) {
                Optional<Map<String, String>> params = route.match(request.getMethod(), path);
                if (params.isPresent()) {
                    Caller caller = RbacFixture.caller(request.getHeaders().get("x-test-principal"));
                    try {
                        ResourceId scope = ResourceId.parse(route.scope().apply(params.get()));
                        if (authorizer.check(caller, route.action(), scope) instanceof Decision.Denied denied) {
                            throw new EnclaveException(ErrorCode.AuthorizationFailed, "the client '" + caller.displayName() + "' with object id '"
                                    + caller.objectId() + "' does not have authorization to perform action '" + route.action() + "' over scope '" + scope
                                    + "': " + denied.reason());
                        }
                        route.handler().handle(new Call(request, response, callback, params.get(), Optional.of(caller), "test-request"));
                    } catch (EnclaveException e) {
                        // As the server's front does: an unread body would end the kept-alive connection the next request reuses.
                        Http.drainBody(request, response);
                        Http.sendError(response, callback, e);
                    } catch (Exception e) {
                        callback.failed(e);
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
