package enclave.cli.role;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.http.ApiResponse;
import enclave.cli.http.ManagementClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Role definitions over ARM ({@code {scope}/providers/Microsoft.Authorization/roleDefinitions}): listing with the
 * server's {@code $filter} (and the same filter again here, so a server that ignores it cannot widen the answer),
 * finding one role by name, GUID or id, and az's flat view of a definition.
 */
public final class RoleDefinitions {
    private final ManagementClient client;

    public RoleDefinitions(ManagementClient client) {
        this.client = client;
    }

    /**
     * {@code GET {scope}/providers/Microsoft.Authorization/roleDefinitions[?$filter=roleName eq 'X' | type eq 'CustomRole']}.
     * {@code name} matches the role name (any case) or the definition's GUID.
     */
    public List<JsonNode> list(String scope, Optional<String> name, boolean customOnly) {
        String path = Scopes.definitions(scope);
        Optional<String> guid = name.map(String::strip).filter(n -> RoleDefinitionInput.GUID.matcher(n).matches());
        if (guid.isPresent()) {
            // by id first: a custom role assignable only below this scope is not listed here, but it is found by its id
            Optional<JsonNode> byId = client.find(path + "/" + guid.get());
            if (byId.isPresent()) {
                return byId.filter(definition -> !customOnly || isCustom(definition)).stream().toList();
            }
        }
        Optional<String> byName = name.map(String::strip).filter(n -> guid.isEmpty());
        if (byName.isPresent()) {
            path += "?$filter=" + encode("roleName eq '" + byName.get().replace("'", "''") + "'");
        } else if (customOnly) {
            path += "?$filter=" + encode("type eq 'CustomRole'");
        }
        return client.list(path).stream()
                .filter(definition -> name.isEmpty() || named(definition, name.get().strip()))
                .filter(definition -> !customOnly || isCustom(definition))
                .toList();
    }

    /**
     * The one role {@code role} names at {@code scope}: a role name, a GUID, or a role definition id. None, or more than
     * one with that name, is a clear error.
     */
    public JsonNode resolve(String role, String scope) {
        String wanted = role.strip();
        if (wanted.startsWith("/")) {
            if (!RoleDefinitionInput.isRoleId(wanted)) {
                throw CliException.user("--role '" + role + "' is not a role definition id (.../providers/Microsoft.Authorization/roleDefinitions/{guid})");
            }
            wanted = wanted.substring(wanted.lastIndexOf('/') + 1);
        }
        return one(list(scope, Optional.of(wanted), false), role, scope);
    }

    /** Exactly one match, or why not. */
    static JsonNode one(List<JsonNode> matches, String role, String scope) {
        if (matches.isEmpty()) {
            throw new CliException("RoleDefinitionNotFound", "no role '" + role + "' can be assigned at " + scope
                    + "; list the roles with: enclave role definition list --scope " + scope);
        }
        if (matches.size() > 1) {
            throw new CliException("AmbiguousRoleDefinition", matches.size() + " roles are called '" + role + "' at " + scope
                    + "; name one by its id: " + String.join(", ", matches.stream().map(m -> m.path("id").asText()).toList()));
        }
        return matches.getFirst();
    }

    /** {@code PUT {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}}; the role as stored. */
    public JsonNode put(String scope, String guid, JsonNode body) {
        String path = Scopes.definitions(scope) + "/" + guid;
        ApiResponse response = client.put(path, body);
        return response.body().path("properties").isObject() ? response.body() : client.get(path);
    }

    /** {@code DELETE {id}} of a definition the server listed. */
    public void delete(JsonNode definition, String scope) {
        String id = definition.path("id").asText("");
        client.delete(id.isEmpty() ? Scopes.definitions(scope) + "/" + definition.path("name").asText() : id);
    }

    /** az's view: {@code id, name, roleName, roleType, description, permissions, assignableScopes, type}. */
    public static ObjectNode flatten(JsonNode arm) {
        JsonNode properties = arm.path("properties");
        ObjectNode flat = JsonNodeFactory.instance.objectNode();
        flat.put("id", arm.path("id").asText(""));
        flat.put("name", arm.path("name").asText(""));
        flat.put("roleName", properties.path("roleName").asText(""));
        flat.put("roleType", properties.path("type").asText(properties.path("roleType").asText("")));
        flat.put("description", properties.path("description").asText(""));
        flat.set("permissions", properties.path("permissions").isArray() ? properties.get("permissions").deepCopy()
                : JsonNodeFactory.instance.arrayNode());
        flat.set("assignableScopes", properties.path("assignableScopes").isArray() ? properties.get("assignableScopes").deepCopy()
                : JsonNodeFactory.instance.arrayNode());
        flat.put("type", arm.path("type").asText("Microsoft.Authorization/roleDefinitions"));
        return flat;
    }

    public static boolean isCustom(JsonNode arm) {
        JsonNode properties = arm.path("properties");
        return properties.path("type").asText(properties.path("roleType").asText("")).equalsIgnoreCase("CustomRole");
    }

    public static String roleName(JsonNode arm) {
        return arm.path("properties").path("roleName").asText("");
    }

    private static boolean named(JsonNode definition, String name) {
        return roleName(definition).equalsIgnoreCase(name) || definition.path("name").asText("").equalsIgnoreCase(name);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
