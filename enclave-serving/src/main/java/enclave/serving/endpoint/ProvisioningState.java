package enclave.serving.endpoint;

/** ARM provisioning states of endpoints and deployments. */
public enum ProvisioningState {
    Creating,
    Updating,
    Deleting,
    Succeeded,
    Failed,
    Canceled;

    public boolean terminal() {
        return this == Succeeded || this == Failed || this == Canceled;
    }
}
