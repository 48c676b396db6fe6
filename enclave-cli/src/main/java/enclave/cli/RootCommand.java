package enclave.cli;

import enclave.cli.console.OutputFormat;
import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code enclave}: the global options every command inherits, and the help when no command is given. */
@Command(name = "enclave",
        description = "Run private, authenticated model endpoints the way `az ml online-endpoint` does.",
        footer = {"", "Start with: ./enclave up --detach, then ./enclave group create -n rg1 ..."})
final class RootCommand implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help and exit.")
    boolean help;

    RootCommand(Session session) {
        this.session = session;
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", scope = ScopeType.INHERIT, converter = FormatConverter.class,
            description = "Output format: json (default), yaml, table, tsv, none.")
    void output(OutputFormat format) {
        session.outputFormat(format);
    }

    @Option(names = "--query", paramLabel = "JMESPATH", scope = ScopeType.INHERIT,
            description = "JMESPath query applied to the result before it is formatted.")
    void query(String expression) {
        session.query(expression);
    }

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Log HTTP calls and show stack traces of failures.")
    void debug(boolean enabled) {
        session.debug(enabled);
    }

    /** Parses {@code -o} with az's lower-case names in the error message. */
    static final class FormatConverter implements ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            for (OutputFormat format : OutputFormat.values()) {
                if (format.toString().equalsIgnoreCase(value.strip())) {
                    return format;
                }
            }
            throw new TypeConversionException("'" + value + "' is not one of json, yaml, table, tsv, none");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }
}
