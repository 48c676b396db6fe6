package enclave.serving.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Debian Python processes running the test scorers under {@code src/test/resources/runtime}. */
class PythonWorkerRuntimeTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Duration AWAIT = Duration.ofSeconds(20);

    // Fast probes so that crashes, restarts and hangs are seen within a second or two.
    private static final ProbeSettings READINESS =
            new ProbeSettings(Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofSeconds(1), 1, 3);
    private static final ProbeSettings LIVENESS =
            new ProbeSettings(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(500), 1, 3);
    private static final RequestSettings REQUESTS = new RequestSettings(Duration.ofSeconds(10), 4, Duration.ofSeconds(2));

    @TempDir
    static Path runtimeDir;

    private static PythonWorkerRuntime runtime;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startRuntime() {
        runtime = new PythonWorkerRuntime(PYTHON, runtimeDir);
    }

    @AfterAll
    static void closeRuntime() {
        runtime.close();
    }

    @Test
    void scoresWithANumpyModelLoadedInInit() {
        List<String> stages = new ArrayList<>();
        try (RunningDeployment deployment = runtime.start(spec("numpy_model").build(), stages::add)) {
            assertThat(stages).containsExactly("checking environment", "initializing", "probing");
            assertThat(deployment.instances()).singleElement().satisfies(instance -> {
                assertThat(instance.state()).isEqualTo("Ready");
                assertThat(instance.pid()).isPositive();
                assertThat(instance.restarts()).isZero();
            });

            ScoreResult.Answered answer = answered(deployment.score(post("{\"data\": [[1, 1], [0, 2]]}")));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.headers()).containsEntry("Content-Type", "application/json");
            assertThat(text(answer)).isEqualTo("[[4.0, 6.0], [6.0, 8.0]]");
            assertThat(answer.instance()).isZero();
        }
    }

    @Test
    void anExceptionInRunIsA500ModelErrorWithTheTracebackInTheLog() {
        try (RunningDeployment deployment = runtime.start(spec("run_raises").build(), stage -> {})) {
            ScoreResult.Answered answer = answered(deployment.score(post("hello")));

            assertThat(answer.status()).isEqualTo(500);
            assertThat(text(answer))
                    .isEqualTo("{\"error\": {\"code\": \"ModelError\", \"message\": \"ValueError: cannot score 'hello'\"}}");
            await(() -> deployment.consoleLog(50).contains("ValueError: cannot score 'hello'"));
            assertThat(deployment.consoleLog(50)).contains("enclave: run() failed:", "Traceback (most recent call last):");
            // The worker survives its model's exceptions.
            assertThat(deployment.restarts()).isZero();
            assertThat(answered(deployment.score(post("again"))).status()).isEqualTo(500);
        }
    }

    @Test
    void anExceptionInInitFailsTheStartWithTheConsoleOutput() {
        assertThatThrownBy(() -> runtime.start(spec("init_raises").build(), stage -> {}))
                .isInstanceOfSatisfying(EnclaveException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ScoringScriptInitFailed);
                    assertThat(e.getMessage())
                            .contains("failed to initialize")
                            .contains("init-raises-scorer: loading the model")
                            .contains("enclave: init() failed:")
                            .contains("RuntimeError: model file is corrupt");
                });
        assertThat(workDir.resolve("sockets/instance-0.sock")).doesNotExist();
    }

    @Test
    void anInitThatNeverFinishesFailsTheStartAfterTheReadinessLimit() {
        // 3 s: long enough for a loaded CI machine to start Python and print, short enough to keep the test quick
        ProbeSettings impatient = new ProbeSettings(Duration.ZERO, Duration.ofMillis(100), Duration.ofSeconds(1), 1, 30);
        long started = System.nanoTime();

        assertThatThrownBy(() -> runtime.start(spec("never_ready").readiness(impatient).build(), stage -> {}))
                .isInstanceOfSatisfying(EnclaveException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ScoringScriptInitFailed);
                    assertThat(e.getMessage()).contains("never became ready", "never-ready-scorer: loading forever");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void whatInitPrintsIsInTheConsoleLog() {
        try (RunningDeployment deployment = runtime.start(spec("printing").build(), stage -> {})) {
            assertThat(deployment.consoleLog(100)).contains(
                    "printing-scorer: hello from init on stdout",
                    "printing-scorer: hello from init on stderr",
                    "hello from init via logging");
            assertThat(deployment.consoleLog(100).lines())
                    .contains("printing-scorer: another writer's line", "printing-scorer: one line in parts");

            answered(deployment.score(post("ping")));

            await(() -> deployment.consoleLog(100).contains("printing-scorer: run got ping"));
            assertThat(deployment.consoleLog(1)).isEqualTo("printing-scorer: run got ping");
        }
    }

    @Test
    void aConsoleLogOverItsCapStartsAgainAndItsLastLinesStillRead() throws Exception {
        try (RunningDeployment deployment = runtime.start(spec("printing").build(), stage -> {})) {
            Path log = workDir.resolve("logs/instance-0.log");
            int mib = (int) (WorkerInstance.CONSOLE_LOG_MAX_BYTES >> 20) + 1;
            answered(deployment.score(post("print-mib:" + mib)));

            // The supervisor checks at its next liveness probe (every 100 ms here).
            await(() -> Files.exists(LogFiles.previous(log)));
            answered(deployment.score(post("ping")));
            await(() -> deployment.consoleLog(1).equals("printing-scorer: run got ping"));

            assertThat(Files.size(log)).isLessThan(1024);
            assertThat(Files.size(LogFiles.previous(log))).isGreaterThan(WorkerInstance.CONSOLE_LOG_MAX_BYTES);
            assertThat(deployment.consoleLog(2)).isEqualTo("printing-scorer: printed " + mib + " MiB\nprinting-scorer: run got ping");
        }
    }

    @Test
    void aRunSlowerThanTheRequestTimeoutTimesOutAndTheInstanceKeepsServing() {
        RequestSettings quick = new RequestSettings(Duration.ofMillis(300), 2, Duration.ofSeconds(2));
        try (RunningDeployment deployment = runtime.start(spec("slow").requests(quick).build(), stage -> {})) {
            ScoreResult result = deployment.score(post("3"));

            assertThat(result).isInstanceOfSatisfying(ScoreResult.TimedOut.class, timedOut ->
                    assertThat(timedOut.afterMillis()).isBetween(250L, 2_500L));
            assertThat(text(answered(deployment.score(post("0"))))).isEqualTo("\"slept 0\"");
        }
    }

    @Test
    void aSlowRunDoesNotHoldUpQuickRequestsOnTheSameInstance() throws Exception {
        try (RunningDeployment deployment = runtime.start(spec("slow").build(), stage -> {})) {
            CompletableFuture<ScoreResult> slow = deployment.scoreAsync(post("3"));
            // The worker runs requests on one event loop; a run() this long makes another thread take the loop over.
            for (int i = 0; i < 5; i++) {
                assertThat(text(answered(deployment.score(post("0"))))).isEqualTo("\"slept 0\"");
            }
            assertThat(slow).isNotDone();
            assertThat(text(answered(slow.get(10, TimeUnit.SECONDS)))).isEqualTo("\"slept 3\"");
            assertThat(text(answered(deployment.score(post("0"))))).isEqualTo("\"slept 0\"");
        }
    }

    @Test
    void theWorkerAlsoSpeaksHttpOnItsSocketIncludingPipelinedAndChunkedRequests() throws Exception {
        try (RunningDeployment deployment = runtime.start(spec("slow").build(), stage -> {})) {
            Path socket = workDir.resolve("sockets/instance-0.sock");
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                String requests = "POST /score HTTP/1.1\r\nHost: worker\r\nContent-Length: 1\r\n\r\n0"
                        + "POST /score HTTP/1.1\r\nHost: worker\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n0.0\r\n0\r\n\r\n"
                        + "GET /nowhere HTTP/1.1\r\nHost: worker\r\n\r\n"
                        + "NONSENSE\r\n\r\n";
                channel.write(ByteBuffer.wrap(requests.getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                while (channel.read(buffer) >= 0) {
                    // the worker closes the connection after the malformed request
                }
                String answers = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);

                assertThat(answers.split("HTTP/1.1 ", -1)).hasSize(5);
                assertThat(answers).contains("\r\n\r\n\"slept 0\"HTTP/1.1 200 OK").contains("\"slept 0.0\"")
                        .contains("HTTP/1.1 404 Not Found").contains("no route for /nowhere")
                        .contains("HTTP/1.1 400 Bad Request").contains("Connection: close").contains("malformed request line");
            }
        }
    }

    @Test
    void requestsBeyondTheConcurrencyLimitAreThrottledWhenTheyCannotWait() throws Exception {
        RequestSettings oneAtATime = new RequestSettings(Duration.ofSeconds(10), 1, Duration.ZERO);
        try (RunningDeployment deployment = runtime.start(spec("slow").requests(oneAtATime).build(), stage -> {})) {
            List<ScoreResult> results = concurrently(5, () -> deployment.score(post("1")));

            assertThat(results).filteredOn(ScoreResult.Answered.class::isInstance).isNotEmpty();
            assertThat(results).filteredOn(ScoreResult.Throttled.class::isInstance).isNotEmpty();
            assertThat(results).allMatch(r -> r instanceof ScoreResult.Answered || r instanceof ScoreResult.Throttled);
        }
    }

    @Test
    void requestsWaitForAFreeSlotWithinTheQueueWait() throws Exception {
        RequestSettings patient = new RequestSettings(Duration.ofSeconds(10), 1, Duration.ofSeconds(5));
        try (RunningDeployment deployment = runtime.start(spec("slow").requests(patient).build(), stage -> {})) {
            List<ScoreResult> results = concurrently(2, () -> deployment.score(post("0.3")));

            assertThat(results).allSatisfy(result -> assertThat(answered(result).status()).isEqualTo(200));
        }
    }

    @Test
    void moreThanTwiceTheConcurrencyLimitPendingIsThrottledAtOnce() throws Exception {
        RequestSettings patient = new RequestSettings(Duration.ofSeconds(10), 1, Duration.ofSeconds(10));
        try (RunningDeployment deployment = runtime.start(spec("slow").requests(patient).build(), stage -> {})) {
            List<ScoreResult> results = concurrently(4, () -> deployment.score(post("1")));

            // 2 × max 1 × 1 instance: one in flight and one waiting; the rest are refused.
            assertThat(results).filteredOn(ScoreResult.Answered.class::isInstance).hasSize(2);
            assertThat(results).filteredOn(ScoreResult.Throttled.class::isInstance).hasSize(2)
                    .allSatisfy(result -> assertThat(((ScoreResult.Throttled) result).reason()).contains("pending"));
        }
    }

    @Test
    void twoInstancesBothAnswerAndGetTheDeploymentsEnvironment() {
        WorkerSpec spec = spec("pid").instances(2).environment(Map.of("GREETING", "hello")).build();
        try (RunningDeployment deployment = runtime.start(spec, stage -> {})) {
            List<InstanceStatus> instances = deployment.instances();
            assertThat(instances).extracting(InstanceStatus::state).containsExactly("Ready", "Ready");
            assertThat(instances).extracting(InstanceStatus::pid).doesNotHaveDuplicates();

            List<ScoreResult.Answered> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(answered(deployment.score(post("x"))));
            }

            assertThat(answers).extracting(ScoreResult.Answered::instance).contains(0, 1);
            assertThat(answers).map(PythonWorkerRuntimeTest::text)
                    .anySatisfy(body -> assertThat(body).contains("\"pid\": " + instances.get(0).pid()))
                    .anySatisfy(body -> assertThat(body).contains("\"pid\": " + instances.get(1).pid()))
                    .allSatisfy(body -> assertThat(body)
                            .contains("\"greeting\": \"hello\"")
                            .contains("\"model_dir\": \"" + resource("models/linear") + "\""));
            assertThat(deployment.consoleLog(10)).contains("--- instance 0 ---", "--- instance 1 ---");
        }
    }

    @Test
    void aCrashedWorkerIsRestartedAndServesAgain() {
        try (RunningDeployment deployment = runtime.start(spec("crashy").build(), stage -> {})) {
            long firstPid = deployment.instances().getFirst().pid();

            assertThat(deployment.score(post("crash"))).isInstanceOf(ScoreResult.Unavailable.class);

            await(() -> deployment.restarts() >= 1 && deployment.instances().getFirst().state().equals("Ready"));
            ScoreResult.Answered answer = answered(deployment.score(post("hello")));
            assertThat(answer.status()).isEqualTo(200);
            InstanceStatus instance = deployment.instances().getFirst();
            assertThat(instance.pid()).isNotEqualTo(firstPid);
            assertThat(text(answer)).isEqualTo("{\"pid\": " + instance.pid() + "}");
            assertThat(instance.restarts()).isGreaterThanOrEqualTo(1);
            assertThat(deployment.consoleLog(20)).contains("enclave: worker exited with code 1; restarting (restart #1)");
        }
    }

    @Test
    void aWorkerThatStopsAnsweringIsKilledByItsLivenessProbe() {
        RequestSettings quick = new RequestSettings(Duration.ofMillis(500), 1, Duration.ZERO);
        try (RunningDeployment deployment = runtime.start(spec("crashy").requests(quick).build(), stage -> {})) {
            long frozenPid = deployment.instances().getFirst().pid();

            assertThat(deployment.score(post("freeze"))).isInstanceOf(ScoreResult.TimedOut.class);

            await(() -> deployment.restarts() >= 1 && deployment.instances().getFirst().state().equals("Ready"));
            assertThat(answered(deployment.score(post("hello"))).status()).isEqualTo(200);
            assertThat(ProcessHandle.of(frozenPid).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(deployment.consoleLog(20)).contains("liveness probes in a row; killed it; restarting (restart #1)");
        }
    }

    @Test
    void closeStopsEveryProcessAndIsIdempotent() {
        RunningDeployment deployment = runtime.start(spec("pid").instances(2).build(), stage -> {});
        List<Long> pids = deployment.instances().stream().map(InstanceStatus::pid).toList();

        deployment.close();
        deployment.close();

        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
        assertThat(deployment.instances()).extracting(InstanceStatus::state).containsOnly("Stopped");
        assertThat(deployment.score(post("x"))).isInstanceOf(ScoreResult.Unavailable.class);
        assertThat(workDir.resolve("sockets/instance-0.sock")).doesNotExist();
    }

    @Test
    void aWorkDirTooDeepForASocketPathStillWorks() throws Exception {
        Path deep = Files.createDirectories(workDir.resolve("d".repeat(60)).resolve("e".repeat(60)));
        WorkerSpec shallow = spec("pid").build();
        WorkerSpec spec = new WorkerSpec(shallow.deploymentId(), deep, shallow.codeDir(), shallow.scoringScript(), shallow.modelDir(),
                Map.of(), 1, REQUESTS, LIVENESS, READINESS, Optional.empty(), new WorkerNetwork.Host(), Optional.empty());

        try (RunningDeployment deployment = runtime.start(spec, stage -> {})) {
            assertThat(answered(deployment.score(post("x"))).status()).isEqualTo(200);
            assertThat(deep.resolve("sockets")).doesNotExist();
            assertThat(deep.resolve("logs/instance-0.log")).exists();
        }
    }

    @Test
    void aCondaFileNamingAMissingPackageFailsTheStartAndSaysHowToFixIt() {
        String conda = """
                name: model-env
                channels:
                  - conda-forge
                dependencies:
                  - python=3.12
                  - numpy
                  - pip
                  - pip:
                    - scikit-learn
                    - azureml-inference-server-http==1.4.1
                    - definitely-not-installed-pkg==0.1
                """;

        assertThatThrownBy(() -> runtime.start(spec("pid").conda(conda).build(), stage -> {}))
                .isInstanceOfSatisfying(EnclaveException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.MissingPythonPackage);
                    assertThat(e.getMessage())
                            .contains("definitely-not-installed-pkg (import definitely_not_installed_pkg)")
                            .contains("/usr/bin/python3")
                            .contains("apt-get install python3-definitely-not-installed-pkg")
                            .contains("another Python interpreter")
                            .doesNotContain("numpy")
                            .doesNotContain("sklearn")
                            .doesNotContain("azureml");
                });
        // The worker started beside the check (issue 6) and was stopped with the failure.
        assertThat(ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(workDir.toString()))
                .filter(ProcessHandle::isAlive))
                .isEmpty();
    }

    @Test
    void aCondaFileWhosePackagesAreInstalledStartsAndNotesDifferentVersions() {
        String conda = """
                dependencies:
                  - python=3.12
                  - numpy
                  - scikit-learn=0.0.1
                  - pip:
                    - azureml-inference-server-http==1.4.1
                    - inference-schema[numpy-support]
                """;
        try (RunningDeployment deployment = runtime.start(spec("pid").conda(conda).build(), stage -> {})) {
            assertThat(deployment.consoleLog(50))
                    .contains("enclave: note: the conda file asks for python 3.12; /usr/bin/python3 is Python 3.")
                    .contains("enclave: note: the conda file pins scikit-learn 0.0.1; using the installed ");
            assertThat(answered(deployment.score(post("x"))).status()).isEqualTo(200);
        }
    }

    @Test
    void aMalformedCondaFileIsAnInvalidSpec() {
        assertThatThrownBy(() -> runtime.start(spec("pid").conda("dependencies: numpy").build(), stage -> {}))
                .isInstanceOfSatisfying(EnclaveException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.InvalidDeploymentSpec);
                    assertThat(e.getMessage()).contains("'dependencies' must be a list");
                });
    }

    private SpecBuilder spec(String scorer) {
        return new SpecBuilder(scorer);
    }

    private final class SpecBuilder {
        private final String scorer;
        private int instances = 1;
        private RequestSettings requests = REQUESTS;
        private ProbeSettings readiness = READINESS;
        private Map<String, String> environment = Map.of();
        private Optional<String> conda = Optional.empty();

        SpecBuilder(String scorer) {
            this.scorer = scorer;
        }

        SpecBuilder instances(int count) {
            this.instances = count;
            return this;
        }

        SpecBuilder requests(RequestSettings settings) {
            this.requests = settings;
            return this;
        }

        SpecBuilder readiness(ProbeSettings settings) {
            this.readiness = settings;
            return this;
        }

        SpecBuilder environment(Map<String, String> variables) {
            this.environment = variables;
            return this;
        }

        SpecBuilder conda(String text) {
            this.conda = Optional.of(text);
            return this;
        }

        WorkerSpec build() {
            return new WorkerSpec(
                    "/subscriptions/test/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
                            + "/onlineEndpoints/ep/deployments/" + scorer.replace('_', '-'),
                    workDir,
                    resource(scorer),
                    "score.py",
                    resource("models/linear"),
                    environment,
                    instances,
                    requests,
                    LIVENESS,
                    readiness,
                    conda,
                    new WorkerNetwork.Host(),
                    Optional.empty());
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(PythonWorkerRuntimeTest.class.getResource("/runtime/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ScoreRequest post(String body) {
        return new ScoreRequest("POST", "/score", Map.of("Content-Type", "text/plain"), body.getBytes(StandardCharsets.UTF_8));
    }

    static ScoreResult.Answered answered(ScoreResult result) {
        assertThat(result).isInstanceOf(ScoreResult.Answered.class);
        return (ScoreResult.Answered) result;
    }

    static String text(ScoreResult.Answered answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    private static List<ScoreResult> concurrently(int count, Supplier<ScoreResult> call) throws Exception {
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ScoreResult>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(callers.submit(call::get));
            }
            List<ScoreResult> results = new ArrayList<>();
            for (Future<ScoreResult> future : futures) {
                results.add(future.get());
            }
            return results;
        }
    }

    /** Waits up to {@link #AWAIT} for {@code condition}; shared with the other runtime tests. */
    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within " + AWAIT);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
