package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.data.Offset.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a user runs it: the shaded jars, {@code enclave up --detach} in its own process, {@code status}, {@code down},
 * and a server killed with SIGKILL in the middle of creating a deployment, then started again on the same home.
 *
 * <p>{@code up} and {@code down} run the CLI jar in a process of its own, so the detached server outlives the command that
 * started it as it does for a user; the other commands run the same CLI in-process through {@link Cli}, which is faster.
 */
class ServerLifecycleTest {
    private static final Path SERVER_JAR = Path.of("..", "enclave-server", "target", "enclave-server.jar").toAbsolutePath().normalize();
    private static final Path CLI_JAR = Path.of("..", "enclave-cli", "target", "enclave-cli.jar").toAbsolutePath().normalize();
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    /** {@code up} waits up to 120 s for readiness itself; allow for that plus the CLI's own start. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> IN_PROGRESS = Set.of("Creating", "Updating");
    private static final String WORKER_SCRIPT = "enclave_worker.py";

    // Kept when a test fails: the server's logs are in <home>/logs.
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path home;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path files;

    /** Every server process a test started, stopped in {@link #stopServers} whatever happened. */
    private final List<ProcessHandle> servers = new ArrayList<>();

    private Cli cli;

    @BeforeAll
    static void jarsAreBuilt() {
        for (Path jar : List.of(SERVER_JAR, CLI_JAR)) {
            assertThat(jar).as("%s is missing: build the shaded jars first (mvn -DskipTests package, or mvn verify from the repository root)", jar)
                    .isRegularFile();
        }
    }

    @BeforeEach
    void openCli() {
        cli = new Cli(home);
    }

