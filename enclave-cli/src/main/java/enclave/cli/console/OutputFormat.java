package enclave.cli.console;

import java.util.Locale;

/** The {@code -o/--output} formats, as az offers them. */
public enum OutputFormat {
    JSON,
    YAML,
    TABLE,
    TSV;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
