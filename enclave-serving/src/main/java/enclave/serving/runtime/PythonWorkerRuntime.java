package enclave.serving.runtime;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each deployment's scoring script in local Python processes ({@code enclave_worker.py}), one per
 * instance, reached over HTTP/1.1 on Unix domain sockets. Owns one pooling HTTP client for all of them;
 * {@link #close()} stops every deployment it started.
 */
public final class PythonWorkerRuntime implements WorkerRuntime, AutoCloseable {
    /** Debian's interpreter, whose packages ({@code python3-numpy}, ...) Enclave relies on. */
    public static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");

    private static final Logger LOG = LoggerFactory.getLogger(PythonWorkerRuntime.class);
    private static final String WORKER_RESOURCE = "/enclave/runtime/enclave_worker.py";
    private static final String WORKER_FILE = "enclave_worker.py";
    private static final String SANDBOX_RESOURCE = "/enclave/runtime/enclave_sandbox.py";
    private static final String SANDBOX_FILE = "enclave_sandbox.py";
    // Only these are inherited from the server's own environment: the rest may hold the server's secrets.
    private static final List<String> INHERITED_VARIABLES = List.of("PATH", "HOME", "LANG");
    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final Map<String, String> PYTHON_FLAGS = Map.of("PYTHONUNBUFFERED", "1", "PYTHONDONTWRITEBYTECODE", "1");

    private final Path python;
    private final Path workerScript;
    private final WorkerSandbox sandbox;
    private final Optional<StandbyWorker> standby;
    private final Set<PythonDeployment> deployments = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param python the interpreter that runs scoring scripts, e.g. {@link #DEFAULT_PYTHON}
     * @param runtimeDir a directory this runtime owns; the worker script is written there
     */
    public PythonWorkerRuntime(Path python, Path runtimeDir) {
        this(python, runtimeDir, true);
    }

    /** @param standbyInterpreter whether to keep a standby interpreter for the next worker ({@link StandbyWorker}) */
    public PythonWorkerRuntime(Path python, Path runtimeDir, boolean standbyInterpreter) {
        this(python, runtimeDir, WorkerSandbox.DEFAULT_UNSHARE, standbyInterpreter);
    }

    /** Why this runtime cannot put workers into their own namespaces (not root, no unshare), or empty when it can. */
    public java.util.Optional<String> namespaceProblem() {
        return sandbox.problem();
    }

    /** @param unshare util-linux's {@code unshare}, which makes the namespaces of non-host {@link WorkerNetwork}s */
    PythonWorkerRuntime(Path python, Path runtimeDir, Path unshare) {
        this(python, runtimeDir, unshare, true);
    }

    private PythonWorkerRuntime(Path python, Path runtimeDir, Path unshare, boolean standbyInterpreter) {
        this.python = python;
        this.workerScript = extractScript(runtimeDir, WORKER_RESOURCE, WORKER_FILE);
        this.sandbox = new WorkerSandbox(unshare, python, extractScript(runtimeDir, SANDBOX_RESOURCE, SANDBOX_FILE));
        this.standby = standbyInterpreter
                ? Optional.of(new StandbyWorker(python, workerScript, runtimeDir, baseEnvironment()))
                : Optional.empty();
    }

    /** A runtime using {@link #DEFAULT_PYTHON}. */
    public PythonWorkerRuntime(Path runtimeDir) {
        this(DEFAULT_PYTHON, runtimeDir);
    }

    public Path python() {
        return python;
    }

    @Override
    public RunningDeployment start(WorkerSpec spec, Consumer<String> stage) {
        if (closed) {
            throw new IllegalStateException("the Python worker runtime is closed");
        }
        Path codeDir = spec.codeDir().toAbsolutePath().normalize();
        String scoringScript = validate(spec, codeDir);
        Map<String, String> environment = environmentOf(spec);
        List<String> launcher = sandbox.launcher(spec);

        stage.accept("checking environment");
        LOG.info("deployment {}: checking environment with {}", spec.deploymentId(), python);
        // The check is a Python process of its own (about 80 ms); it runs while the worker starts, whose imports take
        // longer (issue 6). Its verdict is taken first: a missing package fails the deployment naming every package
        // missing, rather than with the worker's ImportError for the first one.
        CompletableFuture<List<String>> check = CompletableFuture.supplyAsync(() -> spec.condaFile()
                .map(CondaFile::parse)
                .map(conda -> new PythonEnvironmentCheck(python)
                        .check(conda, codeDir, environment, spec.workDir().resolve("environment-check.log")))
                .orElse(List.<String>of()), Thread::startVirtualThread);

        stage.accept("initializing");
        WorkerCommand command = new WorkerCommand(python, workerScript, codeDir, scoringScript, environment, launcher, standby);
        PythonDeployment deployment;
        try {
            deployment = PythonDeployment.launch(spec, command, deployments::remove);
        } catch (RuntimeException e) {
            check.cancel(false);
            throw e;
        }
        deployments.add(deployment);
        try {
            List<String> notes = verdict(check);
            notes.forEach(note -> LOG.info("deployment {}: note: {}", spec.deploymentId(), note));
            deployment.note(notes);
            stage.accept("probing");
            deployment.awaitReady();
        } catch (RuntimeException e) {
            deployment.close();
            throw e;
        }
        // Only now: the next standby's imports would otherwise compete with this deployment's init() for the CPU.
        standby.ifPresent(StandbyWorker::requestRefill);
        if (closed) {
            deployment.close();
            throw new IllegalStateException("the Python worker runtime was closed while starting " + spec.deploymentId());
        }
        return deployment;
    }

    /** Stops every deployment this runtime started; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        standby.ifPresent(StandbyWorker::close);
        List.copyOf(deployments).forEach(PythonDeployment::close);
    }

    /** The environment check's notes, or the exception it threw, as it threw it. */
    private static List<String> verdict(CompletableFuture<List<String>> check) {
        try {
            return check.join();
        } catch (CompletionException e) {
            if (Futures.cause(e) instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** @return the scoring script's path relative to {@code codeDir} */
    private String validate(WorkerSpec spec, Path codeDir) {
        if (!Files.isExecutable(python)) {
            throw new EnclaveException(ErrorCode.DeploymentFailed, "The Python interpreter " + python
                    + " does not exist or is not executable. Install Python 3 (on Debian: apt-get install python3)"
                    + " or configure Enclave to use another interpreter.");
        }
        Path script = codeDir.resolve(spec.scoringScript()).normalize();
        if (!script.startsWith(codeDir) || script.equals(codeDir)) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec,
                    "scoring_script '" + spec.scoringScript() + "' must be a file inside the code directory.");
        }
        if (!Files.isRegularFile(script)) {
            throw new EnclaveException(ErrorCode.InvalidDeploymentSpec,
                    "scoring_script '" + spec.scoringScript() + "' does not exist in the deployment's code.");
        }
        return codeDir.relativize(script).toString();
    }

    /** What every worker's environment starts from, and all a standby interpreter gets. */
    private static Map<String, String> baseEnvironment() {
        Map<String, String> environment = new HashMap<>();
        for (String name : INHERITED_VARIABLES) {
            String value = System.getenv(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        environment.putIfAbsent("PATH", DEFAULT_PATH);
        environment.putAll(PYTHON_FLAGS);
        return environment;
    }

    private static Map<String, String> environmentOf(WorkerSpec spec) {
        Map<String, String> environment = baseEnvironment();
        environment.putAll(spec.environment());
        environment.put("AZUREML_MODEL_DIR", spec.modelDir().toAbsolutePath().toString());
        // After the deployment's own: the worker's output must reach its console log unbuffered, whatever it asks.
        environment.putAll(PYTHON_FLAGS);
        spec.trustStore().ifPresent(trustStore -> {
            String options = "-Djavax.net.ssl.trustStore=" + trustStore.toAbsolutePath()
                    + " -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit";
            // After the deployment's own options: the JVM takes the last value of a property.
            environment.merge("JAVA_TOOL_OPTIONS", options, (own, platform) -> own + " " + platform);
        });
        return environment;
    }

    private static Path extractScript(Path runtimeDir, String resource, String file) {
        try (InputStream source = PythonWorkerRuntime.class.getResourceAsStream(resource)) {
            if (source == null) {
                throw new IllegalStateException("the script " + resource + " is missing from the classpath");
            }
            Files.createDirectories(runtimeDir);
            Path target = runtimeDir.resolve(file).toAbsolutePath();
            // Written beside and moved into place, so a worker starting meanwhile never reads half a script.
            Path temporary = Files.createTempFile(runtimeDir, file, ".tmp");
            Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " into " + runtimeDir, e);
        }
    }

}
