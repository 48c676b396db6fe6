package enclave.serving.runtime;

import static enclave.serving.runtime.PythonWorkerRuntimeTest.answered;
import static enclave.serving.runtime.PythonWorkerRuntimeTest.await;
import static enclave.serving.runtime.PythonWorkerRuntimeTest.post;
import static enclave.serving.runtime.PythonWorkerRuntimeTest.resource;
import static enclave.serving.runtime.PythonWorkerRuntimeTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's standby interpreter, with real Debian Python processes: what a worker started from it sees. */
class StandbyWorkerTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final ProbeSettings READINESS = new ProbeSettings(Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofSeconds(1), 1, 3);
    private static final ProbeSettings LIVENESS = new ProbeSettings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 3);
    private static final RequestSettings REQUESTS = new RequestSettings(Duration.ofSeconds(10), 4, Duration.ofSeconds(2));

    @TempDir
    Path runtimeDir;

    @TempDir
    Path workDir;

    private PythonWorkerRuntime runtime;

    @BeforeEach
    void startRuntime() {
        runtime = new PythonWorkerRuntime(PYTHON, runtimeDir);
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    @Test
    void theNextWorkerStartsFromAStandbyThatImportedTheLastDeploymentsLibrariesAndBecomesThatWorker() throws IOException {
        try (RunningDeployment first = runtime.start(spec("first", Map.of("PROBE_VALUE", "one")), stage -> {})) {
            JsonNode cold = score(first);
            assertThat(cold.get("preloaded").asBoolean()).as("the first worker of a runtime starts cold").isFalse();
            assertThat(cold.get("probe").asText()).isEqualTo("one");
        }
        // What the first worker imported from the system's libraries, and nothing of the deployment's own code.
        List<String> modules = Files.readAllLines(runtimeDir.resolve(StandbyWorker.MODULES_FILE));
        assertThat(modules).contains("fractions", "json").doesNotContain("score", "probe_helper", "__main__");
        ProcessHandle standby = awaitStandby();

        try (RunningDeployment second = runtime.start(spec("second", Map.of("PROBE_VALUE", "two")), stage -> {})) {
            JsonNode warm = score(second);
            assertThat(warm.get("preloaded").asBoolean()).as("fractions was imported before score.py ran").isTrue();
            assertThat(warm.get("pid").asLong()).isEqualTo(standby.pid());
            assertThat(second.instances()).singleElement().satisfies(instance -> assertThat(instance.pid()).isEqualTo(standby.pid()));
            // It became exactly the worker a cold start makes: the deployment's environment, folder, arguments and input.
            Path codeDir = resource("standby_probe").toAbsolutePath();
            assertThat(warm.get("probe").asText()).isEqualTo("two");
            assertThat(warm.get("modelDir").asText()).isEqualTo(resource("models/linear").toAbsolutePath().toString());
            assertThat(Path.of(warm.get("cwd").asText())).isEqualTo(codeDir);
            assertThat(warm.get("argv").get(0).asText()).isEqualTo("--socket");
            assertThat(warm.get("argv").toString()).contains("--code-dir", codeDir.toString(), "--scoring-script", "score.py");
            assertThat(warm.get("stdinIsDevNull").asBoolean()).isTrue();
            assertThat(warm.get("half").asText()).isEqualTo("1/2");
            assertThat(warm.get("helper").asText()).isEqualTo("probe-helper");
            // Its output goes to its own console log from the moment it takes the job.
            assertThat(second.consoleLog(50)).contains("is the standby interpreter", "standby-probe: init in " + codeDir + " preloaded True");
            assertThat(Files.readString(runtimeDir.resolve("standby.log"))).doesNotContain("standby-probe");
        }
    }

    @Test
    void aWorkerWhoseEnvironmentChangesWhatLibrariesReadAtImportStartsCold() {
        try (RunningDeployment first = runtime.start(spec("first", Map.of()), stage -> {})) {
            score(first);
        }
        ProcessHandle standby = awaitStandby();

        try (RunningDeployment threads = runtime.start(spec("threads", Map.of("OMP_NUM_THREADS", "1")), stage -> {})) {
            JsonNode cold = score(threads);
            assertThat(cold.get("preloaded").asBoolean()).isFalse();
            assertThat(cold.get("pid").asLong()).isNotEqualTo(standby.pid());
        }
        assertThat(standby.isAlive()).as("the standby still waits for a worker it suits").isTrue();
        try (RunningDeployment plain = runtime.start(spec("plain", Map.of("MY_SETTING", "x")), stage -> {})) {
            assertThat(score(plain).get("pid").asLong()).isEqualTo(standby.pid());
        }
    }

    @Test
    void aStandbyThatDiedIsPassedOverAndCloseStopsTheWaitingOne() {
        try (RunningDeployment first = runtime.start(spec("first", Map.of()), stage -> {})) {
            score(first);
        }
        ProcessHandle killed = awaitStandby();
        killed.destroyForcibly();
        await(() -> !killed.isAlive());

        try (RunningDeployment next = runtime.start(spec("next", Map.of()), stage -> {})) {
            JsonNode cold = score(next);
            assertThat(cold.get("preloaded").asBoolean()).isFalse();
        }
        // The list did not change: a standby that exited with it is not started again.
        assertThat(standbys()).isEmpty();

        try (RunningDeployment other = runtime.start(spec("other", Map.of()), stage -> {})) {
            score(other);
        }
        assertThat(standbys()).isEmpty();
        // Another scoring script imports other modules: a new list starts a standby again; close() stops it.
        try (RunningDeployment pid = runtime.start(spec("pid", "pid", Map.of()), stage -> {})) {
            assertThat(answered(pid.score(post("probe"))).status()).isEqualTo(200);
        }
        ProcessHandle waiting = awaitStandby();
        runtime.close();
        await(() -> !waiting.isAlive());
    }

    @Test
    void aWaitingStandbyEndsWhenItsInputClosesAsWhenTheServerDies() throws Exception {
        Path modules = Files.writeString(runtimeDir.resolve("modules.txt"), "fractions\nno_such_module_anywhere\n");
        Process standby = new ProcessBuilder(PYTHON.toString(), "-u", runtimeDir.resolve("enclave_worker.py").toString(), "--standby", modules.toString())
                .redirectErrorStream(true).start();
        assertThat(standby.waitFor(1, TimeUnit.SECONDS)).as("it waits for its worker").isFalse();
        standby.getOutputStream().close();
        assertThat(standby.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(standby.exitValue()).isZero();
        // A module it cannot import is passed over quietly.
        assertThat(new String(standby.getInputStream().readAllBytes())).isEmpty();
    }

    @Test
    void aRuntimeWithoutTheStandbyStartsEveryWorkerCold() throws Exception {
        runtime.close();
        runtime = new PythonWorkerRuntime(PYTHON, runtimeDir, false);
        for (String name : List.of("first", "second")) {
            try (RunningDeployment deployment = runtime.start(spec(name, Map.of()), stage -> {})) {
                assertThat(score(deployment).get("preloaded").asBoolean()).isFalse();
            }
        }
        Thread.sleep(StandbyWorker.REFILL_DELAY.toMillis() + 500);
        assertThat(standbys()).isEmpty();
        assertThat(runtimeDir.resolve(StandbyWorker.MODULES_FILE)).doesNotExist();
    }

    /** The standby interpreter this runtime started, once there is one. */
    private static ProcessHandle awaitStandby() {
        await(() -> !standbys().isEmpty());
        return standbys().getFirst();
    }

    private static List<ProcessHandle> standbys() {
        return ProcessHandle.current().children()
                .filter(ProcessHandle::isAlive)
                .filter(child -> child.info().arguments().map(List::of).orElse(List.of()).contains("--standby"))
                .toList();
    }

    private static JsonNode score(RunningDeployment deployment) {
        ScoreResult.Answered answer = answered(deployment.score(post("probe")));
        assertThat(answer.status()).isEqualTo(200);
        try {
            return Json.MAPPER.readTree(text(answer));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private WorkerSpec spec(String name, Map<String, String> environment) {
        return spec(name, "standby_probe", environment);
    }

    private WorkerSpec spec(String name, String scorer, Map<String, String> environment) {
        return new WorkerSpec("/subscriptions/test/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
                + "/onlineEndpoints/ep/deployments/" + name, workDir.resolve(name), resource(scorer), "score.py",
                resource("models/linear"), environment, 1, REQUESTS, LIVENESS, READINESS, Optional.empty(),
                new WorkerNetwork.Host(), Optional.empty());
    }
}
