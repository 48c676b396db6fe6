package enclave.serving.runtime;

import java.util.Map;

/** Every way a scoring request can end at the runtime. */
public sealed interface ScoreResult {
    /** The worker answered (any status; 500 means {@code run()} raised, and the body says why). */
    record Answered(int status, Map<String, String> headers, byte[] body, int instance) implements ScoreResult {}

    /** No slot became free within {@code maxQueueWait}, or too many requests were pending: 429. */
    record Throttled(String reason) implements ScoreResult {}

    /** The worker did not answer within {@code requestTimeout}: 408. */
    record TimedOut(long afterMillis) implements ScoreResult {}

    /** No ready instance, or the connection to the worker failed: 502. */
    record Unavailable(String reason) implements ScoreResult {}
}
