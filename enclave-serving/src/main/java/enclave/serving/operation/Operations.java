package enclave.serving.operation;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs long-running work in the background and keeps its status in the store, where clients poll it.
 * Operations that were in progress when the server stopped are marked Failed on start; the reconciler
 * separately brings their resources back to a terminal state.
 */
public final class Operations implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Operations.class);
    public static final String TYPE = "Microsoft.MachineLearningServices/locations/mfeOperationsStatus";

    private final ResourceStore store;
    private final String subscription;
    private final String location;
    private final Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /** Per operation in progress that someone waits on: completed (and removed) by its next change. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> changes = new ConcurrentHashMap<>();

    public Operations(ResourceStore store, String subscription, String location, Clock clock) {
        this.store = store;
        this.subscription = subscription;
        this.location = location;
        this.clock = clock;
    }

    /** The work of an operation: it reports stages and throws {@link EnclaveException} to fail. */
    @FunctionalInterface
    public interface Work {
        void run(Consumer<String> stage) throws Exception;
    }

    /** Records a new operation and starts {@code work} in the background; returns the operation at once. */
    public Operation start(ResourceId resource, String firstStage, Work work) {
        Operation operation = create(resource, firstStage);
        executor.execute(() -> runTracked(operation, work));
        return operation;
    }

    /** Records a new operation without starting anything; finish it with {@link #complete}. */
    public Operation create(ResourceId resource, String firstStage) {
        String name = UUID.randomUUID().toString();
        Operation operation = new Operation(path(name), name, resource.toString(), OperationStatus.InProgress, firstStage, List.of(firstStage), clock.instant(),
                Optional.empty(), Optional.empty());
        return save(operation);
    }

    public Operation complete(Operation operation, Optional<Operation.OperationError> error) {
        return save(operation.finished(error.isPresent() ? OperationStatus.Failed : OperationStatus.Succeeded, error, clock.instant()));
    }

    /**
     * The operation as soon as it is no longer in the state tagged {@code seen} (see {@link Operation#etag()}), or as it is
     * when {@code wait} is over: a poll that is answered the moment a stage changes instead of at the next interval.
     * Blocks the calling (virtual) thread.
     */
    public Operation awaitChange(String name, String seen, Duration wait) {
        CompletableFuture<Void> changed = changes.computeIfAbsent(name, ignored -> new CompletableFuture<>());
        Operation current = get(name);
        if (current.status().terminal()) {
            changes.remove(name, changed);
            return current;
        }
        if (!current.etag().equals(seen)) {
            return current;
        }
        try {
            changed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // unchanged for the whole wait: answer with it as it is
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a change signal never fails", e);
        }
        return get(name);
    }

    private Operation save(Operation operation) {
        store.put(idOf(operation.name()), operation);
        CompletableFuture<Void> waiting = changes.remove(operation.name());
        if (waiting != null) {
            waiting.complete(null);
        }
        return operation;
    }

    public Operation get(String name) {
        return store.get(idOf(name), Operation.class)
                .orElseThrow(() -> new EnclaveException(ErrorCode.OperationNotFound, "operation '" + name + "' was not found"));
    }

    /** Marks operations interrupted by a stop as Failed. */
    public void failInterrupted() {
        List<Operation> all = store.allOfType(TYPE, Operation.class);
        for (Operation operation : all) {
            if (operation.status() == OperationStatus.InProgress) {
                complete(operation, Optional.of(new Operation.OperationError("OperationInterrupted",
                        "the server stopped during this operation; the resource was brought back to a terminal state on restart")));
            }
        }
    }

    private void runTracked(Operation operation, Work work) {
        Operation[] current = {operation};
        try {
            work.run(stage -> {
                current[0] = save(current[0].withStage(stage));
            });
            complete(current[0], Optional.empty());
        } catch (EnclaveException e) {
            log.info("operation {} on {} failed: {} {}", operation.name(), operation.resourceId(), e.code(), firstLine(e.getMessage()));
            complete(current[0], Optional.of(new Operation.OperationError(e.code().name(), e.getMessage())));
        } catch (Exception | Error e) {
            log.error("operation {} on {} failed unexpectedly", operation.name(), operation.resourceId(), e);
            complete(current[0], Optional.of(new Operation.OperationError(ErrorCode.InternalServerError.name(),
                    "the operation failed inside Enclave (" + e + "); see the server log for operation " + operation.name())));
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The polling path of an operation (relative to the management base URL). */
    public String path(String name) {
        return "/subscriptions/" + subscription + "/providers/Microsoft.MachineLearningServices/locations/" + location + "/mfeOperationsStatus/" + name;
    }

    private ResourceId idOf(String name) {
        return ResourceId.ofSubscription(subscription, "Microsoft.MachineLearningServices", "locations", location).child("mfeOperationsStatus", name);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
