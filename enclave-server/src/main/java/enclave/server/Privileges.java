package enclave.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process runs as root (it may bind ports below 1024 and make namespaces). */
final class Privileges {
    private Privileges() {}

    static boolean root() {
        try {
            // /proc/self belongs to the process's own user.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
