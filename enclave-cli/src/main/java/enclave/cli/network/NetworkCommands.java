package enclave.cli.network;

import enclave.cli.console.CliException;
import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code enclave network ...}, as {@code az network}: virtual networks and subnets, private endpoints and the approval of
 * their connections. Other network command groups (private DNS) register themselves under this one in {@code Main}.
 */
@Command(name = "network", description = "Virtual networks, subnets, private endpoints and private endpoint connections (as in `az network`).")
public final class NetworkCommands implements Runnable {
    final Session session;

    @Spec
    CommandSpec spec;

    public NetworkCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    /** What the network command groups share: their parent (for the session) and a usage answer when called bare. */
    abstract static class Group implements Runnable {
        @picocli.CommandLine.ParentCommand
        NetworkCommands parent;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(parent.session.out());
        }
    }

    /** {@code /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/<type>/<name>} in the session's subscription. */
    static String path(Session session, String group, String type, String name) {
        return groupPath(session, group) + "/providers/Microsoft.Network/" + type + (name == null ? "" : "/" + name);
    }

    static String groupPath(Session session, String group) {
        return "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + session.resourceGroup(group);
    }

    static String required(String value, String option) {
        if (value == null || value.isBlank()) {
            throw CliException.usage("the option " + option + " is required");
        }
        return value;
    }
}
