package enclave.storage.blob;

import java.time.Instant;
import java.util.Map;

/** A container's properties as kept in its directory ({@code .container.json}). */
record StoredContainer(String etag, Instant lastModified, Map<String, String> metadata) {
    StoredContainer {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
