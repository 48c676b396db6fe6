package enclave.authz.role;

import com.fasterxml.jackson.annotation.JsonAlias;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.List;

/** The ARM shape of role definitions ({@code Microsoft.Authorization/roleDefinitions}), both ways. */
public final class RoleDefinitionJson {
    private RoleDefinitionJson() {}

    /** A PUT body: {@code {"name"?, "properties":{"roleName","description","type","permissions","assignableScopes"}}}. */
    public record Body(String name, BodyProperties properties) {}

    public record BodyProperties(String roleName, String description, @JsonAlias("roleType") String type, List<PermissionBody> permissions,
            List<String> assignableScopes) {}

    public record PermissionBody(List<String> actions, List<String> notActions, List<String> dataActions, List<String> notDataActions) {}

    /** The answer: {@code {"id","name","type","properties":{...}}}. */
    public record Arm(String id, String name, String type, ArmProperties properties) {}

    public record ArmProperties(String roleName, String description, String type, List<Permission> permissions, List<String> assignableScopes) {}

    /** The role as a caller in {@code subscription} sees it (built-in roles carry that subscription in their id, as in Azure). */
    public static Arm toArm(RoleDefinition role, String subscription) {
        String id = role.type() == RoleType.BuiltInRole ? role.idIn(subscription) : role.id();
        return new Arm(id, role.name(), RoleDefinition.TYPE,
                new ArmProperties(role.roleName(), role.description(), role.type().name(), role.permissions(), role.assignableScopes()));
    }

    /** Reads a PUT body into a custom role, checking that it names {@code name} (if it names anything) and is not built-in. */
    public static CustomRole toCustomRole(Body body, String name) {
        if (body.properties() == null) {
            throw invalid("the body needs 'properties' with roleName, permissions and assignableScopes");
        }
        if (body.name() != null && !body.name().equalsIgnoreCase(name)) {
            throw invalid("the body names role definition '" + body.name() + "' but the URL names '" + name + "'");
        }
        BodyProperties properties = body.properties();
        if (properties.type() != null && !properties.type().equalsIgnoreCase(RoleType.CustomRole.name())) {
            throw invalid("only custom roles can be created ('type' is '" + properties.type() + "'; use 'CustomRole' or leave it out)");
        }
        List<Permission> permissions = properties.permissions() == null ? List.of()
                : properties.permissions().stream().map(RoleDefinitionJson::permission).toList();
        return new CustomRole(properties.roleName(), properties.description(), permissions, properties.assignableScopes());
    }

    private static Permission permission(PermissionBody body) {
        if (body == null) {
            throw invalid("'permissions' holds an empty entry");
        }
        return new Permission(operations(body.actions(), "actions"), operations(body.notActions(), "notActions"),
                operations(body.dataActions(), "dataActions"), operations(body.notDataActions(), "notDataActions"));
    }

    private static List<String> operations(List<String> operations, String field) {
        if (operations == null) {
            return List.of();
        }
        if (operations.stream().anyMatch(operation -> operation == null || operation.isBlank())) {
            throw invalid("'" + field + "' holds an empty entry");
        }
        return operations.stream().map(String::strip).toList();
    }

    private static EnclaveException invalid(String message) {
        return new EnclaveException(ErrorCode.InvalidRequestContent, message);
    }
}
