package enclave.cli.asset;

/**
 * Turns a deployment's model, code and environment into the ARM ids of registered versions, uploading and
 * registering local files when needed. {@code defaultName} is the asset name used when the file names none
 * ({@code {endpoint}-{deployment}-model} and the like).
 */
public interface AssetResolver {
    String model(ModelSource model, String defaultName);

    String code(CodeSource code, String defaultName);

    String environment(EnvironmentSource environment, String defaultName);
}
