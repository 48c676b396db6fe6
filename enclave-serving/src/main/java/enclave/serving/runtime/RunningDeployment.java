package enclave.serving.runtime;

import java.util.List;

/** The running instances of one deployment. Thread-safe; {@link #score} is called concurrently from the gateway. */
public interface RunningDeployment extends AutoCloseable {
    /**
     * Sends one request to a ready instance, honouring the request settings: at most
     * {@code maxConcurrentRequestsPerInstance} in flight per instance, waiting up to {@code maxQueueWait}
     * for a free slot, refusing at once when more than {@code 2 x max x instances} are pending, and giving
     * up after {@code requestTimeout}. Blocking; callers run on virtual threads. Never throws for a
     * worker's failure: every outcome is a {@link ScoreResult}.
     */
    ScoreResult score(ScoreRequest request);

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
