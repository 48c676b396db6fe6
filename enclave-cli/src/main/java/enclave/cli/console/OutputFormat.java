package enclave.cli.console;

import java.util.Locale;

/** The {@code -o/--output} formats, as az offers them. */
public enum OutputFormat {
    JSON,
    YAML,
    TABLE,
    TSV,
    /** Prints nothing: for scripts that only need the exit code. */
    NONE;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
