package enclave.serving.gateway;

import java.util.Objects;

/**
 * Which network path a request came in on: a fact of the listener (socket) that accepted it, never of a header.
 * The public listener is {@link Public}; every private endpoint has its own listener on its private IP.
 */
public sealed interface NetworkPath {
    /** The platform's public listener ({@code <bindAddress>:<gatewayPort>}). */
    record Public() implements NetworkPath {
        public static final Public INSTANCE = new Public();

        @Override
        public String describe() {
            return "the public listener";
        }
    }

    /**
     * The listener of one private endpoint, on its private IP in its virtual network.
     *
     * @param privateEndpointId the private endpoint's ARM id
     * @param virtualNetworkId the ARM id of the virtual network its subnet belongs to
     * @param address the private IP the listener is bound to
     */
    record PrivateEndpoint(String privateEndpointId, String privateEndpointName, String virtualNetworkId, String virtualNetworkName, String address)
            implements NetworkPath {
        public PrivateEndpoint {
            Objects.requireNonNull(privateEndpointId, "privateEndpointId");
            Objects.requireNonNull(privateEndpointName, "privateEndpointName");
            Objects.requireNonNull(virtualNetworkId, "virtualNetworkId");
            Objects.requireNonNull(virtualNetworkName, "virtualNetworkName");
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String describe() {
            return "private endpoint " + privateEndpointName + " of network " + virtualNetworkName + " (" + address + ")";
        }
    }

    /** For messages: "the public listener", "private endpoint pe1 of network vnet1 (127.42.1.4)". */
    String describe();
}
