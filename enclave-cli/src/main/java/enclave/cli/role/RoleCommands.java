package enclave.cli.role;

import enclave.cli.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code enclave role ...}, as {@code az role}: role definitions, role assignments, and {@code check} (Enclave's own). */
@Command(name = "role", description = "Manage role definitions and role assignments, and explain access decisions.")
public final class RoleCommands implements Runnable {
    private final Session session;

    @Spec
    CommandSpec spec;

    public RoleCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    /** The subscription, the scope az uses when none is given. */
    static String defaultScope(Session session, String scope) {
        return scope == null ? "/subscriptions/" + session.connection().subscription() : Scopes.parse("--scope", scope);
    }
}
