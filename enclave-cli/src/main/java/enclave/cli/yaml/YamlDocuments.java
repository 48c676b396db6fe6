package enclave.cli.yaml;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Reads users' YAML files strictly into the CLI's YAML mapping records. Every mistake names the file and
 * line: unknown fields list the allowed ones ({@code UnknownField}), wrong types and malformed YAML say
 * what was expected ({@code InvalidYaml}).
 */
public final class YamlDocuments {
    private static final ObjectMapper STRICT = Json.YAML.copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private YamlDocuments() {}

    /** Parses a file into {@code type}; {@code section} names the top level in messages ("endpoint"). */
    public static <T> T read(Path file, Class<T> type, String section) {
        String text = text(file);
        if (text.isBlank()) {
            throw new CliException("InvalidYaml", file + ": the file is empty; expected the fields of the " + section);
        }
        try {
            T value = STRICT.readValue(text, type);
            if (value == null) {
                throw new CliException("InvalidYaml", file + ": the file holds no fields; expected the fields of the " + section);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw describe(e, file.toString(), section, Optional.of(text));
        }
    }

    /** The file as a tree of YAML names, for merging with {@code --set} and server state. */
    public static ObjectNode readTree(Path file, String section) {
        try {
            String text = text(file);
            JsonNode tree = STRICT.readTree(text);
            if (tree == null || !tree.isObject()) {
                throw new CliException("InvalidYaml", file + ": expected a mapping with the fields of the " + section);
            }
            return (ObjectNode) tree;
        } catch (JsonProcessingException e) {
            throw describe(e, file.toString(), section, Optional.empty());
        }
    }

    /** Converts a tree built from a file, the server and {@code --set}; {@code source} says where it came from. */
    public static <T> T convert(JsonNode tree, Class<T> type, String source, String section) {
        try {
            return STRICT.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw describe(e, source, section, Optional.empty());
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof JsonProcessingException cause) {
                throw describe(cause, source, section, Optional.empty());
            }
            throw e;
        }
    }

    /**
     * Builds a document from layers, later ones winning: {@code base} (an existing resource in YAML names, or
     * empty), the file's top-level fields, the command's own flags, then {@code --set}. The file is first
     * read strictly on its own so its mistakes are reported with line numbers.
     */
    public static <T> T compose(ObjectNode base, Optional<Path> file, Consumer<ObjectNode> flags, List<Overrides.Assignment> sets,
                                Class<T> type, String section) {
        ObjectNode tree = base.deepCopy();
        if (file.isPresent()) {
            read(file.get(), type, section);
            tree.setAll(readTree(file.get(), section));
        }
        flags.accept(tree);
        Overrides.apply(tree, sets);
        String source = !sets.isEmpty() ? "after --set" : file.map(Path::toString).orElse("the command line");
        return convert(tree, type, source, section);
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw CliException.user("the file " + file + " does not exist");
        } catch (IOException e) {
            throw CliException.user("cannot read " + file + ": " + e.getMessage());
        }
    }

    static CliException describe(JsonProcessingException e, String source, String section, Optional<String> text) {
        String where = source + location(e, text);
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new CliException("UnknownField", where + "unknown field '" + unknown.getPropertyName() + "' in "
                    + parentPath(unknown.getPath(), section) + "; allowed: " + allowed(unknown.getKnownPropertyIds()));
        }
        if (e instanceof MismatchedInputException mismatch) {
            String field = fieldPath(mismatch.getPath());
            String original = Objects.requireNonNullElse(mismatch.getOriginalMessage(), "");
            String expected = original.startsWith("expected ") ? original : "expected " + describeType(mismatch.getTargetType());
            if (mismatch instanceof InvalidFormatException format && format.getValue() != null) {
                expected += ", got '" + format.getValue() + "'";
            }
            if (field.isEmpty()) {
                return new CliException("InvalidYaml", where + "the " + section + " must be a mapping of fields");
            }
            return new CliException("InvalidYaml", where + field + ": " + expected);
        }
        String message = Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName()).strip();
        return new CliException("InvalidYaml", where + message.lines().collect(Collectors.joining(" ")));
    }

    /**
     * The line of the field a mapping error is about, found by walking the text to the error's path: the
     * exception's own location is where the parser stopped, which for records can be the end of the file.
     */
    private static String location(JsonProcessingException e, Optional<String> text) {
        int line = -1;
        if (e instanceof JsonMappingException mapping && text.isPresent() && !mapping.getPath().isEmpty()) {
            line = lineOf(text.get(), pointer(mapping.getPath()));
        }
        if (line <= 0 && e.getLocation() != null && (text.isPresent() || !(e instanceof JsonMappingException))) {
            line = e.getLocation().getLineNr();
        }
        return line > 0 ? ": line " + line + ": " : ": ";
    }

    private static JsonPointer pointer(List<JsonMappingException.Reference> path) {
        JsonPointer pointer = JsonPointer.empty();
        for (JsonMappingException.Reference reference : path) {
            pointer = reference.getFieldName() != null ? pointer.appendProperty(reference.getFieldName())
                    : pointer.appendIndex(Math.max(0, reference.getIndex()));
        }
        return pointer;
    }

    private static int lineOf(String text, JsonPointer target) {
        try (JsonParser parser = STRICT.getFactory().createParser(text)) {
            while (parser.nextToken() != null) {
                if (parser.getParsingContext().pathAsPointer().equals(target)) {
                    return parser.currentTokenLocation().getLineNr();
                }
            }
        } catch (IOException e) {
            // the text did not parse this far: fall back to the exception's own location
        }
        return -1;
    }

    private static String parentPath(List<JsonMappingException.Reference> path, String section) {
        String parent = fieldPath(path.subList(0, Math.max(0, path.size() - 1)));
        return parent.isEmpty() ? section : parent;
    }

    static String fieldPath(List<JsonMappingException.Reference> path) {
        StringBuilder text = new StringBuilder();
        for (JsonMappingException.Reference reference : path) {
            if (reference.getFieldName() != null) {
                if (!text.isEmpty()) {
                    text.append('.');
                }
                text.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                text.append('[').append(reference.getIndex()).append(']');
            }
        }
        return text.toString();
    }

    private static String allowed(Collection<Object> known) {
        if (known == null || known.isEmpty()) {
            return "(none)";
        }
        return known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    private static String describeType(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping";
        }
        return "a " + type.getSimpleName();
    }
}
