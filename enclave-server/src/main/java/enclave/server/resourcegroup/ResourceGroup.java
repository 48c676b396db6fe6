package enclave.server.resourcegroup;

import java.time.Instant;
import java.util.Map;

/** A resource group: a named container of resources in a subscription. */
public record ResourceGroup(String id, String name, String location, Map<String, String> tags, Instant createdAt) {
    public ResourceGroup {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
