package enclave.cli.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import enclave.cli.console.CliException;
import enclave.cli.session.CliConfig;
import enclave.cli.session.Session;
import enclave.cli.yaml.KeyValues;
import enclave.core.EnclaveException;
import enclave.core.Names;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code enclave configure --defaults group=rg1 workspace=ws1} and {@code --list-defaults}. */
@Command(name = "configure", description = "Set or show the defaults for -g/--resource-group and -w/--workspace-name.")
public final class ConfigureCommand implements Callable<Integer> {
    private final Session session;

    @Option(names = {"-d", "--defaults"}, arity = "1..*", paramLabel = "NAME=VALUE",
            description = "Defaults to set: group=NAME, workspace=NAME (an empty value clears one).")
    List<String> defaults;

    @Option(names = {"-l", "--list-defaults"}, description = "Show the defaults.")
    boolean list;

    public ConfigureCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (defaults != null && !defaults.isEmpty()) {
            Map<String, String> changes = KeyValues.pairs("--defaults", defaults);
            changes.forEach(ConfigureCommand::check);
            session.config().with(changes).write(session.home());
        }
        if (list || defaults == null || defaults.isEmpty()) {
            ArrayNode shown = JsonNodeFactory.instance.arrayNode();
            String source = CliConfig.file(session.home()).toString();
            session.config().defaults().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
                    shown.addObject().put("name", entry.getKey()).put("source", source).put("value", entry.getValue()));
            session.output().print(shown);
        }
        return 0;
    }

    private static void check(String name, String value) {
        try {
            switch (name) {
                case CliConfig.GROUP -> {
                    if (!value.isBlank()) {
                        Names.resourceGroupName(value);
                    }
                }
                case CliConfig.WORKSPACE -> {
                    if (!value.isBlank()) {
                        Names.workspaceName(value);
                    }
                }
                default -> throw CliException.usage("--defaults: '" + name + "' is not a default Enclave knows; use group or workspace");
            }
        } catch (EnclaveException e) {
            throw CliException.from(e);
        }
    }
}
