package enclave.cli;

import enclave.cli.account.AccountCommands;
import enclave.cli.account.LoginCommand;
import enclave.cli.account.LogoutCommand;
import enclave.cli.ad.AdCommands;
import enclave.cli.ad.ServicePrincipalCommands;
import enclave.cli.ad.UserCommands;
import enclave.cli.config.ConfigureCommand;
import enclave.cli.console.CliException;
import enclave.cli.deployment.OnlineDeploymentCommands;
import enclave.cli.endpoint.OnlineEndpointCommands;
import enclave.cli.connection.ConnectionCommands;
import enclave.cli.group.GroupCommands;
import enclave.cli.identity.IdentityCommands;
import enclave.cli.monitor.DiagnosticSettingsCommands;
import enclave.cli.monitor.MonitorAccountCommands;
import enclave.cli.monitor.MonitorCommand;
import enclave.cli.network.DiagnoseCommand;
import enclave.cli.network.NetworkCommands;
import enclave.cli.network.PrivateEndpointCommands;
import enclave.cli.network.PrivateEndpointConnectionCommands;
import enclave.cli.network.VnetCommands;
import enclave.cli.monitor.MonitorMetricsCommand;
import enclave.cli.storage.StorageCommands;
import enclave.cli.network.dns.PrivateDnsCommands;
import enclave.cli.role.RoleAssignmentCommands;
import enclave.cli.role.RoleCheckCommand;
import enclave.cli.role.RoleCommands;
import enclave.cli.role.RoleDefinitionCommands;
import enclave.cli.server.DownCommand;
import enclave.cli.server.StatusCommand;
import enclave.cli.server.UpCommand;
import enclave.cli.session.Session;
import enclave.cli.workspace.WorkspaceCommands;
import enclave.core.EnclaveException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code enclave} command line. {@link #run} is the whole CLI as a function (arguments, streams and
 * environment in, exit code out) so tests can drive it in-process; {@link #main} adds only
 * {@code System.exit}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv(), System.console() != null));
    }

    /** Runs one command without a terminal (plain progress lines, no prompts); returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, out, err, env, false);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        Session session = new Session(out, err, env, terminal);
        CommandLine cli = commandLine(session);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The command tree, wired by hand: every command gets the session through its constructor. */
    static CommandLine commandLine(Session session) {
        CommandLine ml = new CommandLine(new MlCommand(session))
                .addSubcommand(new CommandLine(new WorkspaceCommands(session)))
                .addSubcommand(new CommandLine(new OnlineEndpointCommands(session)))
                .addSubcommand(new CommandLine(new OnlineDeploymentCommands(session)))
                .addSubcommand(new CommandLine(new ConnectionCommands(session)));
        CommandLine network = new CommandLine(new NetworkCommands(session))
                .addSubcommand(new CommandLine(new VnetCommands()))
                .addSubcommand(new CommandLine(new PrivateEndpointCommands()))
                .addSubcommand(new CommandLine(new PrivateEndpointConnectionCommands()))
                .addSubcommand(new CommandLine(new PrivateDnsCommands(session)))
                .addSubcommand(new CommandLine(new DiagnoseCommand(session)));
        CommandLine ad = new CommandLine(new AdCommands(session))
                .addSubcommand(new CommandLine(new ServicePrincipalCommands(session)))
                .addSubcommand(new CommandLine(new UserCommands(session)));
        CommandLine role = new CommandLine(new RoleCommands(session))
                .addSubcommand(new CommandLine(new RoleDefinitionCommands(session)))
                .addSubcommand(new CommandLine(new RoleAssignmentCommands(session)))
                .addSubcommand(new CommandLine(new RoleCheckCommand(session)));
        CommandLine monitor = new CommandLine(new MonitorCommand(session))
                .addSubcommand(new CommandLine(new DiagnosticSettingsCommands(session)))
                .addSubcommand(new CommandLine(new MonitorAccountCommands(session)))
                .addSubcommand(new CommandLine(new MonitorMetricsCommand(session)));
        CommandLine root = new CommandLine(new RootCommand(session))
                .addSubcommand(new CommandLine(new UpCommand(session)))
                .addSubcommand(new CommandLine(new DownCommand(session)))
                .addSubcommand(new CommandLine(new StatusCommand(session)))
                .addSubcommand(new CommandLine(new ConfigureCommand(session)))
                .addSubcommand(new CommandLine(new LoginCommand(session)))
                .addSubcommand(new CommandLine(new LogoutCommand(session)))
                .addSubcommand(new CommandLine(new AccountCommands(session)))
                .addSubcommand(new CommandLine(new GroupCommands(session)))
                .addSubcommand(new CommandLine(new IdentityCommands(session)))
                .addSubcommand(ad)
                .addSubcommand(role)
                .addSubcommand(monitor)
                .addSubcommand(new CommandLine(new StorageCommands(session)))
                .addSubcommand(network)
                .addSubcommand(ml);
        root.setOut(new PrintWriter(session.out(), true, StandardCharsets.UTF_8));
        root.setErr(new PrintWriter(session.err(), true, StandardCharsets.UTF_8));
        root.setCaseInsensitiveEnumValuesAllowed(true);
        root.setExecutionStrategy(parseResult -> {
            try {
                session.validateOptions();
            } catch (CliException e) {
                throw new CommandLine.ExecutionException(parseResult.commandSpec().commandLine(), e.getMessage(), e);
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        root.setParameterExceptionHandler((e, args) -> {
            session.err().println("ERROR: (UsageError) " + e.getMessage());
            session.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " -h' for help.");
            return CliException.USAGE;
        });
        root.setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(session, e));
        return root;
    }

    private static int failure(Session session, Exception failure) {
        PrintStream err = session.err();
        int code;
        if (failure instanceof CliException e) {
            err.println("ERROR: (" + e.code() + ") " + e.getMessage());
            code = e.exitCode();
        } else if (failure instanceof EnclaveException e) {
            err.println("ERROR: (" + e.code() + ") " + e.getMessage());
            code = CliException.FAILURE;
        } else {
            err.println("ERROR: (InternalError) " + failure + (session.debug() ? "" : " (run again with --debug for details)"));
            code = CliException.FAILURE;
        }
        if (session.debug()) {
            failure.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** {@code enclave ml}: Azure ML's resources. */
    @Command(name = "ml", description = "Workspaces, online endpoints and online deployments (as in `az ml`).")
    static final class MlCommand implements Runnable {
        private final Session session;

        @Spec
        CommandSpec spec;

        MlCommand(Session session) {
            this.session = session;
        }

        @Override
        public void run() {
            spec.commandLine().usage(session.out());
        }
    }
}
