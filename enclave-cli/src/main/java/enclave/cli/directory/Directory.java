package enclave.cli.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.http.ManagementClient;
import enclave.cli.http.ServerConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenant's directory on the management listener ({@code /{tenant}/directory/...}): service principals, users,
 * and one lookup that finds any principal by object id, app id, user principal name or display name.
 */
public final class Directory {
    private final ManagementClient client;
    private final String base;

    public Directory(ServerConnection connection) {
        this.client = connection.management();
        this.base = "/" + connection.tenant() + "/directory";
    }

    /** The kinds of principal the directory holds. */
    public enum PrincipalKind {
        USER,
        SERVICE_PRINCIPAL,
        MANAGED_IDENTITY;

        /** The {@code principalType} of a role assignment: ARM counts managed identities as service principals. */
        public String assignmentType() {
            return switch (this) {
                case USER -> "User";
                case SERVICE_PRINCIPAL, MANAGED_IDENTITY -> "ServicePrincipal";
            };
        }
    }

    /** One principal as the directory describes it. */
    public record Principal(String objectId, String displayName, Optional<String> appId, Optional<String> userPrincipalName, PrincipalKind kind) {
        /** The name az shows as an assignment's {@code principalName}: the user principal name, else the app id. */
        public String name() {
            return userPrincipalName.or(() -> appId).orElse(displayName);
        }

        public static Principal parse(JsonNode json) {
            String objectId = json.path("objectId").asText("");
            if (objectId.isEmpty()) {
                throw new CliException("InvalidResponse", "the directory answered a principal without an objectId: " + json);
            }
            String type = json.path("type").asText("");
            PrincipalKind kind = switch (type) {
                case "User" -> PrincipalKind.USER;
                case "ServicePrincipal" -> PrincipalKind.SERVICE_PRINCIPAL;
                case "ManagedIdentity" -> PrincipalKind.MANAGED_IDENTITY;
                default -> throw new CliException("InvalidResponse", "the directory answered principal " + objectId
                        + " with type '" + type + "'; this CLI knows User, ServicePrincipal and ManagedIdentity");
            };
            return new Principal(objectId, json.path("displayName").asText(""), text(json, "appId"), text(json, "userPrincipalName"), kind);
        }
    }

    /** {@code GET /{tenant}/directory/principals/{idOrName}}; a principal that does not exist is a clear error. */
    public Principal resolve(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            throw CliException.usage("--assignee must name a user or service principal");
        }
        return Principal.parse(lookup(idOrName.strip()).orElseThrow(() -> new CliException("PrincipalNotFound",
                "no user, service principal or managed identity '" + idOrName.strip()
                        + "' in the directory (give an object id, app id, user principal name or display name)")));
    }

    /** The raw directory entry of a principal, if there is one. */
    public Optional<JsonNode> lookup(String idOrName) {
        return client.find(base + "/principals/" + segment(idOrName));
    }

    /** {@code GET /{tenant}/directory/servicePrincipals} */
    public List<JsonNode> servicePrincipals() {
        return client.list(base + "/servicePrincipals");
    }

    /** {@code GET /{tenant}/directory/users} */
    public List<JsonNode> users() {
        return client.list(base + "/users");
    }

    /** {@code POST /{tenant}/directory/servicePrincipals {"displayName"}}: the answer holds the secret, shown once. */
    public JsonNode createServicePrincipal(String displayName) {
        return client.post(base + "/servicePrincipals", JsonNodeFactory.instance.objectNode().put("displayName", displayName)).body();
    }

    /** {@code POST /{tenant}/directory/users {"userPrincipalName","displayName","password"}} */
    public JsonNode createUser(String userPrincipalName, String displayName, String password) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("userPrincipalName", userPrincipalName)
                .put("displayName", displayName)
                .put("password", password);
        return client.post(base + "/users", body).body();
    }

    /** A directory entry as az shows Graph objects: {@code id} (the object id) first, then the rest. */
    public static ObjectNode shown(JsonNode entry) {
        ObjectNode shown = JsonNodeFactory.instance.objectNode();
        if (entry.hasNonNull("objectId")) {
            shown.put("id", entry.get("objectId").asText());
        }
        for (Map.Entry<String, JsonNode> field : entry.properties()) {
            shown.set(field.getKey(), field.getValue());
        }
        return shown;
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Optional<String> text(JsonNode json, String field) {
        return Optional.ofNullable(json.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText).filter(value -> !value.isEmpty());
    }
}
