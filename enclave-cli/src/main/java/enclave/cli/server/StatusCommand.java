package enclave.cli.server;

import enclave.cli.session.Session;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code enclave status}. */
@Command(name = "status", description = "Show whether the server of this ENCLAVE_HOME is running, and its urls.")
public final class StatusCommand implements Callable<Integer> {
    private final Session session;

    public StatusCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Path home = session.home();
        session.output().print(ServerState.status(home, ServerState.running(home)));
        return 0;
    }
}
