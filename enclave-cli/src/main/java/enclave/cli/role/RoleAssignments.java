package enclave.cli.role;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.directory.Directory;
import enclave.cli.http.ApiResponse;
import enclave.cli.http.ManagementClient;
import enclave.cli.http.ServerConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Role assignments over ARM ({@code {scope}/providers/Microsoft.Authorization/roleAssignments}) and az's flat view of
 * them, with the principal's and the role's names filled in as {@code az role assignment list} shows them.
 */
public final class RoleAssignments {
    private final ManagementClient client;
    private final Directory directory;
    private final RoleDefinitions definitions;
    private final Consumer<String> debug;

    public RoleAssignments(ServerConnection connection, Consumer<String> debug) {
        this.client = connection.management();
        this.directory = new Directory(connection);
        this.definitions = new RoleDefinitions(connection.management());
        this.debug = debug;
    }

    /**
     * {@code PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{new guid}} with
     * {@code {"properties":{"roleDefinitionId","principalId","principalType"}}}; the assignment as az shows it.
     */
    public ObjectNode create(Directory.Principal principal, JsonNode role, String scope) {
        String path = Scopes.assignments(scope) + "/" + UUID.randomUUID();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("properties")
                .put("roleDefinitionId", role.path("id").asText())
                .put("principalId", principal.objectId())
                .put("principalType", principal.kind().assignmentType());
        ApiResponse response = client.put(path, body);
        JsonNode created = response.body().path("properties").isObject() ? response.body() : client.get(path);
        ObjectNode flat = flatten(created);
        flat.put("principalName", principal.name());
        flat.put("roleDefinitionName", RoleDefinitions.roleName(role));
        return reorder(flat);
    }

    /** {@code GET {scope}/providers/Microsoft.Authorization/roleAssignments[?$filter=principalId eq 'x']}: at, above and below the scope. */
    public List<ObjectNode> list(String scope, Optional<Directory.Principal> principal) {
        String path = Scopes.assignments(scope) + principal.map(p -> "?$filter=principalId%20eq%20'" + p.objectId() + "'").orElse("");
        return client.list(path).stream()
                .map(RoleAssignments::flatten)
                .filter(assignment -> principal.isEmpty() || assignment.path("principalId").asText().equalsIgnoreCase(principal.get().objectId()))
                .toList();
    }

    /** {@code DELETE {id}} */
    public void delete(String id) {
        client.delete(id);
    }

    /**
     * Adds {@code roleDefinitionName} and {@code principalName} where the server left them out. Names are a
     * convenience: when a lookup is refused, the assignments are shown without them.
     */
    public List<ObjectNode> named(List<ObjectNode> assignments, String scope) {
        Map<String, String> roleNames = new HashMap<>();
        Map<String, String> principalNames = new HashMap<>();
        try {
            definitions.list(scope, Optional.empty(), false)
                    .forEach(definition -> roleNames.put(guid(definition.path("id").asText()), RoleDefinitions.roleName(definition)));
            for (ObjectNode assignment : assignments) {
                String role = guid(assignment.path("roleDefinitionId").asText());
                if (!roleNames.containsKey(role)) {
                    roleNames.put(role, client.find(assignment.path("roleDefinitionId").asText()).map(RoleDefinitions::roleName).orElse(""));
                }
            }
            directory.servicePrincipals().forEach(entry -> principalNames.put(key(entry.path("objectId").asText()),
                    entry.path("appId").asText(entry.path("displayName").asText())));
            directory.users().forEach(entry -> principalNames.put(key(entry.path("objectId").asText()),
                    entry.path("userPrincipalName").asText(entry.path("displayName").asText())));
        } catch (CliException e) {
            debug.accept("names of roles or principals are not shown: " + e.getMessage());
        }
        return assignments.stream().map(assignment -> {
            ObjectNode shown = assignment.deepCopy();
            String principalName = principalNames.get(key(assignment.path("principalId").asText()));
            if (!shown.hasNonNull("principalName") && principalName != null) {
                shown.put("principalName", principalName);
            }
            String roleName = roleNames.get(guid(assignment.path("roleDefinitionId").asText()));
            if (!shown.hasNonNull("roleDefinitionName") && roleName != null && !roleName.isEmpty()) {
                shown.put("roleDefinitionName", roleName);
            }
            return reorder(shown);
        }).toList();
    }

    /** az's view: {@code id, name, principalId, principalName?, principalType, roleDefinitionId, roleDefinitionName?, scope, type}. */
    public static ObjectNode flatten(JsonNode arm) {
        JsonNode properties = arm.path("properties");
        ObjectNode flat = JsonNodeFactory.instance.objectNode();
        String id = arm.path("id").asText("");
        flat.put("id", id);
        flat.put("name", arm.path("name").asText(""));
        flat.put("principalId", properties.path("principalId").asText(""));
        copyText(properties, "principalName", flat);
        flat.put("principalType", properties.path("principalType").asText(""));
        flat.put("roleDefinitionId", properties.path("roleDefinitionId").asText(""));
        copyText(properties, "roleDefinitionName", flat);
        String scope = properties.path("scope").asText("");
        int provider = id.toLowerCase(Locale.ROOT).lastIndexOf("/providers/microsoft.authorization/roleassignments/");
        flat.put("scope", !scope.isEmpty() || provider < 0 ? scope : id.substring(0, provider));
        flat.put("type", arm.path("type").asText("Microsoft.Authorization/roleAssignments"));
        return flat;
    }

    private static ObjectNode reorder(ObjectNode flat) {
        ObjectNode ordered = JsonNodeFactory.instance.objectNode();
        for (String field : List.of("id", "name", "principalId", "principalName", "principalType", "roleDefinitionId", "roleDefinitionName",
                "scope", "type")) {
            if (flat.has(field)) {
                ordered.set(field, flat.get(field));
            }
        }
        return ordered;
    }

    private static void copyText(JsonNode from, String field, ObjectNode to) {
        if (from.hasNonNull(field)) {
            to.put(field, from.get(field).asText());
        }
    }

    static String guid(String id) {
        return key(id.substring(id.lastIndexOf('/') + 1));
    }

    private static String key(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
