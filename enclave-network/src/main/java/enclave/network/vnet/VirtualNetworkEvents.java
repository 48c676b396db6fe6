package enclave.network.vnet;

/**
 * What happens to virtual networks, for the parts that act on it (the DNS server binds a resolver on each network's
 * resolver address). Called after the change is stored, on the thread that made it; implementations must not throw.
 */
public interface VirtualNetworkEvents {
    VirtualNetworkEvents NONE = new VirtualNetworkEvents() {};

    /** A network was created or its address space changed. */
    default void changed(VirtualNetwork network) {}

    default void deleted(VirtualNetwork network) {}
}
