package enclave.serving.asset;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.serving.workspace.Workspaces;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed {@code azureml://datastores/<datastore>/paths/<path>} location. */
public record DatastorePath(String datastore, String path) {
    private static final Pattern URI = Pattern.compile("azureml://(?:subscriptions/[^/]+/resourcegroups/[^/]+/workspaces/[^/]+/)?datastores/([^/]+)/paths/(.+)",
            Pattern.CASE_INSENSITIVE);

    public static DatastorePath parse(String uri) {
        Matcher matcher = URI.matcher(uri);
        if (!matcher.matches()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + uri + "' is not a datastore path; use azureml://datastores/"
                    + Workspaces.DEFAULT_DATASTORE + "/paths/<path>");
        }
        if (!matcher.group(1).equalsIgnoreCase(Workspaces.DEFAULT_DATASTORE)) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "datastore '" + matcher.group(1) + "' does not exist; Enclave workspaces have one datastore, "
                    + Workspaces.DEFAULT_DATASTORE);
        }
        String path = matcher.group(2);
        if (path.contains("..") || path.startsWith("/")) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "datastore path '" + path + "' must be relative and stay inside the datastore");
        }
        return new DatastorePath(Workspaces.DEFAULT_DATASTORE, path);
    }

    /** A trailing slash names a folder; otherwise one file. */
    public boolean isFolder() {
        return path.endsWith("/");
    }

    /** The last path element: the folder name kept under {@code AZUREML_MODEL_DIR}, or the file name. */
    public String lastName() {
        String trimmed = path.replaceAll("/+$", "");
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
