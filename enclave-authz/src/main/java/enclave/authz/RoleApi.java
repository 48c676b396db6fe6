package enclave.authz;

import enclave.authz.assignment.RoleAssignment;
import enclave.authz.assignment.RoleAssignmentJson;
import enclave.authz.assignment.RoleAssignments;
import enclave.authz.role.CustomRole;
import enclave.authz.role.Guids;
import enclave.authz.role.RoleDefinition;
import enclave.authz.role.RoleDefinitionJson;
import enclave.authz.role.RoleDefinitions;
import enclave.authz.role.RoleType;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Caller;
import enclave.core.http.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ARM REST mapping of Microsoft.Authorization (management listener): role definitions, role assignments at any scope,
 * and {@code checkAccess}, which explains a decision. Each route is checked at the {@code {scope}} of its URL; creating,
 * changing or deleting a custom role also needs the same action at every scope the role can be assigned at.
 */
public final class RoleApi {
    static final String DEFINITIONS = "{*scope}/providers/Microsoft.Authorization/roleDefinitions";
    static final String DEFINITION = DEFINITIONS + "/{roleDefinitionName}";
    static final String ASSIGNMENTS = "{*scope}/providers/Microsoft.Authorization/roleAssignments";
    static final String ASSIGNMENT = ASSIGNMENTS + "/{roleAssignmentName}";
    static final String CHECK_ACCESS = "/subscriptions/{sub}/providers/Microsoft.Authorization/checkAccess";

    static final String DEFINITION_READ = "Microsoft.Authorization/roleDefinitions/read";
    static final String DEFINITION_WRITE = "Microsoft.Authorization/roleDefinitions/write";
    static final String DEFINITION_DELETE = "Microsoft.Authorization/roleDefinitions/delete";
    static final String ASSIGNMENT_READ = "Microsoft.Authorization/roleAssignments/read";
    static final String ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write";
    static final String ASSIGNMENT_DELETE = "Microsoft.Authorization/roleAssignments/delete";

    private final RoleDefinitions roles;
    private final RoleAssignments assignments;
    private final RoleBasedAuthorizer authorizer;

