package enclave.storage.blob;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** A container's properties. */
public record ContainerInfo(String name, String etag, Instant lastModified, Map<String, String> metadata) {
    public ContainerInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(lastModified, "lastModified");
        metadata = Map.copyOf(metadata);
    }
}
