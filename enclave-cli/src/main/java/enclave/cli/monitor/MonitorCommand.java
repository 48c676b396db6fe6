package enclave.cli.monitor;

import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code enclave monitor}: monitoring settings of resources. */
@Command(name = "monitor", description = "Monitoring: diagnostic settings, monitor workspaces (Prometheus) and endpoint metrics.")
public final class MonitorCommand implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public MonitorCommand(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }
}
