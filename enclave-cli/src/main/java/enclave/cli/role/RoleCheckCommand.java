package enclave.cli.role;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.directory.Directory;
import enclave.cli.session.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code enclave role check --assignee X --action A --scope S}: asks the server whether X may do A at S and shows why
 * ({@code POST /subscriptions/{sub}/providers/Microsoft.Authorization/checkAccess}).
 */
@Command(name = "check", description = "Explain whether a principal may perform an action at a scope, and which assignment decides it.")
public final class RoleCheckCommand implements Callable<Integer> {
    private final Session session;

    @Option(names = "--assignee", required = true, paramLabel = "PRINCIPAL", description = "App id, object id, user principal name or display name.")
    String assignee;

    @Option(names = "--action", required = true, paramLabel = "ACTION",
            description = "e.g. Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action")
    String action;

    @Option(names = "--scope", required = true, paramLabel = "SCOPE", description = "Subscription, resource group or resource id.")
    String scope;

    @Option(names = "--data-action", description = "The action is a data action (checked against DataActions/NotDataActions).")
    boolean dataAction;

    public RoleCheckCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (action.isBlank() || action.strip().contains(" ")) {
            throw CliException.usage("--action must be one operation name, e.g. Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read");
        }
        String at = Scopes.parse("--scope", scope);
        Directory.Principal principal = new Directory(session.connection()).resolve(assignee);
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("principalId", principal.objectId())
                .put("action", action.strip())
                .put("scope", at)
                .put("dataAction", dataAction);
        String path = "/subscriptions/" + session.connection().subscription() + Scopes.AUTHORIZATION + "/checkAccess";
        session.output().print(session.connection().management().post(path, body).body());
        return 0;
    }
}
