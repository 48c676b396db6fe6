package enclave.authz.role;

import enclave.core.ResourceId;
import java.util.List;
import java.util.Objects;

/**
 * A role: what its holders may do and where it may be assigned.
 *
 * @param id the ARM id: {@code /providers/Microsoft.Authorization/roleDefinitions/{name}} for built-in roles (they exist in
 *     every subscription), {@code /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{name}} for custom ones
 * @param name the role's GUID, lower-case
 * @param assignableScopes resource ids (custom roles) or {@code /} (built-in roles: everywhere)
 */
public record RoleDefinition(String id, String name, String roleName, String description, RoleType type, List<Permission> permissions,
        List<String> assignableScopes) {
    public static final String TYPE = "Microsoft.Authorization/roleDefinitions";
    /** The assignable scope of built-in roles: the root of every tenant. */
    public static final String ROOT = "/";

    public RoleDefinition {
        if (!Guids.isGuid(name)) {
            throw new IllegalArgumentException("a role definition is named by a GUID: " + name);
        }
        name = name.toLowerCase(java.util.Locale.ROOT);
        if (id == null || !id.toLowerCase(java.util.Locale.ROOT).endsWith("/providers/microsoft.authorization/roledefinitions/" + name)) {
            throw new IllegalArgumentException("role definition id " + id + " does not end with its name " + name);
        }
        if (roleName == null || roleName.isBlank()) {
            throw new IllegalArgumentException("role " + name + " needs a roleName");
        }
        description = Objects.requireNonNullElse(description, "");
        Objects.requireNonNull(type, "type");
        permissions = List.copyOf(permissions);
        assignableScopes = List.copyOf(assignableScopes);
        if (assignableScopes.isEmpty()) {
            throw new IllegalArgumentException("role " + roleName + " needs at least one assignable scope");
        }
    }

    public static String tenantId(String name) {
        return "/providers/Microsoft.Authorization/roleDefinitions/" + name;
    }

    public static String subscriptionId(String subscription, String name) {
        return "/subscriptions/" + subscription + tenantId(name);
    }

    /** The id as ARM shows it to a caller in {@code subscription} (Azure shows every role, built-in too, in the caller's subscription). */
    public String idIn(String subscription) {
        return subscriptionId(subscription, name);
    }

    /** Whether the role may be assigned at {@code scope}: it lies at or below one of the assignable scopes (by segments). */
    public boolean assignableAt(ResourceId scope) {
        for (String assignable : assignableScopes) {
            if (assignable.equals(ROOT) || scope.isWithin(ResourceId.parse(assignable))) {
                return true;
            }
        }
        return false;
    }

    /** Whether some assignable scope lies strictly below {@code scope}. */
    public boolean assignableBelow(ResourceId scope) {
        for (String assignable : assignableScopes) {
            if (!assignable.equals(ROOT)) {
                ResourceId parsed = ResourceId.parse(assignable);
                if (parsed.isWithin(scope) && !parsed.key().equals(scope.key())) {
                    return true;
                }
            }
        }
        return false;
    }
}
