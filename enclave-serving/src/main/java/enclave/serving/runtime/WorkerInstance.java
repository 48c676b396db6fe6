package enclave.serving.runtime;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process and its supervisor: a virtual thread that probes readiness and liveness and
 * restarts the process, with backoff, when it exits or stops answering. Scoring requests only read
 * {@link #state}; every change goes through {@link #setState}, which tells the deployment.
 */
final class WorkerInstance {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerInstance.class);

    /** How often readiness is polled until the worker first answers: deploys should take as long as init(), no longer. */
    static final Duration STARTUP_POLL = Duration.ofMillis(25);
    /** Upper bound on waiting for init(), whatever the readiness probe allows (Azure's defaults allow 310 s). */
    static final Duration MAX_STARTUP = Duration.ofSeconds(120);
    /** The worker's exit code when the scoring script fails to load or its init() raises. */
    static final int INIT_FAILED_EXIT_CODE = 3;
    static final int LOG_TAIL_LINES = 30;
    /** A console log over this many bytes starts again, its lines kept as the previous file ({@link LogFiles}). */
    static final long CONSOLE_LOG_MAX_BYTES = 16L * 1024 * 1024;

    private static final long INITIAL_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    /** A worker that ran this long before failing is not crash-looping: its next restart comes quickly again. */
    private static final Duration STABLE_UPTIME = Duration.ofSeconds(30);

    private final String deploymentId;
    private final int index;
    private final WorkerCommand command;
    private final Path socket;
    private final Path log;
    private final ProbeSettings liveness;
    private final ProbeSettings readiness;
    private final WorkerClient client;
    private final Runnable onReadinessChange;
    private final CompletableFuture<Void> firstReady = new CompletableFuture<>();
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile InstanceState state = InstanceState.Starting;
    private volatile Process process;
    private volatile Thread supervisor;
    // Guarded by this: set once, so that no process is launched after stop() began.
    private boolean stopping;

    WorkerInstance(
            String deploymentId,
            int index,
            WorkerCommand command,
            Path socket,
            Path log,
            ProbeSettings liveness,
            ProbeSettings readiness,
            WorkerClient client,
            Runnable onReadinessChange) {
        this.deploymentId = deploymentId;
        this.index = index;
        this.command = command;
        this.socket = socket;
        this.log = log;
        this.liveness = liveness;
        this.readiness = readiness;
        this.client = client;
        this.onReadinessChange = onReadinessChange;
    }

    /** Launches the process and its supervisor. */
    void start() throws IOException {
        launch();
        supervisor = Thread.ofVirtual().name("enclave-worker-supervisor-" + index).start(this::supervise);
    }

    /** Completes when the instance first answers its readiness probe; fails with {@code ScoringScriptInitFailed} if it never does. */
    CompletableFuture<Void> firstReady() {
        return firstReady;
    }

    int index() {
        return index;
    }

    boolean isReady() {
        return state == InstanceState.Ready;
    }

    int restarts() {
        return restarts.get();
    }

    Path log() {
        return log;
    }

    InstanceStatus status() {
        Process current = process;
        long pid = current == null || !current.isAlive() ? 0 : current.pid();
        return new InstanceStatus(index, state.name(), pid, restarts.get());
    }

    CompletableFuture<ScoreResult> send(ScoreRequest request, Duration timeout) {
        return client.forward(request, timeout, index);
    }

    void appendToLog(String line) {
        try {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("deployment {} instance {}: cannot write to console log {}: {}", deploymentId, index, log, e.toString());
        }
    }

    /** Stops supervision and asks the process to terminate; {@link #awaitStopped} finishes the job. */
    void beginStop() {
        Process current;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            current = process;
        }
        Thread watcher = supervisor;
        if (watcher != null) {
            watcher.interrupt();
        }
        if (current != null) {
            current.descendants().forEach(ProcessHandle::destroy);
            current.destroy();
        }
    }

    /** Waits until {@code deadlineNanos} for the process to exit after SIGTERM, then kills it, and cleans up. */
    void awaitStopped(long deadlineNanos) {
        beginStop();
        Process current = process;
        if (current != null) {
            try {
                if (!current.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    kill(current);
                }
            } catch (InterruptedException e) {
                kill(current);
                Thread.currentThread().interrupt();
            }
        }
        Thread watcher = supervisor;
        if (watcher != null) {
            try {
                watcher.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        setState(InstanceState.Stopped);
        firstReady.completeExceptionally(new EnclaveException(ErrorCode.DeploymentFailed, "the deployment was stopped while starting"));
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("deployment {} instance {}: cannot delete socket {}: {}", deploymentId, index, socket, e.toString());
        }
    }

    private void launch() throws IOException {
        synchronized (this) {
            if (stopping) {
                return;
            }
            // A stale socket from the previous process would look like readiness before init() finished.
            Files.deleteIfExists(socket);
            client.reset();
            process = command.start(socket, log);
        }
        LOG.info("deployment {} instance {}: started worker pid {}", deploymentId, index, process.pid());
    }

    private void supervise() {
        long backoffMillis = INITIAL_BACKOFF_MILLIS;
        while (true) {
            Process running = process;
            long launchedAt = System.nanoTime();
            Ending ending = watch(running);
            if (ending instanceof Ending.Stopped || isStopping()) {
                return;
            }
            if (!firstReady.isDone()) {
                // Failing before the deployment ever became ready is a failed deploy, not a crash to heal.
                kill(running);
                firstReady.completeExceptionally(startupFailure(ending));
                return;
            }
            setState(InstanceState.Restarting);
            int restart = restarts.incrementAndGet();
            String reason = switch (ending) {
                case Ending.Exited exited -> "worker exited with code " + exited.code();
                case Ending.LivenessFailed failed -> "worker failed " + failed.failures() + " liveness probes in a row; killed it";
                case Ending.NeverReady never -> "worker did not become ready within " + never.limit().toSeconds() + " s; killed it";
                case Ending.Stopped stopped -> "worker stopped";
            };
            appendToLog("enclave: " + reason + "; restarting (restart #" + restart + ")");
            LOG.warn("deployment {} instance {}: {}; restart #{}", deploymentId, index, reason, restart);
            kill(running);
            if (System.nanoTime() - launchedAt > STABLE_UPTIME.toNanos()) {
                backoffMillis = INITIAL_BACKOFF_MILLIS;
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                return;
            }
            backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            try {
                launch();
            } catch (IOException e) {
                // The dead process stays in place, so the next watch() sees it exited and backs off again.
                appendToLog("enclave: cannot start the worker: " + e.getMessage());
                LOG.error("deployment {} instance {}: cannot start the worker: {}", deploymentId, index, e.toString());
            }
        }
    }

    /** Probes a running process until it exits, fails its liveness probe, never gets ready, or the instance stops. */
    private Ending watch(Process running) {
        long launchedAt = System.nanoTime();
        Duration startupLimit = startupLimit();
        long nextReadiness = launchedAt;
        long nextLiveness = Long.MAX_VALUE;
        boolean readySinceLaunch = false;
        int readinessSuccesses = 0;
        int readinessFailures = 0;
        int livenessFailures = 0;
        while (true) {
            if (isStopping()) {
                return new Ending.Stopped();
            }
            if (!running.isAlive()) {
                setState(InstanceState.Restarting);
                return new Ending.Exited(running.exitValue());
            }
            long now = System.nanoTime();
            if (!readySinceLaunch && now - launchedAt > startupLimit.toNanos()) {
                return new Ending.NeverReady(startupLimit);
            }
            if (now - nextReadiness >= 0) {
                // Until the socket exists, init() is still running: nothing to ask yet.
                boolean ready = (readySinceLaunch || Files.exists(socket)) && client.probe("/ready", readiness.timeout());
                if (ready) {
                    readinessSuccesses++;
                    readinessFailures = 0;
                    if (state != InstanceState.Ready && readinessSuccesses >= readiness.successThreshold()) {
                        if (!readySinceLaunch) {
                            readySinceLaunch = true;
                            // Liveness is checked only once init() is done: a slow init() is the startup limit's business.
                            nextLiveness = Math.max(System.nanoTime(), launchedAt + liveness.initialDelay().toNanos());
                        }
                        setState(InstanceState.Ready);
                        firstReady.complete(null);
                    }
                } else {
                    readinessSuccesses = 0;
                    readinessFailures++;
                    if (state == InstanceState.Ready && readinessFailures >= readiness.failureThreshold()) {
                        setState(InstanceState.NotReady);
                    }
                }
                nextReadiness = System.nanoTime() + (readySinceLaunch ? readiness.period() : STARTUP_POLL).toNanos();
            }
            if (readySinceLaunch && System.nanoTime() - nextLiveness >= 0) {
                keepLogUnderCap();
                if (client.probe("/health", liveness.timeout())) {
                    livenessFailures = 0;
                } else if (++livenessFailures >= liveness.failureThreshold()) {
                    setState(InstanceState.Restarting);
                    return new Ending.LivenessFailed(livenessFailures);
                }
                nextLiveness = System.nanoTime() + liveness.period().toNanos();
            }
            long wakeAt = readySinceLaunch ? Math.min(nextReadiness, nextLiveness) : nextReadiness;
            try {
                // Returns at once when the process exits, so crashes are noticed without waiting for a probe.
                running.waitFor(Math.max(1, wakeAt - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return new Ending.Stopped();
            }
        }
    }

    /** Checked at each liveness probe (Azure's default period is 10 s): a model that prints per request fills a log fast. */
    private void keepLogUnderCap() {
        try {
            if (LogFiles.copyTruncateIfOver(log, CONSOLE_LOG_MAX_BYTES)) {
                LOG.info("deployment {} instance {}: console log over {} bytes; its lines so far are in {}", deploymentId, index,
                        CONSOLE_LOG_MAX_BYTES, LogFiles.previous(log).getFileName());
            }
        } catch (IOException e) {
            LOG.warn("deployment {} instance {}: cannot rotate console log {}: {}", deploymentId, index, log, e.toString());
        }
    }

    /** Azure fails a deployment after initial_delay + period × failure_threshold without readiness; we cap it. */
    private Duration startupLimit() {
        Duration limit = readiness.initialDelay().plus(readiness.period().multipliedBy(readiness.failureThreshold()));
        return limit.compareTo(MAX_STARTUP) > 0 ? MAX_STARTUP : limit;
    }

    private EnclaveException startupFailure(Ending ending) {
        String script = command.scoringScript();
        String what = switch (ending) {
            case Ending.Exited exited when exited.code() == INIT_FAILED_EXIT_CODE ->
                "The scoring script " + script + " failed to initialize (its import or init() raised) in instance " + index;
            case Ending.Exited exited ->
                "The worker for instance " + index + " exited with code " + exited.code() + " before it became ready";
            case Ending.NeverReady never -> "Instance " + index + " never became ready: init() of " + script
                    + " did not finish within " + never.limit().toMillis()
                    + " ms (the readiness probe's initial_delay + period × failure_threshold)";
            case Ending.LivenessFailed failed -> "Instance " + index + " failed its liveness probe before it became ready";
            case Ending.Stopped stopped -> "Instance " + index + " was stopped before it became ready";
        };
        List<String> tail = LogFiles.lastLines(log, LOG_TAIL_LINES);
        LOG.warn("deployment {} instance {}: {}", deploymentId, index, what);
        return new EnclaveException(ErrorCode.ScoringScriptInitFailed,
                what + ". Last lines of its console log:\n" + String.join("\n", tail));
    }

    private void setState(InstanceState next) {
        InstanceState previous;
        synchronized (this) {
            previous = state;
            if (previous == next || previous == InstanceState.Stopped) {
                return;
            }
            state = next;
        }
        LOG.info("deployment {} instance {}: {} -> {}", deploymentId, index, previous, next);
        if (previous == InstanceState.Ready || next == InstanceState.Ready) {
            onReadinessChange.run();
        }
    }

    private synchronized boolean isStopping() {
        return stopping;
    }

    private static void kill(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why {@link #watch} returned. */
    private sealed interface Ending {
        record Exited(int code) implements Ending {}

        record LivenessFailed(int failures) implements Ending {}

        record NeverReady(Duration limit) implements Ending {}

        record Stopped() implements Ending {}
    }
}
