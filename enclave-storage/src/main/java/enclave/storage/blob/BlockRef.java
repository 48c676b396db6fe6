package enclave.storage.blob;

import java.util.Objects;

/** One entry of a Put Block List request: which block, and where to look for it. */
public record BlockRef(String id, Source source) {
    /** The {@code <Committed>}, {@code <Uncommitted>} and {@code <Latest>} elements of a block list. */
    public enum Source {
        COMMITTED,
        UNCOMMITTED,
        /** The uncommitted block if there is one, else the committed one. */
        LATEST
    }

    public BlockRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
    }
}
