package enclave.storage.blob;

/**
 * A blob request refused with one of Azure's storage error codes. It never leaves this package:
 * {@link BlobApi} turns it into the XML error answer, the way the REST layer turns an
 * {@link enclave.core.EnclaveException} into an ARM error.
 */
final class Refusal extends RuntimeException {
    private final BlobErrorCode code;

    Refusal(BlobErrorCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    BlobErrorCode code() {
        return code;
    }
}
