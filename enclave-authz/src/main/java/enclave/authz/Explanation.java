package enclave.authz;

import enclave.authz.assignment.RoleAssignment;
import enclave.authz.role.RoleDefinition;
import enclave.core.ResourceId;
import java.util.List;
import java.util.Optional;

/**
 * Why a principal may or may not perform an action at a scope: the assignment that granted it, and every assignment at the
 * scope or above that was considered, nearest scope first. {@code ./enclave role check} shows this.
 */
public record Explanation(String principalId, String action, ResourceId scope, boolean dataAction, Optional<Grant> grantedBy,
        List<Consideration> considered) {

    public Explanation {
        considered = List.copyOf(considered);
    }

    /** What one assignment did for the request. */
    public enum Outcome {
        /** A permission block's actions (or dataActions) match and its notActions do not. */
        GRANTS,
        /** A block matched, but its own notActions (or notDataActions) take the action out again. */
        EXCLUDES,
        /** No block of the role names the action. */
        DOES_NOT_MATCH,
        /** The assignment names a role definition that no longer exists. */
        ROLE_MISSING
    }

    /** The assignment that allowed the action, its role, and the pattern that matched. */
    public record Grant(RoleAssignment assignment, RoleDefinition role, String pattern) {}

    /** One assignment that applies at the scope, and what it did. */
    public record Consideration(RoleAssignment assignment, Optional<RoleDefinition> role, Outcome outcome, String detail) {}

    public boolean allowed() {
        return grantedBy.isPresent();
    }

    /** One sentence for people: which role granted it, or what every applicable role did instead. */
    public String reason() {
        if (grantedBy.isPresent()) {
            return considered.stream().filter(c -> c.outcome() == Outcome.GRANTS).findFirst().map(Consideration::detail).orElseThrow();
        }
        if (considered.isEmpty()) {
            return "no role assignment of principal '" + principalId + "' at " + scope + " or above";
        }
        return "no role assignment of principal '" + principalId + "' at " + scope + " or above grants it: "
                + String.join("; ", considered.stream().map(Consideration::detail).toList());
    }

    public Decision decision() {
        return allowed() ? new Decision.Allowed(reason()) : new Decision.Denied(reason());
    }
}
