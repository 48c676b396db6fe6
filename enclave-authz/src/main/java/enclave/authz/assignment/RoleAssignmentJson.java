package enclave.authz.assignment;

import java.time.Instant;

/** The ARM shape of role assignments ({@code Microsoft.Authorization/roleAssignments}), both ways. */
public final class RoleAssignmentJson {
    private RoleAssignmentJson() {}

    /** A PUT body: {@code {"properties":{"roleDefinitionId","principalId","principalType"?,"scope"?}}}. */
    public record Body(BodyProperties properties) {}

    public record BodyProperties(String roleDefinitionId, String principalId, String principalType, String scope) {}

    /** The answer: {@code {"id","name","type","properties":{...}}}. */
    public record Arm(String id, String name, String type, ArmProperties properties) {}

    public record ArmProperties(String roleDefinitionId, String principalId, String principalType, String scope, Instant createdOn, String createdBy) {}

    public static Arm toArm(RoleAssignment assignment) {
        return new Arm(assignment.id(), assignment.name(), RoleAssignment.TYPE, new ArmProperties(assignment.roleDefinitionId(), assignment.principalId(),
                assignment.principalType(), assignment.scope().toString(), assignment.createdOn(), assignment.createdBy()));
    }
}
