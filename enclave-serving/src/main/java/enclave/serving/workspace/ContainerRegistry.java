package enclave.serving.workspace;

import java.time.Instant;

/**
 * A workspace's container registry ({@code Microsoft.ContainerRegistry/registries}): where Azure keeps the images of the
 * workspace's environments. Enclave runs environments on the local interpreter, so the registry holds no images; it is the
 * resource whose scope {@code AcrPull} is checked at before a deployment pulls its environment.
 *
 * @param workspace the ARM id of the workspace that owns it
 */
public record ContainerRegistry(String id, String name, String location, String workspace, Instant createdAt) {
    public static final String TYPE = "Microsoft.ContainerRegistry/registries";
}
