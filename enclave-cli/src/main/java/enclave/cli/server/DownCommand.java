package enclave.cli.server;

import enclave.cli.console.CliException;
import enclave.cli.http.ServerInfo;
import enclave.cli.session.Session;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code enclave down}: SIGTERM to the server of this home, then wait for it to exit. */
@Command(name = "down", description = "Stop the server of this ENCLAVE_HOME.")
public final class DownCommand implements Callable<Integer> {
    private static final long STOP_SECONDS = 30;

    private final Session session;

    public DownCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Path home = session.home();
        Optional<ServerInfo> info = ServerInfo.read(home);
        Optional<ProcessHandle> process = info.flatMap(i -> ProcessHandle.of(i.pid())).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            session.out().println("Enclave is not running");
            return 0;
        }
        if (process.get().pid() == ProcessHandle.current().pid()) {
            throw CliException.user("the server of " + home + " runs inside this process; stop it there");
        }
        process.get().destroy();
        try {
            process.get().onExit().get(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new CliException("StopTimeout", "the server (pid " + process.get().pid() + ") did not stop within " + STOP_SECONDS
                    + " s; see " + home.resolve("logs/server.log") + " or kill it with: kill -9 " + process.get().pid());
        } catch (ExecutionException e) {
            throw new CliException("StopFailed", "cannot wait for pid " + process.get().pid() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted", "stopped waiting; the server (pid " + process.get().pid() + ") may still be stopping");
        }
        session.out().println("stopped");
        return 0;
    }
}
