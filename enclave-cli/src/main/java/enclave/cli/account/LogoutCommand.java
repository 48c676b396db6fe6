package enclave.cli.account;

import enclave.cli.session.ProfileFile;
import enclave.cli.session.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code enclave logout}: forgets the signed-in principal (its secret or refresh token); the CLI is the platform admin again. */
@Command(name = "logout", description = "Sign out: remove the saved sign-in; commands run as the platform admin again.")
public final class LogoutCommand implements Callable<Integer> {
    private final Session session;

    public LogoutCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        ProfileFile.delete(session.home());
        return 0;
    }
}
