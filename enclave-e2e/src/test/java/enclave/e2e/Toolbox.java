package enclave.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test scorer ({@code scorers/toolbox/score.py}) and deployment files for it, as a user would write them. */
final class Toolbox {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    static final Path CODE = Path.of("src/test/resources/scorers/toolbox").toAbsolutePath();
    static final Path CONDA = EXAMPLES.resolve("model-1/environment/conda.yaml");

    private Toolbox() {}

    /** A deployment YAML for the toolbox scorer with the sample model; {@code extra} is appended as YAML. */
    static String deploymentYaml(String endpoint, String name, int instances, String extra, Path condaFile) {
        return "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
                + "name: " + name + "\nendpoint_name: " + endpoint + "\nmodel:\n  path: " + EXAMPLES.resolve("model-1/model") + "\n"
                + "code_configuration:\n  code: " + CODE + "\n  scoring_script: score.py\n"
                + "environment:\n  conda_file: " + condaFile + "\n"
                + "  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n"
                + "instance_type: Standard_DS3_v2\ninstance_count: " + instances + "\n" + extra;
    }

    static String deploymentYaml(String endpoint, String name, int instances, String extra) {
        return deploymentYaml(endpoint, name, instances, extra, CONDA);
    }

    /** Creates endpoint {@code endpoint} unless it exists, and deployment {@code blue} of the toolbox with all traffic. */
    static void deploy(Cli cli, Path dir, String endpoint, int instances, String extra) throws IOException {
        if (cli.run("ml", "online-endpoint", "show", "-n", endpoint).exit() != 0) {
            cli.run("ml", "online-endpoint", "create", "-n", endpoint).ok();
        }
        Path yaml = Files.writeString(dir.resolve(endpoint + "-blue.yml"), deploymentYaml(endpoint, "blue", instances, extra));
        cli.run("ml", "online-deployment", "create", "-f", yaml.toString(), "--all-traffic").ok();
    }
}
