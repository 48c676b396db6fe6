package enclave.cli.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.core.EnclaveException;
import enclave.core.Names;
import enclave.core.ResourceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Endpoint YAML ↔ ARM. {@link #validate} checks everything a file can get wrong before anything is sent;
 * {@link #toArm} writes the ARM body; {@link #toYaml} turns a resource from the server back into YAML
 * names, so {@code update} can apply {@code --set} to what exists.
 */
public final class EndpointMapping {
    private static final Map<String, String> AUTH_MODES = Map.of("key", "Key", "aml_token", "AMLToken", "aad_token", "AADToken");
    private static final Map<String, String> IDENTITY_TYPES = Map.of(
            "system_assigned", "SystemAssigned", "user_assigned", "UserAssigned", "none", "None");
    private static final int MAX_MIRROR_PERCENT = 50;

    private EndpointMapping() {}

    public static Endpoint validate(EndpointYaml yaml) {
        String name = online("endpoint", yaml.name());
        String authMode = choice("auth_mode", yaml.authMode(), AUTH_MODES, "key");

        // Empty: the YAML names no identity, and the platform applies its default (the server decides, as ARM does).
        String identityType = "";
        List<String> userAssigned = new ArrayList<>();
        if (yaml.identity() != null) {
            identityType = identityType(yaml.identity().type());
            List<EndpointYaml.UserAssignedIdentity> identities = yaml.identity().userAssignedIdentities() == null ? List.of()
                    : yaml.identity().userAssignedIdentities();
            for (int i = 0; i < identities.size(); i++) {
                String field = "identity.user_assigned_identities[" + i + "].resource_id";
                String id = identities.get(i) == null ? null : identities.get(i).resourceId();
                if (id == null || id.isBlank()) {
                    throw CliException.user(field + " is required");
                }
                try {
                    ResourceId parsed = ResourceId.parse(id);
                    if (!parsed.type().equalsIgnoreCase("Microsoft.ManagedIdentity/userAssignedIdentities")) {
                        throw CliException.user(field + " '" + id + "' is not a user-assigned identity "
                                + "(/subscriptions/.../resourceGroups/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME)");
                    }
                } catch (EnclaveException e) {
                    throw CliException.user(field + ": " + e.getMessage());
                }
                userAssigned.add(id);
            }
            boolean wantsUserAssigned = identityType.contains("UserAssigned");
            if (wantsUserAssigned && userAssigned.isEmpty()) {
                throw CliException.user("identity.type user_assigned needs identity.user_assigned_identities with at least one resource_id");
            }
            if (!wantsUserAssigned && !userAssigned.isEmpty()) {
                throw CliException.user("identity.user_assigned_identities is only allowed with identity.type user_assigned");
            }
        }

        String publicNetworkAccess = choice("public_network_access", yaml.publicNetworkAccess(),
                Map.of("enabled", "Enabled", "disabled", "Disabled"), "enabled");
        Optional<Map<String, Integer>> traffic = Optional.ofNullable(yaml.traffic()).map(t -> weights("traffic", t, 100));
        traffic.ifPresent(EndpointMapping::checkTrafficSum);
        Optional<Map<String, Integer>> mirror = Optional.ofNullable(yaml.mirrorTraffic()).map(t -> weights("mirror_traffic", t, MAX_MIRROR_PERCENT));
        mirror.ifPresent(m -> checkMirror(m, traffic.orElse(Map.of())));
        String kind = choice("kind", yaml.kind(), Map.of("managed", "Managed"), "managed");
        return new Endpoint(name, Optional.ofNullable(yaml.description()), yaml.tags() == null ? Map.of() : yaml.tags(),
                authMode, identityType, userAssigned, publicNetworkAccess, traffic, mirror, kind);
    }

    public static ObjectNode toArm(Endpoint endpoint, String location) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode body = json.objectNode();
        body.put("location", location);
        body.set("tags", strings(endpoint.tags()));
        body.put("kind", endpoint.kind());
        if (!endpoint.identityType().isEmpty()) {
            ObjectNode identity = body.putObject("identity");
            identity.put("type", endpoint.identityType());
            if (!endpoint.userAssignedIdentities().isEmpty()) {
                ObjectNode ids = identity.putObject("userAssignedIdentities");
                endpoint.userAssignedIdentities().forEach(id -> ids.putObject(id));
            }
        }
        ObjectNode properties = body.putObject("properties");
        properties.put("authMode", endpoint.authMode());
        endpoint.description().ifPresent(description -> properties.put("description", description));
        properties.put("publicNetworkAccess", endpoint.publicNetworkAccess());
        endpoint.traffic().ifPresent(traffic -> properties.set("traffic", weights(traffic)));
        endpoint.mirrorTraffic().ifPresent(mirror -> properties.set("mirrorTraffic", weights(mirror)));
        return body;
    }

    /**
     * An endpoint resource from the server in YAML names: what a user can set, plus the identity's read-only
     * {@code principal_id}/{@code tenant_id}/{@code client_id} (Azure's YAML schema has them; sending them back changes nothing).
     */
    public static ObjectNode toYaml(JsonNode arm) {
        ObjectNode yaml = JsonNodeFactory.instance.objectNode();
        JsonNode properties = arm.path("properties");
        yaml.put("name", arm.path("name").asText());
        copyText(properties, "description", yaml, "description");
        if (arm.path("tags").isObject()) {
            yaml.set("tags", arm.get("tags").deepCopy());
        }
        String authMode = properties.path("authMode").asText("");
        AUTH_MODES.forEach((yamlName, armName) -> {
            if (armName.equalsIgnoreCase(authMode)) {
                yaml.put("auth_mode", yamlName);
            }
        });
        JsonNode identity = arm.path("identity");
        if (identity.hasNonNull("type")) {
            ObjectNode yamlIdentity = yaml.putObject("identity");
            List<String> types = new ArrayList<>();
            for (String type : identity.get("type").asText().split(",")) {
                IDENTITY_TYPES.forEach((yamlName, armName) -> {
                    if (armName.equalsIgnoreCase(type.strip())) {
                        types.add(yamlName);
                    }
                });
            }
            yamlIdentity.put("type", String.join(",", types));
            copyText(identity, "principalId", yamlIdentity, "principal_id");
            copyText(identity, "tenantId", yamlIdentity, "tenant_id");
            if (identity.path("userAssignedIdentities").isObject() && !identity.get("userAssignedIdentities").isEmpty()) {
                var list = yamlIdentity.putArray("user_assigned_identities");
                identity.get("userAssignedIdentities").fields().forEachRemaining(entry -> {
                    ObjectNode item = list.addObject().put("resource_id", entry.getKey());
                    copyText(entry.getValue(), "principalId", item, "principal_id");
                    copyText(entry.getValue(), "clientId", item, "client_id");
                });
            }
        }
        if (properties.hasNonNull("publicNetworkAccess")) {
            yaml.put("public_network_access", properties.get("publicNetworkAccess").asText().toLowerCase(Locale.ROOT));
        }
        if (properties.path("traffic").isObject()) {
            yaml.set("traffic", properties.get("traffic").deepCopy());
        }
        if (properties.path("mirrorTraffic").isObject()) {
            yaml.set("mirror_traffic", properties.get("mirrorTraffic").deepCopy());
        }
        if (arm.hasNonNull("kind")) {
            yaml.put("kind", arm.get("kind").asText().toLowerCase(Locale.ROOT));
        }
        return yaml;
    }

    static String online(String kind, String name) {
        if (name == null || name.isBlank()) {
            throw CliException.user(kind + " name is required: set name in the file or pass -n NAME");
        }
        try {
            return Names.onlineName(kind, name);
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
    }

    /** A case-insensitive choice from YAML mapped to its ARM spelling, or the default when absent. */
    public static String choice(String field, String value, Map<String, String> allowed, String fallback) {
        String key = (value == null || value.isBlank() ? fallback : value.strip()).toLowerCase(Locale.ROOT);
        String mapped = allowed.get(key);
        if (mapped == null) {
            throw CliException.user(field + " '" + value + "' is not valid; use one of " + String.join(", ", new TreeSet<>(allowed.keySet())));
        }
        return mapped;
    }

    private static String identityType(String type) {
        if (type == null || type.isBlank()) {
            throw CliException.user("identity.type is required: use system_assigned, user_assigned or none");
        }
        Set<String> types = new LinkedHashSet<>();
        for (String part : type.split(",")) {
            types.add(choice("identity.type", part, IDENTITY_TYPES, "none"));
        }
        if (types.contains("None") && types.size() > 1) {
            throw CliException.user("identity.type '" + type + "' mixes none with other types");
        }
        return String.join(",", types);
    }

    private static Map<String, Integer> weights(String field, Map<String, Integer> weights, int max) {
        Map<String, Integer> checked = new LinkedHashMap<>();
        weights.forEach((deployment, weight) -> {
            online("deployment", deployment);
            if (weight == null || weight < 0 || weight > max) {
                throw CliException.user(field + "." + deployment + " must be a whole number from 0 to " + max + ", not " + weight);
            }
            checked.put(deployment, weight);
        });
        return checked;
    }

    /** Azure's rule: live traffic weights add up to 100, or to 0 when nothing takes traffic yet. */
    public static void checkTrafficSum(Map<String, Integer> traffic) {
        int sum = traffic.values().stream().mapToInt(Integer::intValue).sum();
        if (sum != 0 && sum != 100) {
            throw new CliException("InvalidTraffic", "traffic weights must add up to 100 (or all be 0), but " + traffic + " adds up to " + sum);
        }
    }

    /** Azure's rules: one shadow deployment, at most 50 %, and never one that also takes live traffic. */
    private static void checkMirror(Map<String, Integer> mirror, Map<String, Integer> traffic) {
        List<String> mirrored = mirror.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList();
        if (mirrored.size() > 1) {
            throw new CliException("InvalidTraffic", "mirror_traffic can mirror to one deployment only, not " + mirrored);
        }
        for (String deployment : mirrored) {
            if (traffic.getOrDefault(deployment, 0) > 0) {
                throw new CliException("InvalidTraffic", "deployment '" + deployment
                        + "' cannot take both live and mirrored traffic; set its traffic to 0 first");
            }
        }
    }

    private static ObjectNode weights(Map<String, Integer> weights) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        weights.forEach(node::put);
        return node;
    }

    private static ObjectNode strings(Map<String, String> values) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        values.forEach(node::put);
        return node;
    }

    private static void copyText(JsonNode from, String field, ObjectNode to, String name) {
        if (from.hasNonNull(field)) {
            to.put(name, from.get(field).asText());
        }
    }
}
