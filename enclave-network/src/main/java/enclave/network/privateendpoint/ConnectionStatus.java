package enclave.network.privateendpoint;

/** The approval state of a private endpoint connection, as the target's owner sees it. Only {@code Approved} carries traffic. */
public enum ConnectionStatus {
    Pending,
    Approved,
    Rejected,
    /** The target's side of the connection was deleted; the private endpoint stays but leads nowhere. */
    Disconnected
}
