package enclave.storage.blob;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The trailer kept at the end of every blob file (after the content): the blob's real name and properties.
 * One file holds both, so a single atomic rename publishes content and properties together.
 */
record StoredBlob(
        String name,
        String contentType,
        String contentEncoding,
        String contentLanguage,
        String contentDisposition,
        String cacheControl,
        String contentMd5,
        String etag,
        Instant lastModified,
        Instant creationTime,
        Map<String, String> metadata,
        List<Block> blocks) {
    StoredBlob {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
    }

    BlobInfo info(long size) {
        return new BlobInfo(
                name,
                size,
                contentType != null ? contentType : BlobProperties.DEFAULT_CONTENT_TYPE,
                Optional.ofNullable(contentEncoding),
                Optional.ofNullable(contentLanguage),
                Optional.ofNullable(contentDisposition),
                Optional.ofNullable(cacheControl),
                contentMd5,
                etag,
                lastModified,
                creationTime,
                metadata);
    }
}
