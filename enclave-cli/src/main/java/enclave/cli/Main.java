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
import enclave.cli.http.HttpTransport;
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
        int code = run(args, System.out, System.err, System.getenv(), System.console() != null);
        HttpTransport.closeAll();
        System.exit(code);
    }

    /** Runs one command without a terminal (plain progress lines, no prompts); returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, out, err, env, false);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        Session session = new Session(out, err, env, terminal);
        CommandLine cli = commandLine(session, args);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The whole command tree, wired by hand: every command gets the session through its constructor. */
    static CommandLine commandLine(Session session) {
        return commandLine(session, new String[0]);
    }

    /**
     * The command tree for {@code args}: when they start with the names of a command ({@code ml online-deployment}),
     * only that branch is built, else all of it. Picocli reads every command's annotations by reflection when it is
     * added, which took 0.6 s of each CLI run (issue 6); one branch parses, runs and prints help exactly as the whole
     * tree does, and `enclave -h`, unknown names and options before the command still get the whole tree.
     */
    static CommandLine commandLine(Session session, String[] args) {
        Branch top = new Branch(args, 0);
        CommandLine root = new CommandLine(new RootCommand(session));
        top.add(root, UpCommand.class, () -> new CommandLine(new UpCommand(session)));
        top.add(root, DownCommand.class, () -> new CommandLine(new DownCommand(session)));
        top.add(root, StatusCommand.class, () -> new CommandLine(new StatusCommand(session)));
        top.add(root, ConfigureCommand.class, () -> new CommandLine(new ConfigureCommand(session)));
        top.add(root, LoginCommand.class, () -> new CommandLine(new LoginCommand(session)));
        top.add(root, LogoutCommand.class, () -> new CommandLine(new LogoutCommand(session)));
        top.add(root, AccountCommands.class, () -> new CommandLine(new AccountCommands(session)));
        top.add(root, GroupCommands.class, () -> new CommandLine(new GroupCommands(session)));
        top.add(root, IdentityCommands.class, () -> new CommandLine(new IdentityCommands(session)));
        top.add(root, AdCommands.class, () -> {
            CommandLine ad = new CommandLine(new AdCommands(session));
            Branch second = top.below(args);
            second.add(ad, ServicePrincipalCommands.class, () -> new CommandLine(new ServicePrincipalCommands(session)));
            second.add(ad, UserCommands.class, () -> new CommandLine(new UserCommands(session)));
            second.finish();
            return ad;
        });
        top.add(root, RoleCommands.class, () -> {
            CommandLine role = new CommandLine(new RoleCommands(session));
            Branch second = top.below(args);
            second.add(role, RoleDefinitionCommands.class, () -> new CommandLine(new RoleDefinitionCommands(session)));
            second.add(role, RoleAssignmentCommands.class, () -> new CommandLine(new RoleAssignmentCommands(session)));
            second.add(role, RoleCheckCommand.class, () -> new CommandLine(new RoleCheckCommand(session)));
            second.finish();
            return role;
        });
        top.add(root, MonitorCommand.class, () -> {
            CommandLine monitor = new CommandLine(new MonitorCommand(session));
            Branch second = top.below(args);
            second.add(monitor, DiagnosticSettingsCommands.class, () -> new CommandLine(new DiagnosticSettingsCommands(session)));
            second.add(monitor, MonitorAccountCommands.class, () -> new CommandLine(new MonitorAccountCommands(session)));
            second.add(monitor, MonitorMetricsCommand.class, () -> new CommandLine(new MonitorMetricsCommand(session)));
            second.finish();
            return monitor;
        });
        top.add(root, StorageCommands.class, () -> new CommandLine(new StorageCommands(session)));
        top.add(root, NetworkCommands.class, () -> {
            CommandLine network = new CommandLine(new NetworkCommands(session));
            Branch second = top.below(args);
            second.add(network, VnetCommands.class, () -> new CommandLine(new VnetCommands()));
            second.add(network, PrivateEndpointCommands.class, () -> new CommandLine(new PrivateEndpointCommands()));
            second.add(network, PrivateEndpointConnectionCommands.class, () -> new CommandLine(new PrivateEndpointConnectionCommands()));
            second.add(network, PrivateDnsCommands.class, () -> new CommandLine(new PrivateDnsCommands(session)));
            second.add(network, DiagnoseCommand.class, () -> new CommandLine(new DiagnoseCommand(session)));
            second.finish();
            return network;
        });
        top.add(root, MlCommand.class, () -> {
            CommandLine ml = new CommandLine(new MlCommand(session));
            Branch second = top.below(args);
            second.add(ml, WorkspaceCommands.class, () -> new CommandLine(new WorkspaceCommands(session)));
            second.add(ml, OnlineEndpointCommands.class, () -> new CommandLine(new OnlineEndpointCommands(session)));
            second.add(ml, OnlineDeploymentCommands.class, () -> new CommandLine(new OnlineDeploymentCommands(session)));
            second.add(ml, ConnectionCommands.class, () -> new CommandLine(new ConnectionCommands(session)));
            second.finish();
            return ml;
        });
        top.finish();
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
        root.setParameterExceptionHandler((e, unmatched) -> {
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

    /**
     * One level of the tree as {@link #commandLine(Session, String[])} builds it: adds only the command named by
     * {@code args[position]} when one of this level's commands has that name, else every command of the level.
     * Names come from the {@code @Command} annotation, which costs nothing next to building the command.
     */
    private static final class Branch {
        private final String wanted;
        private final java.util.List<Runnable> all = new java.util.ArrayList<>();
        private boolean matched;

        Branch(String[] args, int position) {
            // Only when every word up to here is a command name: an option first (--debug ml ...) means the whole tree.
            String word = null;
            if (args.length > position) {
                word = args[position];
                for (int i = 0; i <= position; i++) {
                    if (args[i].startsWith("-")) {
                        word = null;
                    }
                }
            }
            this.wanted = word;
        }

        void add(CommandLine parent, Class<?> command, java.util.function.Supplier<CommandLine> build) {
            Command annotation = command.getAnnotation(Command.class);
            boolean named = wanted != null && annotation != null
                    && (annotation.name().equals(wanted) || java.util.Arrays.asList(annotation.aliases()).contains(wanted));
            if (named) {
                matched = true;
                parent.addSubcommand(build.get());
            } else if (!matched) {
                all.add(() -> parent.addSubcommand(build.get()));
            }
        }

        /** The next level down, which picks by name only when this one did (`enclave bogus workspace` gets everything). */
        Branch below(String[] args) {
            return new Branch(matched ? args : new String[0], 1);
        }

        /** Adds the level's other commands when none was named; call after the level's last {@link #add}. */
        void finish() {
            if (!matched) {
                all.forEach(Runnable::run);
            }
            all.clear();
        }
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
