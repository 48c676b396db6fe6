package enclave.serving.runtime;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local worker processes of one deployment, and admission control in front of them (Azure's
 * {@code request_settings}): per-instance concurrency slots, a bounded wait for a slot, and a cap on
 * pending requests. The lock guards only the slot counters; nobody holds it while a worker computes.
 */
final class PythonDeployment implements RunningDeployment {
    private static final Logger LOG = LoggerFactory.getLogger(PythonDeployment.class);

    /** Unix domain socket paths must fit in sun_path (108 bytes with its terminating NUL). */
    private static final int MAX_SOCKET_PATH_BYTES = 100;
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final WorkerSpec spec;
    private final List<WorkerInstance> instances;
    private final Optional<Path> temporarySocketDir;
    private final Consumer<PythonDeployment> onClose;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock slots = new ReentrantLock();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>(); // guarded by slots: requests waiting for a slot, in arrival order
    private final int[] inFlight; // guarded by slots
    private int nextInstance; // guarded by slots: round-robin start among equally loaded instances

    private PythonDeployment(WorkerSpec spec, WorkerCommand command, Consumer<PythonDeployment> onClose) {
        this.spec = spec;
        this.onClose = onClose;
        this.inFlight = new int[spec.instanceCount()];
        try {
            Path workDir = spec.workDir().toAbsolutePath();
            Path logs = Files.createDirectories(workDir.resolve("logs"));
            Path sockets = workDir.resolve("sockets");
            String longest = sockets.resolve(socketName(spec.instanceCount() - 1)).toString();
            if (longest.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
                // The work directory is too deep for a socket path: use a short private directory instead.
                sockets = Files.createTempDirectory(
                        Path.of("/tmp"), "enclave-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                temporarySocketDir = Optional.of(sockets);
            } else {
                Files.createDirectories(sockets);
                temporarySocketDir = Optional.empty();
            }
            List<WorkerInstance> created = new ArrayList<>();
            for (int index = 0; index < spec.instanceCount(); index++) {
                created.add(new WorkerInstance(
                        spec.deploymentId(),
                        index,
                        command,
                        sockets.resolve(socketName(index)),
                        logs.resolve("instance-" + index + ".log"),
                        spec.liveness(),
                        spec.readiness(),
                        new WorkerClient(sockets.resolve(socketName(index))),
                        this::signalSlotChange));
            }
            this.instances = List.copyOf(created);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the work directory " + spec.workDir(), e);
        }
    }

    /** Creates the deployment's directories and launches every instance; they become ready later ({@link #awaitReady}). */
    static PythonDeployment launch(
            WorkerSpec spec, WorkerCommand command, Consumer<PythonDeployment> onClose) {
        PythonDeployment deployment = new PythonDeployment(spec, command, onClose);
        try {
            for (WorkerInstance instance : deployment.instances) {
                instance.start();
            }
        } catch (IOException e) {
            deployment.close();
            throw new EnclaveException(ErrorCode.DeploymentFailed,
                    "Cannot start the Python interpreter " + command.python() + ": " + e.getMessage()
                            + ". Install Python 3 there or configure Enclave to use another interpreter.");
        }
        LOG.info("deployment {}: launched {} worker instance(s)", spec.deploymentId(), spec.instanceCount());
        return deployment;
    }

    /** Adds notes about the deployment (from the environment check) to every instance's console log. */
    void note(List<String> notes) {
        for (WorkerInstance instance : instances) {
            notes.forEach(note -> instance.appendToLog("enclave: note: " + note));
        }
    }

    /** Blocks until every instance is ready; on the first failure throws it ({@code ScoringScriptInitFailed} with the log tail). */
    void awaitReady() {
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger remaining = new AtomicInteger(instances.size());
        for (WorkerInstance instance : instances) {
            instance.firstReady().whenComplete((ready, failure) -> {
                if (failure != null) {
                    all.completeExceptionally(failure);
                } else if (remaining.decrementAndGet() == 0) {
                    all.complete(null);
                }
            });
        }
        try {
            // The supervisors enforce the startup limit; this bound only guards against a supervisor bug.
            all.get(WorkerInstance.MAX_STARTUP.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("deployment {}: all {} instance(s) ready", spec.deploymentId(), instances.size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EnclaveException failure) {
                throw failure;
            }
            throw new IllegalStateException("worker supervision failed", e.getCause());
        } catch (TimeoutException e) {
            throw new EnclaveException(ErrorCode.ScoringScriptInitFailed, "The deployment's instances never became ready.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnclaveException(ErrorCode.DeploymentFailed, "Interrupted while waiting for the deployment's instances.");
        }
    }

    @Override
    public CompletableFuture<ScoreResult> scoreAsync(ScoreRequest request) {
        if (closed.get()) {
            return CompletableFuture.completedFuture(new ScoreResult.Unavailable("the deployment is stopped"));
        }
        RequestSettings settings = spec.requestSettings();
        int ready = readyCount();
        if (ready == 0) {
            return CompletableFuture.completedFuture(new ScoreResult.Unavailable("no instance of the deployment is ready"));
        }
        // Azure's rule: at most 2 × max_concurrent_requests_per_instance × instances in flight or queued.
        int limit = 2 * settings.maxConcurrentRequestsPerInstance() * ready;
        if (pending.incrementAndGet() > limit) {
            pending.decrementAndGet();
            return CompletableFuture.completedFuture(new ScoreResult.Throttled("more than " + limit + " requests are pending (2 × "
                    + "max_concurrent_requests_per_instance " + settings.maxConcurrentRequestsPerInstance() + " × " + ready + " ready instance(s))"));
        }
        CompletableFuture<ScoreResult> result = admit(settings).thenCompose(admission -> switch (admission) {
            case Admission.Refused refused -> CompletableFuture.completedFuture(refused.result());
            case Admission.Admitted admitted -> admitted.instance().send(request, settings.requestTimeout())
                    // The slot is free again before the caller continues, so the next waiting request goes out first.
                    .whenComplete((answer, failure) -> release(admitted.instance()));
        });
        return result.handle((answer, failure) -> {
            pending.decrementAndGet();
            return failure == null ? answer : new ScoreResult.Unavailable("the request failed inside Enclave: " + failure);
        });
    }

    @Override
    public List<InstanceStatus> instances() {
        return instances.stream().map(WorkerInstance::status).toList();
    }

    @Override
    public int pendingRequests() {
        return pending.get();
    }

    @Override
    public int restarts() {
        return instances.stream().mapToInt(WorkerInstance::restarts).sum();
    }

    @Override
    public String consoleLog(int lines) {
        if (instances.size() == 1) {
            return String.join("\n", LogFiles.lastLines(instances.getFirst().log(), lines));
        }
        return instances.stream()
                .sorted(Comparator.comparingInt(WorkerInstance::index))
                .flatMap(instance -> Stream.concat(
                        Stream.of("--- instance " + instance.index() + " ---"), LogFiles.lastLines(instance.log(), lines).stream()))
                .reduce((first, second) -> first + "\n" + second)
                .orElse("");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Ask every process to stop first, then wait once: stopping N instances takes one grace period, not N.
        instances.forEach(WorkerInstance::beginStop);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        instances.forEach(instance -> instance.awaitStopped(deadline));
        signalSlotChange();
        temporarySocketDir.ifPresent(FileTrees::deleteQuietly);
        onClose.accept(this);
        LOG.info("deployment {}: stopped {} worker instance(s)", spec.deploymentId(), instances.size());
    }

    String deploymentId() {
        return spec.deploymentId();
    }

    /**
     * A slot now if one is free and nobody waits for one; otherwise a place in the queue (first come, first served) for
     * at most {@code maxQueueWait}. A released slot goes straight to the first waiter.
     */
    private CompletableFuture<Admission> admit(RequestSettings settings) {
        Waiter waiter;
        slots.lock();
        try {
            if (closed.get()) {
                return CompletableFuture.completedFuture(new Admission.Refused(new ScoreResult.Unavailable("the deployment is stopped")));
            }
            Optional<WorkerInstance> free = waiting.isEmpty() ? leastLoadedReady(settings.maxConcurrentRequestsPerInstance()) : Optional.empty();
            if (free.isPresent()) {
                inFlight[free.get().index()]++;
                return CompletableFuture.completedFuture(new Admission.Admitted(free.get()));
            }
            if (settings.maxQueueWait().isZero() || settings.maxQueueWait().isNegative()) {
                return CompletableFuture.completedFuture(new Admission.Refused(noSlot(settings)));
            }
            waiter = new Waiter(new CompletableFuture<>());
            waiting.addLast(waiter);
        } finally {
            slots.unlock();
        }
        WorkerIo.expireUnlessDone(waiter.admission(), settings.maxQueueWait(), () -> giveUp(waiter, settings));
        return waiter.admission();
    }

    private record Waiter(CompletableFuture<Admission> admission) {}

    private void giveUp(Waiter waiter, RequestSettings settings) {
        slots.lock();
        try {
            if (!waiting.remove(waiter)) {
                return; // it got a slot meanwhile
            }
        } finally {
            slots.unlock();
        }
        waiter.admission().complete(new Admission.Refused(noSlot(settings)));
    }

    private ScoreResult noSlot(RequestSettings settings) {
        return readyCount() == 0
                ? new ScoreResult.Unavailable("no instance of the deployment is ready")
                : new ScoreResult.Throttled("no free slot within max_queue_wait_ms " + settings.maxQueueWait().toMillis()
                        + " (max_concurrent_requests_per_instance " + settings.maxConcurrentRequestsPerInstance() + ")");
    }

    /** The ready instance with the fewest requests in flight and a free slot; ties go round-robin. Caller holds the lock. */
    private Optional<WorkerInstance> leastLoadedReady(int maxPerInstance) {
        WorkerInstance best = null;
        int count = instances.size();
        for (int offset = 0; offset < count; offset++) {
            WorkerInstance candidate = instances.get((nextInstance + offset) % count);
            int load = inFlight[candidate.index()];
            if (candidate.isReady() && load < maxPerInstance && (best == null || load < inFlight[best.index()])) {
                best = candidate;
            }
        }
        if (best != null) {
            nextInstance = (best.index() + 1) % count;
        }
        return Optional.ofNullable(best);
    }

    private void release(WorkerInstance instance) {
        slots.lock();
        try {
            inFlight[instance.index()]--;
        } finally {
            slots.unlock();
        }
        signalSlotChange();
    }

    /** Hands free slots to waiting requests, in order: one was freed, or an instance became (un)ready, or the deployment stopped. */
    private void signalSlotChange() {
        List<Runnable> wake = new ArrayList<>();
        slots.lock();
        try {
            int maxPerInstance = spec.requestSettings().maxConcurrentRequestsPerInstance();
            while (!waiting.isEmpty()) {
                Waiter first = waiting.peekFirst();
                if (closed.get()) {
                    waiting.pollFirst();
                    wake.add(() -> first.admission().complete(new Admission.Refused(new ScoreResult.Unavailable("the deployment is stopped"))));
                    continue;
                }
                Optional<WorkerInstance> free = leastLoadedReady(maxPerInstance);
                if (free.isEmpty()) {
                    break;
                }
                waiting.pollFirst();
                inFlight[free.get().index()]++;
                wake.add(() -> first.admission().complete(new Admission.Admitted(free.get())));
            }
        } finally {
            slots.unlock();
        }
        // Outside the lock: completing starts the waiter's request on this thread.
        wake.forEach(Runnable::run);
    }

    private int readyCount() {
        return (int) instances.stream().filter(WorkerInstance::isReady).count();
    }

    private static String socketName(int index) {
        return "instance-" + index + ".sock";
    }

    /** Whether a request got a slot on an instance, or why not. */
    private sealed interface Admission {
        record Admitted(WorkerInstance instance) implements Admission {}

        record Refused(ScoreResult result) implements Admission {}
    }
}
