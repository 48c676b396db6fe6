package enclave.serving.endpoint;

import enclave.authz.assignment.RoleAssignments;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.identity.Principal;
import enclave.identity.Principals;
import enclave.identity.managed.UserAssignedIdentities;
import enclave.identity.managed.UserAssignedIdentity;
import enclave.serving.workspace.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Makes and removes the managed identities of endpoints. A system-assigned identity is a principal made with the endpoint,
 * given (as Azure gives it) AcrPull on the workspace's registry and Storage Blob Data Reader on its default storage, and
 * deleted with the endpoint together with its role assignments. User-assigned identities must exist and get nothing.
 */
public final class EndpointIdentities {
    /** What a create asks for: the type and, for {@code UserAssigned}, the identities' resource ids. */
    public record Request(String type, List<String> userAssignedIds) {
        public Request {
            userAssignedIds = userAssignedIds == null ? List.of() : List.copyOf(userAssignedIds);
        }
    }

    private final Principals principals;
    private final UserAssignedIdentities userAssigned;
    private final RoleAssignments roleAssignments;
    private final String tenantId;

    public EndpointIdentities(Principals principals, UserAssignedIdentities userAssigned, RoleAssignments roleAssignments, String tenantId) {
        this.principals = principals;
        this.userAssigned = userAssigned;
        this.roleAssignments = roleAssignments;
        this.tenantId = tenantId;
    }

    /** Checks a request fully and resolves its user-assigned identities; makes nothing. */
    public EndpointIdentity validate(Request request) {
        String type = Endpoints.identityType(request.type());
        Set<String> seen = new LinkedHashSet<>();
        List<EndpointIdentity.Assigned> assigned = new ArrayList<>();
        if (type.equals(EndpointIdentity.USER_ASSIGNED) && request.userAssignedIds().isEmpty()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent,
                    "identity type UserAssigned needs identity.userAssignedIdentities naming at least one identity (enclave identity show gives its id)");
        }
        if (!type.equals(EndpointIdentity.USER_ASSIGNED) && !request.userAssignedIds().isEmpty()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "identity.userAssignedIdentities is only allowed with identity type UserAssigned");
        }
        for (String text : request.userAssignedIds()) {
            ResourceId id;
            try {
                id = ResourceId.parse(text);
            } catch (EnclaveException e) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "user-assigned identity '" + text + "' is not a resource id: " + e.getMessage());
            }
            if (!id.type().equalsIgnoreCase(UserAssignedIdentity.TYPE)) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + text + "' is not a user-assigned identity id (.../providers/"
                        + UserAssignedIdentity.TYPE + "/NAME)");
            }
            if (seen.add(id.key())) {
                UserAssignedIdentity identity = userAssigned.get(id);
                assigned.add(new EndpointIdentity.Assigned(identity.id(), identity.principalId(), identity.clientId()));
            }
        }
        return new EndpointIdentity(type, tenantId, Optional.empty(), Optional.empty(), assigned);
    }

    /**
     * Makes what a validated identity needs: for {@code SystemAssigned}, the principal and its roles on the workspace's registry and
     * default storage ({@code createdBy} is recorded on the role assignments).
     */
    public EndpointIdentity create(ResourceId endpoint, Workspace workspace, EndpointIdentity validated, String createdBy) {
        if (!validated.type().equals(EndpointIdentity.SYSTEM_ASSIGNED)) {
            return validated;
        }
        Principal principal = principals.createManagedIdentity(tenantId, endpoint.name());
        try {
            roleAssignments.grantBuiltIn(principal.objectId(), "AcrPull", ResourceId.parse(workspace.containerRegistry()), createdBy);
            roleAssignments.grantBuiltIn(principal.objectId(), "Storage Blob Data Reader", ResourceId.parse(workspace.storageAccount()), createdBy);
        } catch (RuntimeException e) {
            release(new EndpointIdentity(EndpointIdentity.SYSTEM_ASSIGNED, tenantId, Optional.of(principal.objectId()), principal.appId(), List.of()));
            throw e;
        }
        return new EndpointIdentity(EndpointIdentity.SYSTEM_ASSIGNED, tenantId, Optional.of(principal.objectId()), principal.appId(), List.of());
    }

    /** Refuses a change of identity: the identity of an endpoint is fixed at creation. */
    public static void requireUnchanged(String endpointName, EndpointIdentity current, Request requested) {
        String type = Endpoints.identityType(requested.type());
        Set<String> requestedKeys = new LinkedHashSet<>();
        for (String text : requested.userAssignedIds()) {
            requestedKeys.add(text.toLowerCase(Locale.ROOT).replaceAll("/+$", ""));
        }
        Set<String> currentKeys = new LinkedHashSet<>();
        current.userAssigned().forEach(a -> currentKeys.add(a.resourceId().toLowerCase(Locale.ROOT)));
        if (!current.type().equals(type) || !currentKeys.equals(requestedKeys)) {
            String wanted = type + (requested.userAssignedIds().isEmpty() ? "" : " " + requested.userAssignedIds());
            throw new EnclaveException(ErrorCode.BadRequest, "the identity of endpoint '" + endpointName + "' is " + describe(current)
                    + " and cannot change after creation; create a new endpoint with identity " + wanted);
        }
    }

    /** Deletes a system-assigned identity's principal and its role assignments (the endpoint is going away). */
    public void release(EndpointIdentity identity) {
        identity.principalId().ifPresent(principalId -> {
            roleAssignments.deleteAllOf(principalId, "enclave");
            principals.delete(principalId);
        });
    }

    private static String describe(EndpointIdentity identity) {
        if (!identity.type().equals(EndpointIdentity.USER_ASSIGNED)) {
            return identity.type();
        }
        return identity.type() + " " + identity.userAssigned().stream().map(EndpointIdentity.Assigned::resourceId).toList();
    }
}
