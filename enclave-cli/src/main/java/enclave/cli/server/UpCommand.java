package enclave.cli.server;

import enclave.cli.console.CliException;
import enclave.cli.console.Progress;
import enclave.cli.http.ServerConnection;
import enclave.cli.http.ServerInfo;
import enclave.cli.session.Session;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code enclave up}: runs the server jar for this home, in the foreground (the default, Ctrl-C stops it)
 * or detached (output appended to {@code logs/server.out}, returns once the server answers).
 */
@Command(name = "up", description = "Start the Enclave server for this ENCLAVE_HOME (foreground unless --detach).")
public final class UpCommand implements Callable<Integer> {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration READY_POLL = Duration.ofMillis(250);
    private static final int TAIL_LINES = 40;

    private final Session session;

    @Option(names = "--detach", description = "Start in the background and return once the server is ready.")
    boolean detach;

    @Option(names = "--management-port", paramLabel = "PORT", defaultValue = "47443", description = "Management (ARM) listener port (default: ${DEFAULT-VALUE}).")
    int managementPort;

    @Option(names = "--gateway-port", paramLabel = "PORT", defaultValue = "47444", description = "Gateway (scoring, blobs) listener port (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(names = "--dns-port", paramLabel = "PORT",
            description = "DNS port of the public resolver and of every virtual network's resolver (default: 53 as root, else 47453; 0 picks a free one).")
    Integer dnsPort;

    @Option(names = "--https-port", paramLabel = "PORT",
            description = "A second gateway port for Azure-style URLs without a port (default: 443 as root, else none; 0: none).")
    Integer httpsPort;

    @Option(names = "--dns-upstream", paramLabel = "HOST:PORT", description = "Where names the platform does not serve are forwarded (default: none, they are refused).")
    String dnsUpstream;

    @Option(names = "--python", paramLabel = "PATH", description = "Python interpreter for scoring workers (default: the server's choice).")
    String python;

    @Option(names = "--no-standby-interpreter", description = "Start every worker's interpreter cold: no idle Python process with the last"
            + " deployment's libraries imported (saves its memory, ~100 MiB with scikit-learn; deploys take the imports' time again).")
    boolean noStandbyInterpreter;

