package enclave.serving.operation;

import java.time.Instant;
import java.util.Optional;

/**
 * A long-running operation as ARM clients poll it.
 *
 * @param resourceId the resource the operation changes
 * @param stage what is happening now, for progress displays
 */
public record Operation(String id, String name, String resourceId, OperationStatus status, String stage, Instant startTime,
        Optional<Instant> endTime, Optional<OperationError> error) {

    public record OperationError(String code, String message) {}

    public Operation withStage(String newStage) {
        return new Operation(id, name, resourceId, status, newStage, startTime, endTime, error);
    }

    public Operation finished(OperationStatus finalStatus, Optional<OperationError> finalError, Instant at) {
        return new Operation(id, name, resourceId, finalStatus, finalStatus == OperationStatus.Succeeded ? "done" : stage, startTime,
                Optional.of(at), finalError);
    }
}
