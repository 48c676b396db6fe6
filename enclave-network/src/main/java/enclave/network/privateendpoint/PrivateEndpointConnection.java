package enclave.network.privateendpoint;

/**
 * The target's side of a private endpoint's connection, stored below the target ({@code {target}/privateEndpointConnections/{name}}),
 * so that deleting the target removes it and the target's owner lists it. Its status is the private endpoint's.
 */
public record PrivateEndpointConnection(String id, String name, String target, String privateEndpoint) {
    public static String type(String targetType) {
        return targetType + "/privateEndpointConnections";
    }
}