    public RoleApi(RoleDefinitions roles, RoleAssignments assignments, RoleBasedAuthorizer authorizer) {
        this.roles = roles;
        this.assignments = assignments;
        this.authorizer = authorizer;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("PUT", DEFINITION, DEFINITION_WRITE, RoleApi::scopeParameter, this::putDefinition),
                Route.of("GET", DEFINITION, DEFINITION_READ, RoleApi::scopeParameter, this::getDefinition),
                Route.of("DELETE", DEFINITION, DEFINITION_DELETE, RoleApi::scopeParameter, this::deleteDefinition),
                Route.of("GET", DEFINITIONS, DEFINITION_READ, RoleApi::scopeParameter, this::listDefinitions),
                Route.of("PUT", ASSIGNMENT, ASSIGNMENT_WRITE, RoleApi::scopeParameter, this::putAssignment),
                Route.of("GET", ASSIGNMENT, ASSIGNMENT_READ, RoleApi::scopeParameter, this::getAssignment),
                Route.of("DELETE", ASSIGNMENT, ASSIGNMENT_DELETE, RoleApi::scopeParameter, this::deleteAssignment),
                Route.of("GET", ASSIGNMENTS, ASSIGNMENT_READ, RoleApi::scopeParameter, this::listAssignments),
                Route.of("POST", CHECK_ACCESS, ASSIGNMENT_READ, params -> "/subscriptions/" + params.get("sub"), this::checkAccess));
    }

    private static String scopeParameter(Map<String, String> params) {
        return params.get("scope");
    }

    // ---- role definitions

    private void putDefinition(Call call) {
        ResourceId scope = scope(call);
        String name = Guids.require(call.param("roleDefinitionName"), "role definition name");
        CustomRole role = RoleDefinitionJson.toCustomRole(call.body(RoleDefinitionJson.Body.class), name);
        // Whoever shapes a role must be allowed to manage roles everywhere it can be assigned, before and after the change.
        List<ResourceId> governed = new ArrayList<>(role.scopes());
        roles.byName(name).filter(existing -> existing.type() == RoleType.CustomRole)
                .ifPresent(existing -> existing.assignableScopes().forEach(s -> governed.add(ResourceId.parse(s))));
        requireEverywhere(call.caller(), DEFINITION_WRITE, governed, role.roleName());
        RoleDefinitions.Saved saved = roles.createOrUpdate(scope.subscription(), name, role);
        call.json(saved.created() ? 201 : 200, RoleDefinitionJson.toArm(saved.definition(), scope.subscription()));
    }

    private void getDefinition(Call call) {
        ResourceId scope = scope(call);
        String name = call.param("roleDefinitionName");
        RoleDefinition role = roles.byName(name).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound,
                "role definition '" + name + "' was not found; list the roles with ./enclave role definition list"));
        call.json(200, RoleDefinitionJson.toArm(role, scope.subscription()));
    }

    private void deleteDefinition(Call call) {
        ResourceId scope = scope(call);
        String name = call.param("roleDefinitionName");
        Optional<RoleDefinition> existing = roles.byName(name).filter(role -> role.type() == RoleType.CustomRole);
        if (existing.isPresent()) {
            List<ResourceId> governed = existing.get().assignableScopes().stream().map(ResourceId::parse).toList();
            requireEverywhere(call.caller(), DEFINITION_DELETE, governed, existing.get().roleName());
        }
        Optional<RoleDefinition> deleted = roles.delete(name);
        if (deleted.isPresent()) {
            call.json(200, RoleDefinitionJson.toArm(deleted.get(), scope.subscription()));
        } else {
            call.empty(204, Map.of());
        }
    }

    private void listDefinitions(Call call) {
        ResourceId scope = scope(call);
        ListFilter filter = ListFilter.parse(call.query("$filter"));
        Optional<String> roleName = filter.equalTo("roleName");
        Optional<String> type = filter.equalTo("type");
        List<RoleDefinitionJson.Arm> value = roles.visibleAt(scope, filter.call("atScopeAndBelow").isPresent()).stream()
                .filter(role -> roleName.isEmpty() || role.roleName().equalsIgnoreCase(roleName.get()))
                .filter(role -> type.isEmpty() || role.type().name().equalsIgnoreCase(type.get()))
                .map(role -> RoleDefinitionJson.toArm(role, scope.subscription()))
                .toList();
        call.json(200, Map.of("value", value));
    }

    // ---- role assignments

    private void putAssignment(Call call) {
        ResourceId scope = scope(call);
        RoleAssignmentJson.Body body = call.body(RoleAssignmentJson.Body.class);
        if (body.properties() == null) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the body needs 'properties' with roleDefinitionId and principalId");
        }
        RoleAssignmentJson.BodyProperties properties = body.properties();
        if (properties.scope() != null && !ResourceId.parse(properties.scope()).key().equals(scope.key())) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "properties.scope '" + properties.scope() + "' differs from the scope in the URL, "
                    + scope + "; leave it out or make them the same");
        }
        RoleAssignments.Saved saved = assignments.create(scope, call.param("roleAssignmentName"), properties.roleDefinitionId(),
                properties.principalId(), Optional.ofNullable(properties.principalType()), call.caller().objectId());
        call.json(saved.created() ? 201 : 200, RoleAssignmentJson.toArm(saved.assignment()));
    }

    private void getAssignment(Call call) {
        ResourceId scope = scope(call);
        String name = call.param("roleAssignmentName");
        RoleAssignment assignment = assignments.get(scope, name).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound,
                "role assignment '" + name + "' was not found at " + scope + "; list them with ./enclave role assignment list --scope " + scope));
        call.json(200, RoleAssignmentJson.toArm(assignment));
    }

    private void deleteAssignment(Call call) {
        Optional<RoleAssignment> deleted = assignments.delete(scope(call), call.param("roleAssignmentName"), call.caller().objectId());
        if (deleted.isPresent()) {
            call.json(200, RoleAssignmentJson.toArm(deleted.get()));
        } else {
            call.empty(204, Map.of());
        }
    }

    /** At, above and below the scope ({@code atScope()}: at and above only), optionally for one principal. */
    private void listAssignments(Call call) {
        ResourceId scope = scope(call);
        ListFilter filter = ListFilter.parse(call.query("$filter"));
        Optional<String> principal = filter.equalTo("principalId").or(() -> filter.call("assignedTo").flatMap(ListFilter.Call::argument));
        List<RoleAssignment> found = new ArrayList<>(assignments.atScope(scope));
        if (filter.call("atScope").isEmpty()) {
            found.addAll(assignments.below(scope));
        }
        List<RoleAssignmentJson.Arm> value = found.stream()
                .filter(assignment -> principal.isEmpty() || assignment.principalId().equalsIgnoreCase(principal.get()))
                .map(RoleAssignmentJson::toArm)
                .toList();
        call.json(200, Map.of("value", value));
    }

    // ---- checkAccess

    /** The request of {@code checkAccess}; {@code principalId} defaults to the caller, {@code scope} to the subscription. */
    public record CheckAccessBody(String principalId, String action, String scope, Boolean dataAction) {}

    private void checkAccess(Call call) {
        ResourceId subscription = ResourceId.subscription(call.param("sub"));
        CheckAccessBody body = call.body(CheckAccessBody.class);
        if (body.action() == null || body.action().isBlank()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "checkAccess needs 'action', e.g. "
                    + "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action");
        }
        ResourceId scope = body.scope() == null ? subscription : ResourceId.parse(body.scope());
        if (!scope.isWithin(subscription)) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "scope " + scope + " is not in subscription " + subscription.subscription()
                    + "; ask the checkAccess of its own subscription");
        }
        String principal = body.principalId() == null || body.principalId().isBlank() ? call.caller().objectId() : body.principalId();
        Explanation explanation = authorizer.explain(principal, body.action(), scope, Boolean.TRUE.equals(body.dataAction()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("allowed", explanation.allowed());
        answer.put("reason", explanation.reason());
        answer.put("principalId", principal);
        answer.put("action", body.action());
        answer.put("scope", scope.toString());
        answer.put("dataAction", explanation.dataAction());
        explanation.grantedBy().ifPresent(grant -> answer.put("grantedBy", RoleAssignmentJson.toArm(grant.assignment())));
        answer.put("considered", explanation.considered().stream().map(RoleApi::considered).toList());
        call.json(200, answer);
    }

    private static Map<String, Object> considered(Explanation.Consideration consideration) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("roleAssignmentId", consideration.assignment().id());
        item.put("roleDefinitionId", consideration.assignment().roleDefinitionId());
        consideration.role().ifPresent(role -> item.put("roleName", role.roleName()));
        item.put("scope", consideration.assignment().scope().toString());
        item.put("outcome", consideration.outcome().name());
        item.put("detail", consideration.detail());
        return item;
    }

    // ---- shared

    private static ResourceId scope(Call call) {
        return ResourceId.parse(call.param("scope"));
    }

    private void requireEverywhere(Caller caller, String action, List<ResourceId> scopes, String roleName) {
        for (ResourceId scope : scopes) {
            if (authorizer.check(caller, action, scope) instanceof Decision.Denied denied) {
                throw new EnclaveException(ErrorCode.AuthorizationFailed, "the client '" + caller.displayName() + "' with object id '" + caller.objectId()
                        + "' does not have authorization to perform action '" + action + "' over scope '" + scope + "' (an assignable scope of role '"
                        + roleName + "'): " + denied.reason());
            }
        }
    }
}
