package enclave.serving.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The running instances of one deployment. Thread-safe; {@link #scoreAsync} is called concurrently from the gateway. */
public interface RunningDeployment extends AutoCloseable {
    /**
     * Sends one request to a ready instance, honouring the request settings: at most
     * {@code maxConcurrentRequestsPerInstance} in flight per instance, waiting up to {@code maxQueueWait}
     * for a free slot, refusing at once when more than {@code 2 x max x instances} are pending, and giving
     * up after {@code requestTimeout}. Holds no thread meanwhile; the future completes on a worker I/O
     * thread, so what the caller chains to it must not block. It never fails: every outcome is a
     * {@link ScoreResult}.
     */
    CompletableFuture<ScoreResult> scoreAsync(ScoreRequest request);

    /** {@link #scoreAsync}, waiting for the outcome. */
    default ScoreResult score(ScoreRequest request) {
        return scoreAsync(request).join();
    }

    List<InstanceStatus> instances();

    /** Requests admitted and not yet answered (waiting for a slot or in a worker), for the queue-depth gauge. */
    default int pendingRequests() {
        return 0;
    }

    /** Worker restarts since start (crashes and failed liveness probes). */
    int restarts();

    /** The last {@code lines} lines of the workers' console output (stdout and stderr). */
    String consoleLog(int lines);

    /** Stops every instance and its supervision; idempotent. */
    @Override
    void close();
}
