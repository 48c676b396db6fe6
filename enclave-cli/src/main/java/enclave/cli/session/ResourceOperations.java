package enclave.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.cli.console.Progress;
import enclave.cli.http.ApiResponse;
import enclave.cli.http.LongRunningOperation;
import enclave.cli.http.ManagementClient;
import java.util.Optional;

/** Create, update and delete as az does them: send, wait for the long-running operation, then show the result. */
public final class ResourceOperations {
    private final Session session;
    private final ManagementClient client;

    public ResourceOperations(Session session) {
        this.session = session;
        this.client = session.connection().management();
    }

    /** PUT, wait, GET. Empty with {@code noWait} (the operation continues on the server). */
    public Optional<JsonNode> put(String path, JsonNode body, boolean noWait, String stage) {
        return write(client.put(path, body), path, noWait, stage);
    }

    /** PATCH, wait, GET. */
    public Optional<JsonNode> patch(String path, JsonNode body, boolean noWait, String stage) {
        return write(client.patch(path, body), path, noWait, stage);
    }

    /** DELETE and wait until it is gone. */
    public void delete(String path, boolean noWait, String stage) {
        ApiResponse response = client.delete(path);
        if (!noWait) {
            await(response, stage);
        }
    }

    /** Waits for the operation an answer started, if it started one. */
    public void await(ApiResponse response, String stage) {
        try (Progress progress = session.progress()) {
            new LongRunningOperation(client, progress).await(response, stage);
        }
    }

    private Optional<JsonNode> write(ApiResponse response, String path, boolean noWait, String stage) {
        if (noWait) {
            return Optional.empty();
        }
        boolean longRunning = response.header("Azure-AsyncOperation").isPresent() || response.status() == 202;
        await(response, stage);
        if (!longRunning && response.body().isObject()) {
            return Optional.of(response.body());
        }
        return Optional.of(client.get(path));
    }
}
