package enclave.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Directory trees the platform makes and removes (deployments' working copies, engines' data, sockets). */
public final class FileTrees {
    private static final Logger log = LoggerFactory.getLogger(FileTrees.class);

    private FileTrees() {}

    /** Deletes {@code root} and everything below it, if it exists; what cannot be deleted is logged, never thrown. */
    public static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("could not delete {} completely: {}", root, e.toString());
        }
    }
}
