package enclave.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.store.ResourceStore;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A hand-written {@link ResourceStore} in memory; documents go through JSON as in the real store, in creation order. */
public final class MemoryStore implements ResourceStore {
    private record Entry(ResourceId id, String json) {}

    private final Map<String, Entry> documents = new LinkedHashMap<>();

    @Override
    public synchronized <T> Optional<T> get(ResourceId id, Class<T> type) {
        return Optional.ofNullable(documents.get(id.key())).map(entry -> read(entry, type));
    }

    @Override
    public synchronized <T> List<T> children(ResourceId parent, String childType, Class<T> type) {
        return documents.values().stream()
                .filter(entry -> entry.id().parent().map(ResourceId::key).orElse("").equals(parent.key()) && entry.id().type().equalsIgnoreCase(childType))
                .map(entry -> read(entry, type)).toList();
    }

    @Override
    public synchronized <T> List<T> allOfType(String type, Class<T> documentType) {
        return documents.values().stream().filter(entry -> entry.id().type().equalsIgnoreCase(type)).map(entry -> read(entry, documentType)).toList();
    }

    @Override
    public synchronized void put(ResourceId id, Object document) {
        try {
            documents.put(id.key(), new Entry(id, Json.MAPPER.writeValueAsString(document)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized boolean hasDescendants(ResourceId id) {
        return documents.keySet().stream().anyMatch(key -> key.startsWith(id.key() + "/"));
    }

    @Override
    public synchronized boolean delete(ResourceId id) {
        new ArrayList<>(documents.keySet()).stream().filter(key -> key.startsWith(id.key() + "/")).forEach(documents::remove);
        return documents.remove(id.key()) != null;
    }

    private static <T> T read(Entry entry, Class<T> type) {
        try {
            return Json.MAPPER.readValue(entry.json(), type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
