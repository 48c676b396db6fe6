package enclave.core;

/** The one exception for failures a user can act on: a status, a stable code, and a message that says what to do. */
public final class EnclaveException extends RuntimeException {
    private final ErrorCode code;
    private final int status;

    public EnclaveException(ErrorCode code, String message) {
        this(code, code.status(), message);
    }

    public EnclaveException(ErrorCode code, int status, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public static EnclaveException notFound(ErrorCode code, String what, ResourceId id) {
        return new EnclaveException(code, what + " '" + id.name() + "' was not found (" + id + ")");
    }

    public static EnclaveException badRequest(String message) {
        return new EnclaveException(ErrorCode.BadRequest, message);
    }
}
