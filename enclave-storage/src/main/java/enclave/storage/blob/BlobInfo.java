package enclave.storage.blob;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A committed blob as stored.
 *
 * @param contentMd5 Base64 MD5 of the whole content
 * @param etag quoted, as it goes into the {@code ETag} header
 */
public record BlobInfo(
        String name,
        long size,
        String contentType,
        Optional<String> contentEncoding,
        Optional<String> contentLanguage,
        Optional<String> contentDisposition,
        Optional<String> cacheControl,
        String contentMd5,
        String etag,
        Instant lastModified,
        Instant creationTime,
        Map<String, String> metadata) {
    public BlobInfo {
        Objects.requireNonNull(name, "name");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(contentEncoding, "contentEncoding");
        Objects.requireNonNull(contentLanguage, "contentLanguage");
        Objects.requireNonNull(contentDisposition, "contentDisposition");
        Objects.requireNonNull(cacheControl, "cacheControl");
        Objects.requireNonNull(contentMd5, "contentMd5");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(creationTime, "creationTime");
        metadata = Map.copyOf(metadata);
    }
}
