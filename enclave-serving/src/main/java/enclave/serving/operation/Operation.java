package enclave.serving.operation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A long-running operation as ARM clients poll it.
 *
 * @param resourceId the resource the operation changes
 * @param stage what is happening now, for progress displays
 * @param stages every stage so far, in order, so a client that polls slowly still shows each one
 */
public record Operation(String id, String name, String resourceId, OperationStatus status, String stage, List<String> stages, Instant startTime,
        Optional<Instant> endTime, Optional<OperationError> error) {
    public Operation {
        stages = stages == null ? List.of() : List.copyOf(stages);
    }

    public record OperationError(String code, String message) {}

    public Operation withStage(String newStage) {
        List<String> more = new java.util.ArrayList<>(stages);
        more.add(newStage);
        return new Operation(id, name, resourceId, status, newStage, more, startTime, endTime, error);
    }

    /**
     * Names this state of the operation for {@code ETag}/{@code If-None-Match}: it changes with every stage and with the
     * end, which are the only changes an operation goes through.
     */
    public String etag() {
        return "\"" + status + "." + stages.size() + "." + Integer.toHexString(stage.hashCode()) + "\"";
    }

    public Operation finished(OperationStatus finalStatus, Optional<OperationError> finalError, Instant at) {
        return new Operation(id, name, resourceId, finalStatus, finalStatus == OperationStatus.Succeeded ? "done" : stage, stages, startTime,
                Optional.of(at), finalError);
    }
}
