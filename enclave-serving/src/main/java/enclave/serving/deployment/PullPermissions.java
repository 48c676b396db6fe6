package enclave.serving.deployment;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.identity.Audiences;
import enclave.serving.endpoint.EndpointIdentity;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.workspace.Workspace;
import enclave.serving.workspace.Workspaces;
import java.util.Optional;

/**
 * What the storage initializer must be allowed before it pulls, checked as the endpoint's identity (as Azure's storage initializer
 * and image pull run as it): reading blobs in the workspace's default datastore container, and pulling from the workspace's registry.
 */
public final class PullPermissions {
    static final String READ_BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
    static final String PULL_IMAGES = "Microsoft.ContainerRegistry/registries/pull/read";

    private final Authorizer authorizer;

    public PullPermissions(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    /** Fails naming the identity, the missing role, the scope and the command that fixes it. */
    public void require(OnlineEndpoint endpoint, Workspace workspace) {
        EndpointIdentity.Acting acting = pullingIdentity(endpoint);
        Caller caller = new Caller(acting.principalId(), endpoint.identity().tenantId(), acting.description(), Optional.of(acting.clientId()),
                Audiences.STORAGE);
        ResourceId container = Workspaces.defaultContainer(workspace);
        if (authorizer.checkData(caller, READ_BLOBS, container) instanceof Decision.Denied denied) {
            throw missing(endpoint, acting, "Storage Blob Data Reader", ResourceId.parse(workspace.storageAccount()), READ_BLOBS + " at " + container, denied);
        }
        ResourceId registry = ResourceId.parse(workspace.containerRegistry());
        if (authorizer.check(caller, PULL_IMAGES, registry) instanceof Decision.Denied denied) {
            throw missing(endpoint, acting, "AcrPull", registry, PULL_IMAGES + " at " + registry, denied);
        }
    }

    /** The identity deployments of an endpoint pull as; an endpoint without one cannot pull at all. */
    static EndpointIdentity.Acting pullingIdentity(OnlineEndpoint endpoint) {
        return endpoint.identity().primary().orElseThrow(() -> new EnclaveException(ErrorCode.InvalidDeploymentSpec, "endpoint '" + endpoint.name()
                + "' has no managed identity (identity type None), so its deployments cannot download their model and code; create the endpoint "
                + "with identity type system_assigned (the default) or user_assigned"));
    }

    private static EnclaveException missing(OnlineEndpoint endpoint, EndpointIdentity.Acting acting, String role, ResourceId scope, String needed,
            Decision.Denied denied) {
        return new EnclaveException(ErrorCode.DeploymentFailed, "the storage initializer of endpoint '" + endpoint.name() + "' runs as "
                + acting.description() + ", which lacks the role '" + role + "' on " + scope + " (it needs " + needed + "; " + denied.reason()
                + "). Grant it: enclave role assignment create --assignee " + acting.principalId() + " --role \"" + role + "\" --scope " + scope);
    }
}
