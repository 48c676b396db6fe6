package enclave.cli.role;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A custom role as people write it for {@code az role definition create/update --role-definition}:
 * <pre>
 * {"Name": "Endpoint Scorer", "IsCustom": true, "Description": "...",
 *  "Actions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read"], "NotActions": [],
 *  "DataActions": ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action"], "NotDataActions": [],
 *  "AssignableScopes": ["/subscriptions/{id}/resourceGroups/{group}"]}
 * </pre>
 * Field names match case-insensitively (az lower-cases their first letter); {@code Id} names the role to update. The
 * whole file is checked before anything is sent, and every problem is reported at once.
 */
public record RoleDefinitionInput(
        Optional<String> id,
        String name,
        Optional<String> description,
        List<String> actions,
        List<String> notActions,
        List<String> dataActions,
        List<String> notDataActions,
        List<String> assignableScopes) {

    /** Create needs assignable scopes; update keeps the role's own when the file leaves them out. */
    public enum Purpose {
        CREATE,
        UPDATE
    }

    static final String NAME = "Name";
    static final String ID = "Id";
    static final String IS_CUSTOM = "IsCustom";
    static final String DESCRIPTION = "Description";
    static final String ACTIONS = "Actions";
    static final String NOT_ACTIONS = "NotActions";
    static final String DATA_ACTIONS = "DataActions";
    static final String NOT_DATA_ACTIONS = "NotDataActions";
    static final String ASSIGNABLE_SCOPES = "AssignableScopes";
    private static final List<String> FIELDS = List.of(NAME, ID, IS_CUSTOM, DESCRIPTION, ACTIONS, NOT_ACTIONS, DATA_ACTIONS, NOT_DATA_ACTIONS,
            ASSIGNABLE_SCOPES);

    private static final int MAX_NAME = 512;
    /** The server's rule for operation names: namespace, resource types and verbs separated by '/', with '*' wildcards. */
    private static final Pattern OPERATION = Pattern.compile("[A-Za-z0-9.*_-]+(/[A-Za-z0-9.*_-]+)*");
    static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final ObjectMapper STRICT = Json.MAPPER.copy()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public RoleDefinitionInput {
        actions = List.copyOf(actions);
        notActions = List.copyOf(notActions);
        dataActions = List.copyOf(dataActions);
        notDataActions = List.copyOf(notDataActions);
        assignableScopes = List.copyOf(assignableScopes);
    }

    /** {@code --role-definition}: inline JSON (it starts with '{'), else a file path (az's {@code @file} works too). */
    public static RoleDefinitionInput read(String argument, Path workingDirectory, Purpose purpose) {
        String value = argument.strip();
        if (value.startsWith("{")) {
            return parse(value, "--role-definition", purpose);
        }
        Path file = workingDirectory.resolve(value.startsWith("@") ? value.substring(1) : value);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw CliException.user("--role-definition: the file " + file + " does not exist; pass a JSON file or the JSON itself");
        } catch (IOException e) {
            throw CliException.user("--role-definition: cannot read " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString(), purpose);
    }

    /** Parses and checks the JSON; {@code source} names it in messages (the file, or {@code --role-definition}). */
    public static RoleDefinitionInput parse(String text, String source, Purpose purpose) {
        JsonNode json;
        try {
            json = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw invalid(source, List.of("not valid JSON" + line + ": " + e.getOriginalMessage()));
        }
        if (json == null || !json.isObject()) {
            throw invalid(source, List.of("a role definition is a JSON object with Name, Actions, AssignableScopes and the like"));
        }
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> fields = fields((ObjectNode) json, problems);

        JsonNode nameField = fields.get(NAME);
        Optional<String> name = text(fields, NAME, problems);
        if (nameField == null || nameField.isNull()) {
            problems.add("Name is required (the role's name, e.g. \"Endpoint Scorer\")");
        } else if (name.isPresent() && name.get().isBlank()) {
            problems.add("Name must not be empty");
        } else if (name.isPresent() && name.get().strip().length() > MAX_NAME) {
            problems.add("Name is longer than " + MAX_NAME + " characters");
        }
        Optional<String> id = text(fields, ID, problems);
        if (id.isPresent() && !isRoleId(id.get().strip())) {
            problems.add("Id '" + id.get() + "' is neither a GUID nor a role definition id (.../providers/Microsoft.Authorization/roleDefinitions/{guid})");
        }
        JsonNode isCustom = fields.get(IS_CUSTOM);
        if (isCustom != null && !isCustom.isNull()) {
            if (!isCustom.isBoolean()) {
                problems.add("IsCustom must be true or false, not " + isCustom);
            } else if (!isCustom.booleanValue()) {
                problems.add("IsCustom is false, but only custom roles can be created or changed; set it to true or leave it out");
            }
        }
        Optional<String> description = text(fields, DESCRIPTION, problems);
        List<String> actions = operations(fields, ACTIONS, problems);
        List<String> notActions = operations(fields, NOT_ACTIONS, problems);
        List<String> dataActions = operations(fields, DATA_ACTIONS, problems);
        List<String> notDataActions = operations(fields, NOT_DATA_ACTIONS, problems);
        if (actions.isEmpty() && dataActions.isEmpty() && validList(fields.get(ACTIONS)) && validList(fields.get(DATA_ACTIONS))) {
            problems.add("the role grants nothing: give at least one of Actions or DataActions");
        }
        List<String> scopes = scopes(fields, purpose, problems);
        if (!problems.isEmpty()) {
            throw invalid(source, problems);
        }
        return new RoleDefinitionInput(id.map(String::strip), name.orElseThrow().strip(), description, actions, notActions, dataActions,
                notDataActions, scopes);
    }

    /** The GUID the {@code Id} names, if it names one. */
    public Optional<String> guid() {
        return id.map(value -> value.substring(value.lastIndexOf('/') + 1));
    }

    /** The ARM body of {@code PUT {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}}. */
    public ObjectNode toArm(List<String> scopes, Optional<String> descriptionToKeep) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode properties = body.putObject("properties");
        properties.put("roleName", name);
        description.or(() -> descriptionToKeep).ifPresent(text -> properties.put("description", text));
        properties.put("type", "CustomRole");
        ObjectNode permission = properties.putArray("permissions").addObject();
        strings(permission.putArray("actions"), actions);
        strings(permission.putArray("notActions"), notActions);
        strings(permission.putArray("dataActions"), dataActions);
        strings(permission.putArray("notDataActions"), notDataActions);
        strings(properties.putArray("assignableScopes"), scopes);
        return body;
    }

    static boolean isRoleId(String value) {
        if (GUID.matcher(value).matches()) {
            return true;
        }
        String marker = "/providers/microsoft.authorization/roledefinitions/";
        int at = value.toLowerCase(Locale.ROOT).lastIndexOf(marker);
        return value.startsWith("/") && at >= 0 && GUID.matcher(value.substring(at + marker.length())).matches();
    }

    /** The fields by their canonical names; unknown names and the same field twice (in any case) are problems. */
    private static Map<String, JsonNode> fields(ObjectNode json, List<String> problems) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : json.properties()) {
            Optional<String> known = FIELDS.stream().filter(name -> name.equalsIgnoreCase(field.getKey())).findFirst();
            if (known.isEmpty()) {
                problems.add("unknown field '" + field.getKey() + "'; allowed: " + String.join(", ", FIELDS));
            } else if (fields.containsKey(known.get())) {
                problems.add("field " + known.get() + " is given twice ('" + field.getKey() + "')");
            } else {
                fields.put(known.get(), field.getValue());
            }
        }
        return fields;
    }

    private static Optional<String> text(Map<String, JsonNode> fields, String field, List<String> problems) {
        JsonNode value = fields.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            problems.add(field + " must be a string, not " + value);
            return Optional.empty();
        }
        return Optional.of(value.asText());
    }

    private static boolean validList(JsonNode value) {
        return value == null || value.isNull() || value.isArray();
    }

    private static List<String> strings(Map<String, JsonNode> fields, String field, List<String> problems) {
        JsonNode value = fields.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(field + " must be a list of strings, not " + value);
            return List.of();
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (!element.isTextual() || element.asText().isBlank()) {
                problems.add(field + "[" + i + "] must be a non-empty string, not " + element);
            } else {
                strings.add(element.asText().strip());
            }
        }
        return strings;
    }

    private static List<String> operations(Map<String, JsonNode> fields, String field, List<String> problems) {
        List<String> operations = strings(fields, field, problems);
        for (int i = 0; i < operations.size(); i++) {
            if (!OPERATION.matcher(operations.get(i)).matches()) {
                problems.add(field + "[" + i + "] '" + operations.get(i) + "' is not an operation; use names like "
                        + "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read or */read");
            }
        }
        return operations;
    }

    private static List<String> scopes(Map<String, JsonNode> fields, Purpose purpose, List<String> problems) {
        JsonNode value = fields.get(ASSIGNABLE_SCOPES);
        if (value == null || value.isNull()) {
            if (purpose == Purpose.CREATE) {
                problems.add("AssignableScopes is required: the scopes the role can be assigned at, e.g. [\"/subscriptions/{id}\"]");
            }
            return List.of();
        }
        List<String> scopes = strings(fields, ASSIGNABLE_SCOPES, problems);
        if (value.isArray() && value.isEmpty()) {
            problems.add("AssignableScopes must name at least one scope");
        }
        List<String> parsed = new ArrayList<>();
        for (int i = 0; i < scopes.size(); i++) {
            try {
                parsed.add(Scopes.parse(ASSIGNABLE_SCOPES + "[" + i + "]", scopes.get(i)));
            } catch (CliException e) {
                problems.add(e.getMessage());
            }
        }
        return parsed;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static CliException invalid(String source, List<String> problems) {
        return new CliException("InvalidRoleDefinition", source + ": " + String.join("; ", problems));
    }
}
