package enclave.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;

/** Builders for ARM-shaped JSON: the resource envelope and list pages. */
public final class Arm {
    private Arm() {}

    /** {@code {"id","name","type","location","tags", "properties":{}}}; callers fill {@code properties}. */
    public static ObjectNode envelope(ResourceId id, String location, Map<String, String> tags) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", id.toString());
        node.put("name", id.name());
        node.put("type", id.type());
        if (location != null) {
            node.put("location", location);
        }
        node.set("tags", Json.MAPPER.valueToTree(tags == null ? Map.of() : tags));
        node.putObject("properties");
        return node;
    }

    public static ObjectNode properties(ObjectNode envelope) {
        return (ObjectNode) envelope.get("properties");
    }

    /** {@code {"value":[...]}}, the ARM list shape (one page: Enclave does not page yet). */
    public static ObjectNode list(Collection<? extends JsonNode> items) {
        ObjectNode page = Json.MAPPER.createObjectNode();
        ArrayNode value = page.putArray("value");
        items.forEach(value::add);
        return page;
    }

    /** Reads an optional text field, failing with a clear message when it has the wrong type. */
    public static java.util.Optional<String> text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return java.util.Optional.empty();
        }
        if (!value.isTextual()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + field + "' must be a string");
        }
        return java.util.Optional.of(value.asText());
    }

    /** Reads an optional map of strings (tags, traffic names), failing clearly on wrong types. */
    public static java.util.Optional<Map<String, String>> stringMap(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return java.util.Optional.empty();
        }
        if (!value.isObject()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + field + "' must be an object of strings");
        }
        Map<String, String> map = new java.util.LinkedHashMap<>();
        value.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return java.util.Optional.of(map);
    }

    public static ObjectNode object(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return Json.MAPPER.createObjectNode();
        }
        if (!value.isObject()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + field + "' must be an object");
        }
        return (ObjectNode) value;
    }
}
