package enclave.serving.runtime;

import enclave.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Python interpreter that a runtime keeps waiting with the library modules the last deployment's scoring script
 * imported already imported (issue 6). A deploy of the sklearn sample spends ~0.35 s of its 0.45 s {@code init()} in
 * imports (numpy, joblib, and setuptools through joblib); a worker that starts from the standby skips them.
 *
 * <p>Every worker is started with {@code --modules-out}: once its {@code init()} returned, it writes the modules it
 * imported from the interpreter's own libraries (the standard library and the system's site-packages, never the
 * deployment's code or model) to {@link #modulesFile}. {@link #refill} then starts a standby that imports them and waits
 * on its stdin. {@link #take} hands it one worker's arguments, environment, working directory and console log, and it
 * becomes that worker ({@code standby()} in {@code enclave_worker.py}); the next standby starts after that deployment is
 * ready, so that its imports never compete with an {@code init()} for the CPU.
 *
 * <p>What a worker sees is what it would see started cold, with one difference: modules imported ahead of time were
 * imported under the standby's environment, the runtime's base environment. So the standby is used only for workers on
 * the host network (a sandboxed one starts inside its namespaces) whose environment agrees with the standby's on every
 * variable that an interpreter or a library reads once, at start or import ({@link #READ_AT_START}: thread counts of
 * the math libraries, {@code PYTHON*}, locale, temporary folders, ...). Any other worker starts cold, as before.
 *
 * <p>The standby costs one idle interpreter with those modules in memory (~100 MiB for the sklearn sample). A
 * standby that exits while waiting (its imports crashed it) is not started again until the list changes.
 */
final class StandbyWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandbyWorker.class);

    static final String MODULES_FILE = "standby-modules.txt";
    private static final String LOG_FILE = "standby.log";
    private static final long LOG_MAX_BYTES = 1024 * 1024;
    /** Coalesces the refills of deployments that become ready together (a server restart restores them all at once). */
    static final Duration REFILL_DELAY = Duration.ofMillis(300);
    /** Name prefixes of the variables read once, when the interpreter starts or a library is imported. */
    static final List<String> READ_AT_START = List.of("PYTHON", "LD_", "LANG", "LC_", "TZ", "PATH", "HOME", "TMP", "TEMP",
            "XDG_", "OMP_", "OPENBLAS_", "GOTO", "MKL_", "BLIS_", "KMP_", "VECLIB_", "NUMEXPR_", "NUMBA_", "NPY_", "NUMPY_",
            "SCIPY_", "SKLEARN_", "JOBLIB_", "MALLOC_", "CUDA_", "MPL", "ONNX", "ORT_", "TORCH", "TF_", "HF_", "TRANSFORMERS_");

    private final Path python;
    private final Path workerScript;
    private final Path directory;
    private final Path modulesFile;
    private final Path log;
    private final Map<String, String> environment;
    // Guarded by this.
    private Process waiting;
    private String waitingWith;
    private String failedWith;
    private boolean refillScheduled;
    private boolean closed;

    /**
     * @param directory the runtime's own folder: holds the module list and the standby's log
     * @param environment the whole environment the standby starts with (the runtime's base environment)
     */
    StandbyWorker(Path python, Path workerScript, Path directory, Map<String, String> environment) {
        this.python = python;
        this.workerScript = workerScript;
        this.directory = directory.toAbsolutePath();
        this.modulesFile = this.directory.resolve(MODULES_FILE);
        this.log = this.directory.resolve(LOG_FILE);
        this.environment = Map.copyOf(environment);
    }

    /** Where workers write the modules they imported. */
    Path modulesFile() {
        return modulesFile;
    }

    /**
     * The waiting standby, turned into the worker {@code command} describes (serving on {@code socket}, its output
     * appended to {@code consoleLog}); empty when there is none or {@code command} must start cold.
     */
    synchronized Optional<Process> take(WorkerCommand command, Path socket, Path consoleLog) {
        if (closed || waiting == null) {
            return Optional.empty();
        }
        if (!waiting.isAlive()) {
            forgetExited();
            return Optional.empty();
        }
        if (!command.launcher().isEmpty() || !command.python().equals(python) || !agreesAtStart(command.environment())) {
            return Optional.empty();
        }
        Process standby = waiting;
        waiting = null;
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("argv", command.workerArguments(socket));
        job.put("env", command.environment());
        job.put("cwd", command.codeDir().toString());
        job.put("log", consoleLog.toAbsolutePath().toString());
        try (OutputStream stdin = standby.getOutputStream()) {
            stdin.write(Json.MAPPER.writeValueAsBytes(job));
            stdin.write('\n');
        } catch (IOException e) {
            LOG.warn("the standby interpreter pid {} did not take its worker ({}); starting one cold", standby.pid(), e.toString());
            standby.destroyForcibly();
            return Optional.empty();
        }
        return Optional.of(standby);
    }

    /** Asks for a standby importing the latest module list, a moment from now (see {@link #REFILL_DELAY}). */
    synchronized void requestRefill() {
        if (closed || refillScheduled) {
            return;
        }
        refillScheduled = true;
        Thread.ofVirtual().name("enclave-standby-refill").start(() -> {
            try {
                Thread.sleep(REFILL_DELAY);
            } catch (InterruptedException e) {
                return;
            } finally {
                synchronized (this) {
                    refillScheduled = false;
                }
            }
            refill();
        });
    }

    /** Starts a standby for the current module list, unless one for that list waits already or exited with it. */
    synchronized void refill() {
        if (closed) {
            return;
        }
        String modules;
        try {
            modules = Files.readString(modulesFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", modulesFile, e.toString());
            return;
        }
        if (waiting != null && !waiting.isAlive()) {
            forgetExited();
        }
        if (waiting != null) {
            if (modules.equals(waitingWith)) {
                return;
            }
            stop(waiting);
            waiting = null;
        }
        if (modules.equals(failedWith)) {
            return;
        }
        try {
            LogFiles.renameIfOver(log, LOG_MAX_BYTES);
            waiting = WorkerCommand.interpreter(List.of(python.toString(), "-u", workerScript.toString(), "--standby", modulesFile.toString()),
                    directory, environment, log).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            waitingWith = modules;
            LOG.info("standby interpreter pid {} imports {} modules for the next worker", waiting.pid(), modules.lines().count());
        } catch (IOException e) {
            LOG.warn("cannot start a standby interpreter: {}", e.toString());
            failedWith = modules;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (waiting != null) {
            stop(waiting);
            waiting = null;
        }
    }

    /** Whether a worker with {@code workerEnvironment} sees every variable read at start as the standby saw it. */
    boolean agreesAtStart(Map<String, String> workerEnvironment) {
        Set<String> names = new HashSet<>(environment.keySet());
        names.addAll(workerEnvironment.keySet());
        return names.stream()
                .filter(name -> READ_AT_START.stream().anyMatch(name::startsWith))
                .allMatch(name -> Objects.equals(environment.get(name), workerEnvironment.get(name)));
    }

    private void forgetExited() {
        LOG.warn("the standby interpreter pid {} exited with code {} while waiting (see {}); workers start cold until the module list changes",
                waiting.pid(), waiting.exitValue(), log);
        failedWith = waitingWith;
        waiting = null;
    }

    /** Closing its stdin ends a waiting standby by itself; the signal covers one still importing. */
    private static void stop(Process standby) {
        try {
            standby.getOutputStream().close();
        } catch (IOException e) {
            // it is being stopped anyway
        }
        standby.destroy();
    }
}
