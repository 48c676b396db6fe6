package enclave.cli.session;

import enclave.cli.console.CliException;
import enclave.cli.console.Output;
import enclave.cli.console.OutputFormat;
import enclave.cli.console.Progress;
import enclave.cli.http.ServerConnection;
import enclave.core.EnclaveException;
import enclave.core.Names;
import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One CLI invocation: where output goes, the global options, the Enclave home and, opened on first use,
 * the connection to its server. Built fresh for every run so tests can run the CLI in-process.
 */
public final class Session {
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final boolean terminal;
    private OutputFormat format;
    private String query;
    private boolean debug;
    private ServerConnection connection;

    public Session(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.terminal = terminal;
    }

    public void outputFormat(OutputFormat chosen) {
        this.format = chosen;
    }

    public void query(String expression) {
        this.query = expression;
    }

    /** The {@code --query} expression, if one was given. */
    public java.util.Optional<String> query() {
        return java.util.Optional.ofNullable(query);
    }

    /** Checks the global options before a command runs, so a bad {@code --query} changes nothing. */
    public void validateOptions() {
        if (query != null) {
            Output.validateQuery(query);
        }
    }

    public void debug(boolean enabled) {
        this.debug = enabled;
    }

    public boolean debug() {
        return debug;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Map<String, String> env() {
        return env;
    }

    public boolean terminal() {
        return terminal;
    }

    /** Output in the format the user chose, JSON when they chose none. */
    public Output output() {
        return output(OutputFormat.JSON);
    }

    /** Output in the format the user chose, or this command's own default. */
    public Output output(OutputFormat commandDefault) {
        return new Output(out, format == null ? commandDefault : format, Optional.ofNullable(query));
    }

    /** Whether the user asked for a format or a query (commands with a raw default print structured data then). */
    public boolean structuredOutputRequested() {
        return format != null || query != null;
    }

    public Progress progress() {
        return Progress.of(err, terminal);
    }

    /** {@code $ENCLAVE_HOME}, else {@code ~/.enclave}. */
    public Path home() {
        return home(env);
    }

    /** {@code $ENCLAVE_HOME} of this environment, else {@code ~/.enclave}. */
    public static Path home(Map<String, String> env) {
        String home = env.get("ENCLAVE_HOME");
        if (home == null || home.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".enclave").toAbsolutePath().normalize();
        }
        return Path.of(home).toAbsolutePath().normalize();
    }

    /** The directory relative paths on the command line are resolved against. */
    public Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    /** The connection to the server, signed in as the profile in {@code cli/profile.json} (the admin without one). */
    public ServerConnection connection() {
        if (connection == null) {
            ServerConnection server = connect();
            connection = server.signedIn(Accounts.tokens(profile(), server, home(), env));
        }
        return connection;
    }

    /** A fresh connection with nobody signed in ({@code login} tries credentials on it before it saves them). */
    public ServerConnection connect() {
        return ServerConnection.open(home(), this::debugLine);
    }

    /** Who is signed in. */
    public Profile profile() {
        return ProfileFile.read(home());
    }

    public void debugLine(String line) {
        if (debug) {
            err.println("DEBUG: " + line);
            err.flush();
        }
    }

    public CliConfig config() {
        return CliConfig.read(home());
    }

    /** The resource group from {@code -g} or the configured default. */
    public String resourceGroup(WorkspaceOptions options) {
        return resourceGroup(options.group);
    }

    /** The resource group named, or the configured default (for commands outside {@code ml} that take {@code -g}). */
    public String resourceGroup(String explicit) {
        String group = explicit != null && !explicit.isBlank() ? explicit : config().get(CliConfig.GROUP).orElseThrow(() ->
                CliException.usage("a resource group is required: pass -g GROUP or run `enclave configure --defaults group=GROUP`"));
        try {
            return Names.resourceGroupName(group);
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
    }

    /** The workspace from {@code -g/-w} or the configured defaults. Needs the server (for the subscription). */
    public WorkspaceScope workspace(WorkspaceOptions options) {
        String group = resourceGroup(options.group);
        String workspace = options.workspace != null && !options.workspace.isBlank() ? options.workspace
                : config().get(CliConfig.WORKSPACE).orElseThrow(() -> CliException.usage(
                        "a workspace is required: pass -w WORKSPACE or run `enclave configure --defaults workspace=WORKSPACE`"));
        try {
            Names.workspaceName(workspace);
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
        return new WorkspaceScope(connection().subscription(), group, workspace);
    }

    /** Asks before destroying something, as az does; without a terminal {@code --yes} is required. */
    public void confirm(boolean yes, String question) {
        if (yes) {
            return;
        }
        Console console = System.console();
        if (!terminal || console == null) {
            throw CliException.usage(question + " Pass -y/--yes to confirm when not running in a terminal.");
        }
        String answer = console.readLine("%s (y/n): ", question);
        if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).startsWith("y")) {
            throw new CliException("Cancelled", "cancelled, nothing was changed");
        }
    }
}
