package enclave.core.http;

/** Handles one matched REST call. Throw {@link enclave.core.EnclaveException} for user-facing failures. */
@FunctionalInterface
public interface RouteHandler {
    void handle(Call call) throws Exception;
}
