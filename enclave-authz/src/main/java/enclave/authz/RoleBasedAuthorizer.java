package enclave.authz;

import enclave.authz.assignment.RoleAssignment;
import enclave.authz.assignment.RoleAssignments;
import enclave.authz.role.Permission;
import enclave.authz.role.RoleDefinition;
import enclave.authz.role.RoleDefinitions;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Azure RBAC evaluation. An action is allowed at a scope when some assignment of the caller at that scope or an ancestor
 * (by segments: {@code .../resourceGroups/rg} is not an ancestor of {@code .../resourceGroups/rg2}) has a role with a
 * permission block whose actions match it and whose own notActions do not; data actions the same with dataActions and
 * notDataActions. NotActions only carve out of their own block: another role, or another block, may still grant the action.
 *
 * <p>Reads only the in-memory snapshots of {@link RoleAssignments} and {@link RoleDefinitions}: a check never touches the
 * database, so the gateway can call it on every request.
 */
public final class RoleBasedAuthorizer implements Authorizer {
    private static final int MAX_REMEMBERED = 10_000;

    private final RoleDefinitions roles;
    private final RoleAssignments assignments;
    private final Map<Question, Answer> decisions = new ConcurrentHashMap<>();

    public RoleBasedAuthorizer(RoleDefinitions roles, RoleAssignments assignments) {
        this.roles = roles;
        this.assignments = assignments;
    }

    @Override
    public Decision check(Caller caller, String action, ResourceId scope) {
        return decide(caller.objectId(), action, scope, false);
    }

    @Override
    public Decision checkData(Caller caller, String dataAction, ResourceId scope) {
        return decide(caller.objectId(), dataAction, scope, true);
    }

    private record Question(String principalId, String action, String scopeKey, boolean dataAction) {}

    /** A decision and the assignments and roles it was made against (compared by identity: both are replaced whole on change). */
    private record Answer(Object assignmentsVersion, Object rolesVersion, Decision decision) {}

    /**
     * Decisions are remembered: an aad_token scoring client asks the same question on every request. A remembered one
     * stands only while neither the assignments nor the custom roles have changed since, so a removed role assignment
     * takes effect with the next request.
     */
    private Decision decide(String principalId, String action, ResourceId scope, boolean dataAction) {
        if (principalId == null) {
            return evaluate(null, action, scope, dataAction, true).decision();
        }
        Object assignmentsVersion = assignments.version();
        Object rolesVersion = roles.version();
        Question question = new Question(principalId, action, scope.key(), dataAction);
        Answer known = decisions.get(question);
        if (known != null && known.assignmentsVersion() == assignmentsVersion && known.rolesVersion() == rolesVersion) {
            return known.decision();
        }
        Decision decision = evaluate(principalId, action, scope, dataAction, true).decision();
        if (decisions.size() >= MAX_REMEMBERED) {
            decisions.clear();
        }
        decisions.put(question, new Answer(assignmentsVersion, rolesVersion, decision));
        return decision;
    }

    /** The whole story of a decision: what granted it, and what every applicable assignment did. */
    public Explanation explain(String principalId, String action, ResourceId scope, boolean dataAction) {
        return evaluate(principalId, action, scope, dataAction, false);
    }

    private Explanation evaluate(String principalId, String action, ResourceId scope, boolean dataAction, boolean stopAtGrant) {
        List<String> scopeKeys = scope.scopes().stream().map(ResourceId::key).toList();
        // A credential without an object id (none should reach here) holds no roles: deny rather than fail.
        List<RoleAssignment> held = principalId == null ? List.of() : assignments.ofPrincipal(principalId);
        List<RoleAssignment> applicable = held.stream()
                .filter(assignment -> scopeKeys.contains(assignment.scope().key()))
                .sorted(Comparator.comparingInt((RoleAssignment assignment) -> scopeKeys.indexOf(assignment.scope().key()))
                        .thenComparing(RoleAssignment::createdOn).thenComparing(RoleAssignment::id))
                .toList();
        List<Explanation.Consideration> considered = new ArrayList<>();
        Optional<Explanation.Grant> grant = Optional.empty();
        for (RoleAssignment assignment : applicable) {
            Optional<RoleDefinition> role = roles.byName(assignment.roleDefinitionName());
            if (role.isEmpty()) {
                considered.add(new Explanation.Consideration(assignment, Optional.empty(), Explanation.Outcome.ROLE_MISSING,
                        "role assignment " + assignment.id() + " names role definition " + assignment.roleDefinitionId() + ", which no longer exists"));
                continue;
            }
            Verdict verdict = consider(assignment, role.get(), action, dataAction);
            considered.add(verdict.consideration());
            if (verdict.grantingPattern().isPresent() && grant.isEmpty()) {
                grant = Optional.of(new Explanation.Grant(assignment, role.get(), verdict.grantingPattern().get()));
                if (stopAtGrant) {
                    break;
                }
            }
        }
        return new Explanation(principalId, action, scope, dataAction, grant, considered);
    }

    private record Verdict(Explanation.Consideration consideration, Optional<String> grantingPattern) {}

    private static Verdict consider(RoleAssignment assignment, RoleDefinition role, String action, boolean dataAction) {
        String which = dataAction ? "dataActions" : "actions";
        String notWhich = dataAction ? "notDataActions" : "notActions";
        String holder = "role '" + role.roleName() + "' at " + assignment.scope();
        Optional<String> exclusion = Optional.empty();
        for (Permission permission : role.permissions()) {
            Optional<String> granting = first(permission.granting(dataAction), action);
            if (granting.isEmpty()) {
                continue;
            }
            Optional<String> excluding = first(permission.excluding(dataAction), action);
            if (excluding.isEmpty()) {
                return new Verdict(new Explanation.Consideration(assignment, Optional.of(role), Explanation.Outcome.GRANTS,
                        holder + " grants it through " + which + " '" + granting.get() + "' (role assignment " + assignment.id() + ")"), granting);
            }
            exclusion = exclusion.or(() -> excluding);
        }
        if (exclusion.isPresent()) {
            return new Verdict(new Explanation.Consideration(assignment, Optional.of(role), Explanation.Outcome.EXCLUDES,
                    holder + " excludes it through " + notWhich + " '" + exclusion.get() + "'"), Optional.empty());
        }
        return new Verdict(new Explanation.Consideration(assignment, Optional.of(role), Explanation.Outcome.DOES_NOT_MATCH,
                holder + " has no " + which + " matching it"), Optional.empty());
    }

    private static Optional<String> first(List<String> patterns, String action) {
        for (String pattern : patterns) {
            if (ActionPattern.matches(pattern, action)) {
                return Optional.of(pattern);
            }
        }
        return Optional.empty();
    }
}
