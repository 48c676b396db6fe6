package enclave.serving.operation;

/** ARM operation states. */
public enum OperationStatus {
    InProgress,
    Succeeded,
    Failed,
    Canceled;

    public boolean terminal() {
        return this != InProgress;
    }
}