    @AfterEach
    void stopServers() throws Exception {
        if (Files.exists(home.resolve("server.json"))) {
            cli.run("down");
        }
        // A server that never became ready wrote no server.json: find it by its command line too.
        List<ProcessHandle> leftovers = Stream.concat(servers.stream(), ProcessHandle.allProcesses().filter(this::isServerOfThisHome))
                .filter(ProcessHandle::isAlive).toList();
        for (ProcessHandle server : leftovers) {
            server.destroyForcibly();
            server.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void upDetachReturnsOnceReadyStatusShowsTheServerAndDownStopsIt() throws Exception {
        Cli.Result up = cliProcess("up", "--detach", "--management-port", "0", "--gateway-port", "0", "--dns-port", "0", "--https-port", "0").ok();
        ProcessHandle server = startedServer();
        assertThat(up.json().get("state").asText()).isEqualTo("running");
        assertThat(up.json().get("pid").asLong()).isEqualTo(server.pid());

        JsonNode status = cli.run("status", "-o", "json").ok().json();
        assertThat(status.get("state").asText()).isEqualTo("running");
        assertThat(status.get("version").asText()).isNotBlank();
        assertThat(status.get("home").asText()).isEqualTo(home.toString());
        assertThat(status.get("managementUrl").asText()).startsWith("https://127.0.0.1:");
        assertThat(status.get("gatewayUrl").asText()).startsWith("https://127.0.0.1:");
        assertThat(status.get("scoringUrlBase").asText()).isEqualTo(status.get("gatewayUrl").asText() + "/endpoints/");
        Path caFile = Path.of(status.get("caFile").asText());
        assertThat(caFile).isRegularFile();
        // The urls are real: the management listener answers over TLS with a certificate from that CA.
        HttpClient http = HttpClient.newBuilder().sslContext(TestServer.sslContext(caFile)).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> info = http.send(HttpRequest.newBuilder(URI.create(status.get("managementUrl").asText() + "/enclave/info")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(info.body()).get("version").asText()).isEqualTo(status.get("version").asText());

        // A CLI process opens its TLS connection on a second thread while it builds the command (Preconnect): the
        // command's requests, signed in as the admin, go over that connection.
        Cli.Result group = cliProcess("group", "create", "-n", "lifecycle-pre-rg", "-o", "json").ok();
        assertThat(group.json().get("name").asText()).isEqualTo("lifecycle-pre-rg");
        assertThat(cli.run("group", "show", "-n", "lifecycle-pre-rg", "-o", "json").ok().json().get("name").asText()).isEqualTo("lifecycle-pre-rg");
        String serverJson = Files.readString(home.resolve("server.json"));

        Cli.Result again = cliProcess("up", "--detach", "--management-port", "0", "--gateway-port", "0", "--dns-port", "0", "--https-port", "0").ok();
        assertThat(again.err()).contains("already running", "pid " + server.pid());
        assertThat(again.json().get("managementUrl").asText()).isEqualTo(status.get("managementUrl").asText());
        assertThat(serverInfo().get("pid").asLong()).isEqualTo(server.pid());

        Cli.Result down = cliProcess("down").ok();
        assertThat(down.out()).contains("stopped");
        assertThat(server.isAlive()).as("the server process after down").isFalse();
        assertThat(home.resolve("server.json")).doesNotExist();
        assertThat(cli.run("status", "-o", "json").ok().json().get("state").asText()).isEqualTo("stopped");
        assertThat(cli.run("down").ok().out()).contains("not running");

        // A server.json left by a server that is gone: the warm-up connection fails off the main thread, and the
        // command's own request says what is wrong, as it does without one.
        Files.writeString(home.resolve("server.json"), serverJson);
        Cli.Result stale = cliProcess("group", "list", "-o", "json");
        assertThat(stale.exit()).isNotZero();
        assertThat(stale.err()).contains("ServerNotRunning").doesNotContain("Exception");
        Files.delete(home.resolve("server.json"));
    }

    @Test
    void aServerKilledWhileADeploymentIsCreatingRecoversItOnTheNextStart() throws Exception {
        Path deploymentFile = copyLifecycleFiles();
        cliProcess("up", "--detach", "--management-port", "0", "--gateway-port", "0", "--dns-port", "0", "--https-port", "0").ok();
        ProcessHandle killed = startedServer();
        cli.run("group", "create", "-n", "lifecycle-rg").ok();
        cli.run("ml", "workspace", "create", "-n", "lifecycle-ws", "-g", "lifecycle-rg").ok();
        cli.run("ml", "online-endpoint", "create", "-f", files.resolve("endpoint.yml").toString(), "-g", "lifecycle-rg", "-w", "lifecycle-ws").ok();
        cli.run("ml", "online-deployment", "create", "-f", deploymentFile.toString(), "--no-wait", "-g", "lifecycle-rg", "-w", "lifecycle-ws").ok();

        // Kill while the worker runs the slow init(): a deployment that is Creating and a worker process that is the server's child.
        List<ProcessHandle> oldWorkers = await("a worker process of the first server").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> workersOf(killed), workers -> !workers.isEmpty());
        assertThat(deploymentState()).isIn(IN_PROGRESS);
        List<String> oldSockets = oldWorkers.stream().map(ServerLifecycleTest::socketOf).flatMap(Optional::stream).toList();
        assertThat(oldSockets).as("--socket of %s", oldWorkers.stream().map(ServerLifecycleTest::commandLine).toList()).hasSameSizeAs(oldWorkers);
        killed.destroyForcibly();
        killed.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        // Restarted without the standby interpreter: the recovered deployment's worker starts cold and none waits after it.
        cliProcess("up", "--detach", "--management-port", "0", "--gateway-port", "0", "--dns-port", "0", "--https-port", "0",
                "--no-standby-interpreter").ok();
        ProcessHandle restarted = startedServer();
        assertThat(commandLine(restarted)).contains("--no-standby-interpreter");
        assertThat(restarted.pid()).isNotEqualTo(killed.pid());

        String state = await("the recovered deployment leaves Creating/Updating").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(this::deploymentState, s -> !IN_PROGRESS.contains(s));
        assertThat(state).as("provisioningState after recovery; see %s", home.resolve("logs")).isEqualTo("Succeeded");

        JsonNode scores = cli.run("ml", "online-endpoint", "invoke", "-n", "lifecycle-ep", "--deployment-name", "slow-init", "-r",
                EXAMPLES.resolve("model-1/sample-request.json").toString(), "-g", "lifecycle-rg", "-w", "lifecycle-ws").ok().json();
        assertThat(scores.get(0).asDouble()).isCloseTo(11055.977245525679, offset(1e-6));

        // Workers notice that their parent died and exit; none of the killed server's workers lingers.
        await("the killed server's workers exit").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(oldWorkers).noneMatch(ProcessHandle::isAlive);
            assertThat(ProcessHandle.allProcesses().filter(p -> isOrphanedWorker(p, oldSockets, restarted)).map(ServerLifecycleTest::commandLine))
                    .isEmpty();
        });
        assertThat(workersOf(restarted)).as("workers of the restarted server").isNotEmpty();
        assertThat(workersOf(restarted)).map(ServerLifecycleTest::commandLine).noneMatch(line -> line.contains("--standby"));
        assertThat(home.resolve("runtime/standby-modules.txt")).doesNotExist();
    }

