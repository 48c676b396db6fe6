package enclave.storage.blob;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a writer says about a blob: its HTTP content headers, the MD5 it claims for the content (checked
 * against what arrives; a mismatch refuses the write), and user metadata ({@code x-ms-meta-*}).
 */
public record BlobProperties(
        Optional<String> contentType,
        Optional<String> contentEncoding,
        Optional<String> contentLanguage,
        Optional<String> contentDisposition,
        Optional<String> cacheControl,
        Optional<String> contentMd5,
        Map<String, String> metadata) {
    public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    public BlobProperties {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(contentEncoding, "contentEncoding");
        Objects.requireNonNull(contentLanguage, "contentLanguage");
        Objects.requireNonNull(contentDisposition, "contentDisposition");
        Objects.requireNonNull(cacheControl, "cacheControl");
        Objects.requireNonNull(contentMd5, "contentMd5");
        metadata = Map.copyOf(metadata);
    }

    public static BlobProperties none() {
        return new BlobProperties(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    public static BlobProperties ofContentType(String contentType) {
        return none().withContentType(contentType);
    }

    public BlobProperties withContentType(String type) {
        return new BlobProperties(Optional.of(type), contentEncoding, contentLanguage, contentDisposition, cacheControl, contentMd5, metadata);
    }

    public BlobProperties withMetadata(Map<String, String> values) {
        return new BlobProperties(contentType, contentEncoding, contentLanguage, contentDisposition, cacheControl, contentMd5, values);
    }

    /** Claims the content's MD5 (Base64); the write fails when the content does not match. */
    public BlobProperties withContentMd5(String base64) {
        return new BlobProperties(contentType, contentEncoding, contentLanguage, contentDisposition, cacheControl, Optional.of(base64), metadata);
    }
}
