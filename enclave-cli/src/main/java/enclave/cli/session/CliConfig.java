package enclave.cli.session;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import enclave.cli.console.CliException;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** {@code $ENCLAVE_HOME/cli/config.json}: the defaults set with {@code enclave configure --defaults}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CliConfig(Map<String, String> defaults) {
    public static final String GROUP = "group";
    public static final String WORKSPACE = "workspace";

    public CliConfig {
        defaults = defaults == null ? Map.of() : Map.copyOf(defaults);
    }

    public static Path file(Path home) {
        return home.resolve("cli").resolve("config.json");
    }

    public static CliConfig read(Path home) {
        Path file = file(home);
        if (!Files.exists(file)) {
            return new CliConfig(Map.of());
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), CliConfig.class);
        } catch (IOException e) {
            throw CliException.user("cannot read " + file + ": " + e.getMessage() + "; fix or delete it");
        }
    }

    public void write(Path home) {
        Path file = file(home);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, Json.PRETTY.writeValueAsString(this) + "\n");
        } catch (IOException e) {
            throw CliException.user("cannot write " + file + ": " + e.getMessage());
        }
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(defaults.get(name)).filter(value -> !value.isBlank());
    }

    /** These defaults plus the given ones; an empty value removes a default. */
    public CliConfig with(Map<String, String> changes) {
        Map<String, String> merged = new TreeMap<>(defaults);
        changes.forEach((name, value) -> {
            if (value.isBlank()) {
                merged.remove(name);
            } else {
                merged.put(name, value);
            }
        });
        return new CliConfig(merged);
    }
}
