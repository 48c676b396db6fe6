package enclave.cli.network;

import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code enclave network}: private networking (as {@code az network}). */
@Command(name = "network", description = "Private networking: virtual networks, private endpoints, private DNS.")
public final class NetworkCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public NetworkCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }
}
