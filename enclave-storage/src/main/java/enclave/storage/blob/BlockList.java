package enclave.storage.blob;

import java.util.List;
import java.util.Optional;

/** A blob's blocks: those of the committed content (in order) and those uploaded but not yet committed. */
public record BlockList(Optional<BlobInfo> blob, List<Block> committed, List<Block> uncommitted) {
    public BlockList {
        committed = List.copyOf(committed);
        uncommitted = List.copyOf(uncommitted);
    }
}
