package enclave.storage.blob;

import java.util.Objects;

/** A block of a block blob: its Base64 id and size in bytes. */
public record Block(String id, long size) {
    public Block {
        Objects.requireNonNull(id, "id");
        if (size < 0) {
            throw new IllegalArgumentException("block size must not be negative: " + size);
        }
    }
}