    /** The deployment folder (YAML, code, conda file) next to a copy of examples/model-1/model; returns the deployment file. */
    private Path copyLifecycleFiles() throws IOException, URISyntaxException {
        Path lifecycle = Path.of(ServerLifecycleTest.class.getResource("/lifecycle").toURI());
        copyTree(lifecycle, files);
        copyTree(EXAMPLES.resolve("model-1/model"), files.resolve("model"));
        return files.resolve("slow-init-deployment.yml");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private String deploymentState() throws IOException {
        return cli.run("ml", "online-deployment", "show", "-n", "slow-init", "-e", "lifecycle-ep", "-g", "lifecycle-rg", "-w", "lifecycle-ws")
                .ok().json().at("/properties/provisioningState").asText();
    }

    /** The server of {@link #home} per its {@code server.json}, alive, and remembered for {@link #stopServers}. */
    private ProcessHandle startedServer() throws IOException {
        long pid = serverInfo().get("pid").asLong();
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("server.json names pid " + pid + ", which is not running"));
        servers.add(server);
        return server;
    }

    private JsonNode serverInfo() throws IOException {
        return Json.MAPPER.readTree(home.resolve("server.json").toFile());
    }

    private boolean isServerOfThisHome(ProcessHandle process) {
        String commandLine = commandLine(process);
        return commandLine.contains("enclave-server.jar") && commandLine.contains("--home " + home);
    }

    private static List<ProcessHandle> workersOf(ProcessHandle server) {
        return server.children().filter(p -> commandLine(p).contains(WORKER_SCRIPT)).toList();
    }

    /** A worker of one of {@code sockets} that does not belong to {@code currentServer}: left over from a dead server. */
    private static boolean isOrphanedWorker(ProcessHandle process, List<String> sockets, ProcessHandle currentServer) {
        String commandLine = commandLine(process);
        return commandLine.contains(WORKER_SCRIPT) && sockets.stream().anyMatch(commandLine::contains)
                && process.parent().map(parent -> parent.pid() != currentServer.pid()).orElse(true);
    }

    private static Optional<String> socketOf(ProcessHandle worker) {
        List<String> arguments = worker.info().arguments().map(Arrays::asList).orElse(List.of());
        int option = arguments.indexOf("--socket");
        return option >= 0 && option + 1 < arguments.size() ? Optional.of(arguments.get(option + 1)) : Optional.empty();
    }

    private static String commandLine(ProcessHandle process) {
        return process.info().commandLine().orElse("");
    }

    /** The CLI jar in a process of its own, as {@code ./enclave} runs it. */
    private Cli.Result cliProcess(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", CLI_JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(files, "cli-", ".out");
        Path err = Files.createTempFile(files, "cli-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment());
        Process process = builder.start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("enclave " + String.join(" ", args) + " did not finish within " + COMMAND_TIMEOUT + "; stderr:\n" + Files.readString(err));
        }
        return new Cli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Map<String, String> environment() {
        return Map.of("ENCLAVE_HOME", home.toString(), "ENCLAVE_SERVER_JAR", SERVER_JAR.toString());
    }
}
