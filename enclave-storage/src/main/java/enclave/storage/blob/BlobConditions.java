package enclave.storage.blob;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * HTTP conditional headers ({@code If-Match}, {@code If-None-Match}, {@code If-Modified-Since},
 * {@code If-Unmodified-Since}) as Azure applies them to blobs.
 */
public record BlobConditions(
        Optional<String> ifMatch, Optional<String> ifNoneMatch, Optional<Instant> ifModifiedSince, Optional<Instant> ifUnmodifiedSince) {
    public static final BlobConditions NONE = new BlobConditions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** What a read should answer. */
    public enum ReadOutcome {
        PROCEED,
        NOT_MODIFIED,
        PRECONDITION_FAILED
    }

    public BlobConditions {
        Objects.requireNonNull(ifMatch, "ifMatch");
        Objects.requireNonNull(ifNoneMatch, "ifNoneMatch");
        Objects.requireNonNull(ifModifiedSince, "ifModifiedSince");
        Objects.requireNonNull(ifUnmodifiedSince, "ifUnmodifiedSince");
    }

    /** Only when no blob exists yet ({@code If-None-Match: *}). */
    public static BlobConditions ifNotExists() {
        return new BlobConditions(Optional.empty(), Optional.of("*"), Optional.empty(), Optional.empty());
    }

    /**
     * Checks a write or delete against the blob as it is now. Fails with status 409 ({@code Conflict}) when
     * {@code If-None-Match: *} meets an existing blob and 412 when another condition does not hold.
     */
    void checkWrite(Optional<BlobInfo> current, String what) {
        if (ifNoneMatch.filter("*"::equals).isPresent() && current.isPresent()) {
            throw new EnclaveException(ErrorCode.Conflict, "blob " + what + " already exists (If-None-Match: *)");
        }
        if (readOutcome(current) != ReadOutcome.PROCEED || (current.isEmpty() && ifMatch.isPresent())) {
            throw new EnclaveException(ErrorCode.Conflict, 412, "the conditional headers do not hold for blob " + what);
        }
    }

    /** Checks a read (GET, HEAD) of an existing blob. */
    public ReadOutcome readOutcome(Optional<BlobInfo> current) {
        if (current.isEmpty()) {
            return ReadOutcome.PROCEED;
        }
        BlobInfo blob = current.get();
        Instant modified = blob.lastModified().truncatedTo(ChronoUnit.SECONDS);
        if (ifMatch.isPresent() && !matches(ifMatch.get(), blob.etag())) {
            return ReadOutcome.PRECONDITION_FAILED;
        }
        if (ifUnmodifiedSince.isPresent() && modified.isAfter(ifUnmodifiedSince.get())) {
            return ReadOutcome.PRECONDITION_FAILED;
        }
        if (ifNoneMatch.isPresent() && matches(ifNoneMatch.get(), blob.etag())) {
            return ReadOutcome.NOT_MODIFIED;
        }
        if (ifModifiedSince.isPresent() && !modified.isAfter(ifModifiedSince.get())) {
            return ReadOutcome.NOT_MODIFIED;
        }
        return ReadOutcome.PROCEED;
    }

    private static boolean matches(String header, String etag) {
        return Arrays.stream(header.split(","))
                .map(String::trim)
                .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag)
                .anyMatch(tag -> tag.equals("*") || tag.equals(etag) || ("\"" + tag + "\"").equals(etag));
    }
}
