package enclave.cli.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import enclave.core.Json;
import io.burt.jmespath.JmesPathException;
import io.burt.jmespath.jackson.JacksonRuntime;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Writes command results the way az does: {@code --query} (JMESPath) first, then the chosen format.
 * JSON is indented by two spaces with {@code "key": value}; {@code tsv} of a scalar prints it bare.
 */
public final class Output {
    private static final ObjectWriter JSON = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withObjectIndenter(new DefaultIndenter("  ", "\n")));
    private static final ObjectMapper YAML = Json.YAML.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final PrintStream out;
    private final OutputFormat format;
    private final Optional<String> query;

    public Output(PrintStream out, OutputFormat format, Optional<String> query) {
        this.out = out;
        this.format = format;
        this.query = query;
    }

    public OutputFormat format() {
        return format;
    }

    /** Applies the query, then prints in the chosen format. */
    public void print(JsonNode result) {
        JsonNode shown = query.map(expression -> search(expression, result)).orElse(result);
        switch (format) {
            case JSON -> out.println(json(shown));
            case YAML -> out.print(yaml(shown));
            case TABLE -> out.print(Table.render(shown));
            case TSV -> out.print(tsv(shown));
            case NONE -> {
                // the exit code says it all
            }
        }
        out.flush();
    }

    /** Prints text exactly as given, ending the line if the text does not. */
    public void printText(String text) {
        if (format == OutputFormat.NONE) {
            return;
        }
        out.print(text);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            out.println();
        }
        out.flush();
    }

    /** Checks a JMESPath expression without running it, so a typo fails before anything is changed. */
    public static void validateQuery(String expression) {
        // compile only: running it on nothing would refuse valid queries whose functions need an argument (length(@))
        try {
            new JacksonRuntime().compile(expression);
        } catch (JmesPathException e) {
            throw invalidQuery(expression, e);
        }
    }

    static JsonNode search(String expression, JsonNode input) {
        try {
            return new JacksonRuntime().compile(expression).search(input);
        } catch (JmesPathException e) {
            throw invalidQuery(expression, e);
        }
    }

    private static CliException invalidQuery(String expression, JmesPathException e) {
        return new CliException("InvalidQuery", "--query '" + expression + "' is not a valid JMESPath expression: " + e.getMessage(), CliException.USAGE);
    }

    public static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String yaml(JsonNode node) {
        try {
            return YAML.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scalars bare; an object as its scalar values tab-separated; a list one line per element. */
    static String tsv(JsonNode node) {
        StringBuilder text = new StringBuilder();
        if (node == null || node.isMissingNode()) {
            return "";
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                text.append(tsvLine(element)).append('\n');
            }
        } else {
            text.append(tsvLine(node)).append('\n');
        }
        return text.toString();
    }

    private static String tsvLine(JsonNode node) {
        if (!node.isContainerNode()) {
            return cell(node);
        }
        List<String> values = new ArrayList<>();
        for (JsonNode value : node) {
            if (!value.isContainerNode()) {
                values.add(cell(value));
            }
        }
        StringJoiner line = new StringJoiner("\t");
        values.forEach(line::add);
        return line.toString();
    }

    /** A scalar as a person reads it: strings without quotes, null as empty. */
    static String cell(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "";
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isValueNode()) {
            return value.asText();
        }
        return json(value).replaceAll("\\s*\\n\\s*", " ");
    }

    static String header(String field) {
        return field.isEmpty() ? field : field.substring(0, 1).toUpperCase(Locale.ROOT) + field.substring(1);
    }
}
