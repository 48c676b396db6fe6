package enclave.cli.ad;

import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code enclave ad ...}, as {@code az ad}: the tenant's service principals and users. */
@Command(name = "ad", description = "Manage the directory: service principals and users.")
public final class AdCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public AdCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }
}
