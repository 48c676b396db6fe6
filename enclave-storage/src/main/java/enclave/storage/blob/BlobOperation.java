package enclave.storage.blob;

/**
 * The Blob REST operations Enclave serves, each with the RBAC action Azure checks for it. Container
 * operations are control-plane actions in Azure's model; blob operations are data actions.
 */
public enum BlobOperation {
    LIST_CONTAINERS(Actions.CONTAINERS + "/read", false),
    GET_ACCOUNT_INFORMATION(Actions.CONTAINERS + "/read", false),
    CREATE_CONTAINER(Actions.CONTAINERS + "/write", false),
    GET_CONTAINER_PROPERTIES(Actions.CONTAINERS + "/read", false),
    DELETE_CONTAINER(Actions.CONTAINERS + "/delete", false),
    LIST_BLOBS(Actions.BLOBS + "/read", true),
    PUT_BLOB(Actions.BLOBS + "/write", true),
    PUT_BLOCK(Actions.BLOBS + "/write", true),
    PUT_BLOCK_LIST(Actions.BLOBS + "/write", true),
    GET_BLOCK_LIST(Actions.BLOBS + "/read", true),
    GET_BLOB(Actions.BLOBS + "/read", true),
    GET_BLOB_PROPERTIES(Actions.BLOBS + "/read", true),
    DELETE_BLOB(Actions.BLOBS + "/delete", true);

    private final String action;
    private final boolean dataAction;

    BlobOperation(String action, boolean dataAction) {
        this.action = action;
        this.dataAction = dataAction;
    }

    /** E.g. {@code Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read}. */
    public String action() {
        return action;
    }

    /** Whether {@link #action()} is a data action (checked against dataActions of role definitions). */
    public boolean dataAction() {
        return dataAction;
    }

    private static final class Actions {
        static final String CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers";
        static final String BLOBS = CONTAINERS + "/blobs";
    }
}
