package enclave.cli.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.Output;
import enclave.cli.console.OutputFormat;
import enclave.cli.session.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code enclave network diagnose <url or host> [--from <vnet>]}: why a request would get through or be refused
 * ({@code POST /subscriptions/{sub}/providers/Microsoft.Network/diagnoseAccess}). The default output is an explanation to
 * read; {@code -o json|yaml} prints the server's answer.
 */
@Command(name = "diagnose", description = "Explain what a request to a URL or host would meet: the DNS answers (public view and a network's view), "
        + "the listener it reaches, the private endpoint connection, the target's public access, and the verdict.")
public final class DiagnoseCommand implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "URL_OR_HOST", description = "e.g. https://acct.blob.core.windows.net:47444/c/b or ep1.local.inference.ml.azure.com")
    String target;

    @Option(names = "--from", paramLabel = "VNET", description = "Diagnose from inside this virtual network (a name in -g or the default group, or an id).")
    String from;

    @Option(names = {"-g", "--resource-group"}, description = "The group of the --from network.")
    String group;

    public DiagnoseCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("target", target);
        if (from != null) {
            body.put("fromVirtualNetwork", from.startsWith("/") ? from : NetworkCommands.path(session, group, "virtualNetworks", from));
        }
        String path = "/subscriptions/" + session.connection().subscription() + "/providers/Microsoft.Network/diagnoseAccess";
        JsonNode answer = session.connection().management().post(path, body).body();
        Output output = session.output(OutputFormat.TABLE);
        // The table is an explanation to read; with --query the chosen part is printed as az would.
        if (output.format() == OutputFormat.TABLE && session.query().isEmpty()) {
            output.printText(explain(answer));
        } else {
            output.print(answer);
        }
        return 0;
    }

    /** The answer as lines to read: one per DNS view with arrows, then listener, connection, target, verdict. */
    static String explain(JsonNode d) {
        StringBuilder text = new StringBuilder();
        String host = d.path("host").asText();
        text.append("diagnose ").append(host).append(':').append(d.path("port").asInt()).append(d.path("path").asText()).append('\n');
        String pathView = d.path("pathView").asText("public");
        if (d.path("views").isEmpty()) {
            text.append("DNS         none: ").append(host).append(" is an address\n");
        }
        for (JsonNode view : d.path("views")) {
            String name = view.path("view").asText();
            text.append(String.format("DNS %-7s ", name.equals("public") ? "public" : "vnet")).append(name.equals("public") ? "" : name + " ")
                    .append("(resolver ").append(view.path("resolver").asText()).append(")").append(name.equals(pathView) ? " ← this path" : "").append('\n');
            StringBuilder chain = new StringBuilder("  ").append(host);
            for (JsonNode link : view.path("chain")) {
                chain.append("\n    → ").append(link.path("type").asText()).append(' ').append(link.path("data").asText());
            }
            if (view.path("address").isNull() || view.path("address").isMissingNode()) {
                chain.append("\n    → ").append(view.path("rcode").asText()).append(" (no address)");
            }
            text.append(chain).append('\n');
        }
        JsonNode listener = d.path("listener");
        text.append("listener    ");
        switch (listener.path("kind").asText()) {
            case "public" -> text.append("the public gateway listener ").append(listener.path("address").asText());
            case "privateEndpoint" -> text.append("private endpoint ").append(listener.path("privateEndpointName").asText()).append(" of network ")
                    .append(listener.path("virtualNetworkName").asText()).append(" at ").append(listener.path("address").asText())
                    .append(listener.path("listening").asBoolean() ? "" : " (no listener open)");
            default -> text.append("none").append(listener.has("address") ? " at " + listener.path("address").asText() : "");
        }
        text.append('\n');
        if (listener.has("connectionState")) {
            text.append("connection  ").append(listener.path("connectionState").asText()).append(" to ").append(listener.path("privateLinkServiceId").asText())
                    .append(" (group id ").append(listener.path("groupId").asText()).append(")\n");
        }
        JsonNode target = d.path("target");
        if (target.isObject()) {
            text.append("target      ").append(target.path("kind").asText()).append(" '").append(target.path("name").asText()).append("' public network access ")
                    .append(target.path("publicNetworkAccess").asText()).append('\n');
        } else {
            text.append("target      none of the platform's resources\n");
        }
        JsonNode verdict = d.path("verdict");
        text.append("verdict     ").append(verdict.path("allowed").asBoolean() ? "ALLOWED" : "REFUSED")
                .append(verdict.has("code") ? " (" + verdict.path("code").asText() + ")" : "").append('\n');
        text.append("  ").append(verdict.path("message").asText()).append('\n');
        return text.toString();
    }
}
