package enclave.store;

/** The store failed (disk, database): always a platform fault, never the caller's. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
