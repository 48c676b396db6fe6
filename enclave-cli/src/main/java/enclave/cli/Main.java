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
import enclave.cli.http.Preconnect;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
        Preconnect.start(Session.home(System.getenv()));
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
        CommandLine root = new CommandLine(new RootCommand(session));
        Branch top = new Branch(root, args, 0);
        top.add(UpCommand.class, () -> new UpCommand(session));
        top.add(DownCommand.class, () -> new DownCommand(session));
        top.add(StatusCommand.class, () -> new StatusCommand(session));
        top.add(ConfigureCommand.class, () -> new ConfigureCommand(session));
        top.add(LoginCommand.class, () -> new LoginCommand(session));
        top.add(LogoutCommand.class, () -> new LogoutCommand(session));
        top.add(AccountCommands.class, () -> new AccountCommands(session));
        top.add(GroupCommands.class, () -> new GroupCommands(session));
        top.add(IdentityCommands.class, () -> new IdentityCommands(session));
        top.group(AdCommands.class, () -> new AdCommands(session), ad -> {
            ad.add(ServicePrincipalCommands.class, () -> new ServicePrincipalCommands(session));
            ad.add(UserCommands.class, () -> new UserCommands(session));
        });
        top.group(RoleCommands.class, () -> new RoleCommands(session), role -> {
            role.add(RoleDefinitionCommands.class, () -> new RoleDefinitionCommands(session));
            role.add(RoleAssignmentCommands.class, () -> new RoleAssignmentCommands(session));
            role.add(RoleCheckCommand.class, () -> new RoleCheckCommand(session));
        });
        top.group(MonitorCommand.class, () -> new MonitorCommand(session), monitor -> {
            monitor.add(DiagnosticSettingsCommands.class, () -> new DiagnosticSettingsCommands(session));
            monitor.add(MonitorAccountCommands.class, () -> new MonitorAccountCommands(session));
            monitor.add(MonitorMetricsCommand.class, () -> new MonitorMetricsCommand(session));
        });
        top.add(StorageCommands.class, () -> new StorageCommands(session));
        top.group(NetworkCommands.class, () -> new NetworkCommands(session), network -> {
            network.add(VnetCommands.class, VnetCommands::new);
            network.add(PrivateEndpointCommands.class, PrivateEndpointCommands::new);
            network.add(PrivateEndpointConnectionCommands.class, PrivateEndpointConnectionCommands::new);
            network.add(PrivateDnsCommands.class, () -> new PrivateDnsCommands(session));
            network.add(DiagnoseCommand.class, () -> new DiagnoseCommand(session));
        });
        top.group(MlCommand.class, () -> new MlCommand(session), ml -> {
            ml.add(WorkspaceCommands.class, () -> new WorkspaceCommands(session));
            ml.add(OnlineEndpointCommands.class, () -> new OnlineEndpointCommands(session));
            ml.add(OnlineDeploymentCommands.class, () -> new OnlineDeploymentCommands(session));
            ml.add(ConnectionCommands.class, () -> new ConnectionCommands(session));
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
     * One level of the tree as {@link #commandLine(Session, String[])} builds it: adds to {@code parent} only the command
     * named by {@code args[position]} when one of this level's commands has that name, else every command of the level.
     * Names come from the {@code @Command} annotation, which costs nothing next to building the command.
     */
    private static final class Branch {
        private final CommandLine parent;
        private final String[] args;
        private final int position;
        private final String wanted;
        private final List<Runnable> all = new ArrayList<>();
        private boolean matched;

        Branch(CommandLine parent, String[] args, int position) {
            this.parent = parent;
            this.args = args;
            this.position = position;
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

        /** A command of this level; {@code command} makes it, only when this level adds it. */
        void add(Class<?> type, Supplier<Object> command) {
            addBuilt(type, () -> new CommandLine(command.get()));
        }

        /**
         * A command with commands of its own, which {@code children} adds to the level below. That level picks by name only
         * when this one did ({@code enclave bogus workspace} gets everything).
         */
        void group(Class<?> type, Supplier<Object> command, Consumer<Branch> children) {
            addBuilt(type, () -> {
                CommandLine group = new CommandLine(command.get());
                Branch below = new Branch(group, matched ? args : new String[0], position + 1);
                children.accept(below);
                below.finish();
                return group;
            });
        }

        private void addBuilt(Class<?> type, Supplier<CommandLine> build) {
            Command annotation = type.getAnnotation(Command.class);
            boolean named = wanted != null && annotation != null
                    && (annotation.name().equals(wanted) || Arrays.asList(annotation.aliases()).contains(wanted));
            if (named) {
                matched = true;
                parent.addSubcommand(build.get());
            } else if (!matched) {
                all.add(() -> parent.addSubcommand(build.get()));
            }
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
