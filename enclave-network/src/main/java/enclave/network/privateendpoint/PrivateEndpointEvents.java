package enclave.network.privateendpoint;

/**
 * What happens to private endpoints, for the parts that act on it (the gateway's listeners, DNS records). Called after
 * the change is stored, on the thread that made it; implementations must not throw.
 */
public interface PrivateEndpointEvents {
    PrivateEndpointEvents NONE = new PrivateEndpointEvents() {};

    default void created(PrivateEndpoint endpoint) {}

    default void deleted(PrivateEndpoint endpoint) {}

    /** The connection's status changed (approved, rejected, disconnected); {@code endpoint} holds the new status. */
    default void connectionChanged(PrivateEndpoint endpoint) {}
}