    public UpCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path home = session.home();
        Optional<ServerInfo> running = ServerState.running(home);
        if (running.isPresent()) {
            session.err().println("Enclave is already running for " + home + " (pid " + running.get().pid() + ")");
            session.output().print(ServerState.status(home, running));
            return 0;
        }
        Files.createDirectories(home.resolve("logs"));
        if (!prometheusInstalled()) {
            session.err().println("note: Prometheus is not installed, so monitor accounts will answer queries with 503; run scripts/install-deps "
                    + "(or apt-get install prometheus) to get it. Everything else runs.");
        }
        return detach ? startDetached(home) : runInForeground(home);
    }

    private boolean prometheusInstalled() {
        String path = session.env().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "prometheus"))) {
                return true;
            }
        }
        return false;
    }

    private int runInForeground(Path home) throws IOException, InterruptedException {
        Process server = new ProcessBuilder(command(home, false)).inheritIO().start();
        Thread stopServer = new Thread(() -> {
            server.destroy();
            try {
                server.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "enclave-stop-server");
        Runtime.getRuntime().addShutdownHook(stopServer);
        try {
            return server.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopServer);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is stopping the server
            }
        }
    }

    private int startDetached(Path home) throws IOException, InterruptedException {
        ServerInfo.read(home).filter(stale -> !ServerState.alive(stale.pid())).ifPresent(stale -> deleteStale(home));
        Path log = home.resolve("logs").resolve("server.out");
        Process server = new ProcessBuilder(command(home, true))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        ServerInfo ready;
        Progress progress = session.progress();
        try {
            progress.stage("starting Enclave (pid " + server.pid() + ", log " + log + ")");
            ready = awaitReady(server, home, log, progress);
        } finally {
            progress.close();
        }
        session.output().print(ServerState.status(home, Optional.of(ready)));
        return 0;
    }

    private static ServerInfo awaitReady(Process server, Path home, Path log, Progress progress) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!server.isAlive()) {
                throw new CliException("ServerFailed", "the server exited with code " + server.exitValue()
                        + " while starting; the end of " + log + ":\n" + tail(log));
            }
            Optional<ServerInfo> info = ServerInfo.read(home);
            if (info.isPresent() && ServerState.alive(info.get().pid()) && ServerConnection.answers(info.get(), home)) {
                return info.get();
            }
            if (System.nanoTime() > deadline) {
                throw new CliException("ServerStartTimeout", "the server (pid " + server.pid() + ") is not ready after "
                        + READY_TIMEOUT.toSeconds() + " s; it keeps running: see " + log + " and " + home.resolve("logs/server.log"));
            }
            progress.tick();
            Thread.sleep(READY_POLL);
        }
    }

    /**
     * The server's heap starts small and grows only as it must (the JVM's default would reserve a quarter of the machine's
     * memory and keep what a burst of traffic touched: 1.6 GB after the benchmark's load). The serial collector suits one
     * small, short-lived-garbage heap on few cores. Its young generation is fixed at 64 MiB (issue 6): the gateway
     * allocates about 11 KB per scoring request, and the 17 MiB eden a 64 MiB heap gets by default was collected 8 times
     * a second under the benchmark's load, each pause (~1 ms) holding up every request in flight; with 64 MiB it is
     * 2.6 times a second (p99 / gunicorn's 0.69 -> 0.65 over 12 alternated runs, rps +4%, RSS after the load +30 MiB).
     * {@code ENCLAVE_JAVA_OPTS} replaces these.
     */
    private static final List<String> DEFAULT_JAVA_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmn64m", "-Xmx1g");

    private List<String> command(Path home, boolean ownSession) {
        String jar = session.env().get("ENCLAVE_SERVER_JAR");
        if (jar == null || jar.isBlank()) {
            throw CliException.user("ENCLAVE_SERVER_JAR is not set: start Enclave with the ./enclave script at the repository root");
        }
        if (!Files.isRegularFile(Path.of(jar))) {
            throw CliException.user("the server jar " + jar + " does not exist: build it with mvn -DskipTests package");
        }
        List<String> command = new ArrayList<>();
        // A detached server gets its own session, so the terminal's Ctrl-C and hang-up do not reach it.
        Path setsid = Path.of("/usr/bin/setsid");
        if (ownSession && Files.isExecutable(setsid)) {
            command.add(setsid.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String javaOptions = session.env().get("ENCLAVE_JAVA_OPTS");
        command.addAll(javaOptions == null ? DEFAULT_JAVA_OPTIONS : List.of(javaOptions.trim().split("\\s+")));
        command.add("-jar");
        command.add(privateCopy(Path.of(jar).toAbsolutePath(), home).toString());
        command.add("--home");
        command.add(home.toString());
        command.add("--management-port");
        command.add(String.valueOf(managementPort));
        command.add("--gateway-port");
        command.add(String.valueOf(gatewayPort));
        if (dnsPort != null) {
            command.add("--dns-port");
            command.add(String.valueOf(dnsPort));
        }
        if (httpsPort != null) {
            command.add("--https-port");
            command.add(String.valueOf(httpsPort));
        }
        if (dnsUpstream != null && !dnsUpstream.isBlank()) {
            command.add("--dns-upstream");
            command.add(dnsUpstream);
        }
        if (python != null && !python.isBlank()) {
            command.add("--python");
            command.add(python);
        }
        if (noStandbyInterpreter) {
            command.add("--no-standby-interpreter");
        }
        return command;
    }

    /**
     * The server runs from its own copy of the jar in the data directory: a rebuild (the ./enclave script rebuilds when
     * sources change) rewrites the build's jar in place, which would pull classes out from under a running server.
     */
    private static Path privateCopy(Path jar, Path home) {
        try {
            Path runtime = Files.createDirectories(home.resolve("runtime"));
            Path copy = runtime.resolve("enclave-server.jar");
            Path temp = runtime.resolve("enclave-server.jar.tmp");
            Files.copy(jar, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            // a rename leaves a server still running from an older copy with its open file
            Files.move(temp, copy, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw CliException.user("cannot copy the server jar into " + home.resolve("runtime") + ": " + e.getMessage());
        }
    }

    private static void deleteStale(Path home) {
        try {
            Files.deleteIfExists(ServerInfo.file(home));
        } catch (IOException e) {
            // a stale file only slows readiness detection down; the server overwrites it
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
