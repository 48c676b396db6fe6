package enclave.cli.asset;

import enclave.cli.console.CliException;
import enclave.core.EnclaveException;
import enclave.core.ResourceId;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A reference to a registered asset version: an ARM id, or {@code azureml:name:version} / {@code azureml:name@latest}. */
public sealed interface AssetReference {
    Pattern NAMED = Pattern.compile("(?:azureml:)?([A-Za-z0-9][A-Za-z0-9._-]*)(?::([A-Za-z0-9._-]+)|@latest)");

    /** A full ARM id of an asset version. */
    record ArmId(ResourceId id) implements AssetReference {}

    /** A name in the deployment's workspace, with a version or (empty) the latest one. */
    record Named(String name, Optional<String> version) implements AssetReference {}

    /**
     * Parses the string form of {@code field}; {@code hint} says what to do instead of registry references,
     * which Enclave cannot resolve.
     */
    static AssetReference parse(String field, String text, String hint) {
        String value = text.strip();
        if (value.startsWith("/")) {
            try {
                return new ArmId(ResourceId.parse(value));
            } catch (EnclaveException e) {
                throw CliException.user(field + " '" + text + "' is not a valid reference: " + e.getMessage());
            }
        }
        if (value.startsWith("azureml://registries/")) {
            throw CliException.user(field + " '" + text + "' refers to an Azure ML registry; registries are not available in Enclave: " + hint);
        }
        if (value.startsWith("azureml://")) {
            throw CliException.user(field + " '" + text + "' is not supported in Enclave; refer to a workspace asset as azureml:<name>:<version> or " + hint);
        }
        Matcher named = NAMED.matcher(value);
        if (!named.matches()) {
            throw CliException.user(field + " '" + text + "' is not a reference like azureml:<name>:<version> or azureml:<name>@latest");
        }
        return new Named(named.group(1), Optional.ofNullable(named.group(2)));
    }
}
