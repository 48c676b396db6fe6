package enclave.authz.role;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a user asks for when creating or updating a custom role (the ARM body's properties; the CLI converts the
 * {@code az role definition create} file's {@code Name}, {@code Description}, {@code Actions}... into it). Validated fully here,
 * with messages that say what to fix; assignable scopes come out parsed and in their canonical spelling.
 */
public record CustomRole(String roleName, String description, List<Permission> permissions, List<String> assignableScopes) {
    private static final int MAX_NAME = 512;
    // Operation names: provider namespace, resource types and verbs separated by '/', with '*' wildcards.
    private static final Pattern OPERATION = Pattern.compile("[A-Za-z0-9.*_-]+(/[A-Za-z0-9.*_-]+)*|\\*");

    public CustomRole {
        if (roleName == null || roleName.isBlank()) {
            throw invalid("a custom role needs a roleName (the file's 'Name')");
        }
        roleName = roleName.strip();
        if (roleName.length() > MAX_NAME) {
            throw invalid("roleName is longer than " + MAX_NAME + " characters");
        }
        description = Objects.requireNonNullElse(description, "");
        if (permissions == null || permissions.isEmpty()) {
            throw invalid("role '" + roleName + "' needs permissions: at least one of Actions or DataActions");
        }
        boolean grantsSomething = false;
        for (Permission permission : permissions) {
            check(roleName, "actions", permission.actions());
            check(roleName, "notActions", permission.notActions());
            check(roleName, "dataActions", permission.dataActions());
            check(roleName, "notDataActions", permission.notDataActions());
            grantsSomething |= !permission.actions().isEmpty() || !permission.dataActions().isEmpty();
        }
        if (!grantsSomething) {
            throw invalid("role '" + roleName + "' grants nothing: give it at least one of Actions or DataActions");
        }
        permissions = List.copyOf(permissions);
        if (assignableScopes == null || assignableScopes.isEmpty()) {
            throw invalid("role '" + roleName + "' needs assignableScopes (the file's 'AssignableScopes'), e.g. [\"/subscriptions/{id}\"]");
        }
        Map<String, String> canonical = new LinkedHashMap<>();
        for (String scope : assignableScopes) {
            if (RoleDefinition.ROOT.equals(scope)) {
                throw invalid("'/' is reserved for built-in roles; name subscriptions, resource groups or resources as assignable scopes");
            }
            ResourceId parsed = ResourceId.parse(scope);
            canonical.putIfAbsent(parsed.key(), parsed.toString());
        }
        assignableScopes = List.copyOf(new ArrayList<>(canonical.values()));
    }

    /** The assignable scopes, parsed. */
    public List<ResourceId> scopes() {
        return assignableScopes.stream().map(ResourceId::parse).toList();
    }

    private static void check(String roleName, String field, List<String> operations) {
        for (String operation : operations) {
            if (!OPERATION.matcher(operation).matches()) {
                throw invalid("role '" + roleName + "' has " + field + " entry '" + operation
                        + "', which is not an operation; use names like 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/read'");
            }
        }
    }

    private static EnclaveException invalid(String message) {
        return new EnclaveException(ErrorCode.InvalidRequestContent, message);
    }
}
