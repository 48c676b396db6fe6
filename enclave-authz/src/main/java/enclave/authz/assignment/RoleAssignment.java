package enclave.authz.assignment;

import enclave.authz.role.Guids;
import enclave.authz.role.RoleDefinitions;
import enclave.core.ResourceId;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One grant: a principal holds a role at a scope (and, by inheritance, everywhere below it).
 *
 * @param id {@code {scope}/providers/Microsoft.Authorization/roleAssignments/{name}} (an extension id, which {@link ResourceId}
 *     cannot hold, hence a string)
 * @param name the assignment's GUID, lower-case
 * @param principalId the object id of the principal holding the role, lower-case
 * @param roleDefinitionId {@code /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}}
 * @param principalType {@code User} or {@code ServicePrincipal} (Azure shows managed identities as service principals)
 * @param createdBy the object id of the principal that made the assignment
 */
public record RoleAssignment(String id, String name, ResourceId scope, String roleDefinitionId, String principalId, String principalType,
        Instant createdOn, String createdBy) {
    public static final String TYPE = "Microsoft.Authorization/roleAssignments";

    public RoleAssignment {
        if (!Guids.isGuid(name)) {
            throw new IllegalArgumentException("a role assignment is named by a GUID: " + name);
        }
        name = name.toLowerCase(Locale.ROOT);
        Objects.requireNonNull(scope, "scope");
        if (id == null || !id.equalsIgnoreCase(idOf(scope, name))) {
            throw new IllegalArgumentException("role assignment id " + id + " is not " + idOf(scope, name));
        }
        if (RoleDefinitions.nameOf(roleDefinitionId).isEmpty()) {
            throw new IllegalArgumentException("not a role definition id: " + roleDefinitionId);
        }
        requireText(principalId, "principalId");
        principalId = principalId.toLowerCase(Locale.ROOT);
        requireText(principalType, "principalType");
        Objects.requireNonNull(createdOn, "createdOn");
        requireText(createdBy, "createdBy");
    }

    public static String idOf(ResourceId scope, String name) {
        return scope + "/providers/Microsoft.Authorization/roleAssignments/" + name;
    }

    /** The GUID of the assigned role. */
    public String roleDefinitionName() {
        return RoleDefinitions.nameOf(roleDefinitionId).orElseThrow();
    }

    /** Whether this assignment grants {@code role} to {@code principal} at exactly {@code scope} (ids compared case-insensitively). */
    public boolean grants(String principal, String roleName, ResourceId at) {
        return principalId.equalsIgnoreCase(principal) && roleDefinitionName().equals(roleName.toLowerCase(Locale.ROOT)) && scope.key().equals(at.key());
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a role assignment needs " + what);
        }
    }
}
