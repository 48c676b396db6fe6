package enclave.authz;

import enclave.core.ResourceId;
import enclave.core.http.Caller;

/**
 * Decides whether a caller may perform an action at a scope. Control-plane actions and data actions are kept apart,
 * as Azure keeps them: a role's {@code actions} never grant a data action, and its {@code dataActions} never grant a
 * control-plane action.
 */
public interface Authorizer {
    /** A control-plane action, e.g. {@code Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write}. */
    Decision check(Caller caller, String action, ResourceId scope);

    /** A data action, e.g. {@code Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read}. */
    Decision checkData(Caller caller, String dataAction, ResourceId scope);
}
