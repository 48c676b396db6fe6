package enclave.cli.session;

import picocli.CommandLine.Option;

/** The {@code -g} and {@code -w} options of every {@code ml} command; empty means "use the configured default". */
public final class WorkspaceOptions {
    @Option(names = {"-g", "--resource-group"}, paramLabel = "GROUP", description = "Resource group (default: from `configure --defaults group=...`).")
    String group;

    @Option(names = {"-w", "--workspace-name"}, paramLabel = "WORKSPACE", description = "Workspace (default: from `configure --defaults workspace=...`).")
    String workspace;
}
