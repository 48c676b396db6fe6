package enclave.cli.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --set key=value}, as az applies it: a dotted path of YAML field names ({@code traffic.blue},
 * {@code request_settings.request_timeout_ms}, {@code identity.user_assigned_identities[0].resource_id})
 * and a value read as JSON when it is JSON ({@code 2}, {@code true}, {@code {"a":1}}) and as text otherwise.
 */
public final class Overrides {
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z0-9_$-]+)((?:\\[\\d+])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    /** One step of a path: a field name, then zero or more list indexes. */
    public record Step(String field, List<Integer> indexes) {}

    /** One parsed {@code --set}. */
    public record Assignment(String text, List<Step> path, JsonNode value) {}

    private Overrides() {}

    public static List<Assignment> parse(List<String> sets) {
        List<Assignment> assignments = new ArrayList<>();
        for (String set : sets == null ? List.<String>of() : sets) {
            assignments.add(parse(set));
        }
        return assignments;
    }

    static Assignment parse(String set) {
        int equals = set.indexOf('=');
        if (equals <= 0) {
            throw CliException.usage("--set '" + set + "' must look like key=value, e.g. --set instance_count=2");
        }
        String key = set.substring(0, equals).strip();
        List<Step> path = new ArrayList<>();
        for (String part : key.split("\\.", -1)) {
            Matcher matcher = SEGMENT.matcher(part);
            if (!matcher.matches()) {
                throw CliException.usage("--set '" + set + "': '" + key + "' is not a field path like request_settings.request_timeout_ms");
            }
            List<Integer> indexes = new ArrayList<>();
            Matcher index = INDEX.matcher(matcher.group(2));
            while (index.find()) {
                indexes.add(Integer.parseInt(index.group(1)));
            }
            path.add(new Step(matcher.group(1), indexes));
        }
        return new Assignment(set, path, value(set.substring(equals + 1)));
    }

    private static JsonNode value(String text) {
        if (text.isBlank()) {
            return TextNode.valueOf(text);
        }
        try {
            JsonNode parsed = Json.MAPPER.readTree(text);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(text) : parsed;
        } catch (IOException e) {
            return TextNode.valueOf(text);
        }
    }

    public static void apply(ObjectNode tree, List<Assignment> assignments) {
        for (Assignment assignment : assignments) {
            apply(tree, assignment);
        }
    }

    private static void apply(ObjectNode tree, Assignment assignment) {
        JsonNode current = tree;
        List<Step> path = assignment.path();
        for (int i = 0; i < path.size(); i++) {
            Step step = path.get(i);
            boolean last = i == path.size() - 1;
            ObjectNode object = (ObjectNode) current;
            if (step.indexes().isEmpty()) {
                if (last) {
                    object.set(step.field(), assignment.value());
                    return;
                }
                JsonNode child = object.get(step.field());
                if (child == null || !child.isObject()) {
                    child = object.putObject(step.field());
                }
                current = child;
                continue;
            }
            JsonNode child = object.get(step.field());
            if (child == null || !child.isArray()) {
                child = object.putArray(step.field());
            }
            current = child;
            for (int j = 0; j < step.indexes().size(); j++) {
                boolean lastIndex = last && j == step.indexes().size() - 1;
                boolean nextIsList = j < step.indexes().size() - 1;
                current = element((ArrayNode) current, step.indexes().get(j), lastIndex ? assignment.value()
                        : nextIsList ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode(), lastIndex, assignment);
            }
            if (last) {
                return;
            }
        }
    }

    private static JsonNode element(ArrayNode list, int index, JsonNode fresh, boolean replace, Assignment assignment) {
        if (index > list.size()) {
            throw CliException.usage("--set '" + assignment.text() + "': index " + index + " is past the end of a list of "
                    + list.size() + " (use " + list.size() + " to append)");
        }
        if (index == list.size()) {
            list.add(fresh);
            return fresh;
        }
        JsonNode existing = list.get(index);
        if (replace || existing.getNodeType() != fresh.getNodeType()) {
            list.set(index, fresh);
            return fresh;
        }
        return existing;
    }
}
