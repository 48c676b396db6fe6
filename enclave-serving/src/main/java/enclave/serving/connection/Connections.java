package enclave.serving.connection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.serving.workspace.Workspaces;
import enclave.store.ResourceStore;
import enclave.store.SecretBox;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Workspace connections: validated, with their credentials sealed before they reach the store. */
public final class Connections {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{2,254}");
    /** The credential fields each auth type needs, as Azure ML defines them. */
    private static final Map<String, List<String>> REQUIRED = Map.of(
            "apikey", List.of("key"),
            "customkeys", List.of("keys"),
            "usernamepassword", List.of("username", "password"),
            "pat", List.of("pat"),
            "accesskey", List.of("accessKeyId", "secretAccessKey"),
            "sas", List.of("sas"),
            "none", List.of());

    private final ResourceStore store;
    private final Workspaces workspaces;
    private final SecretBox secrets;
    private final Clock clock;

    public Connections(ResourceStore store, Workspaces workspaces, SecretBox secrets, Clock clock) {
        this.store = store;
        this.workspaces = workspaces;
        this.secrets = secrets;
        this.clock = clock;
    }

    public static ResourceId id(ResourceId workspace, String name) {
        return workspace.child("connections", name);
    }

    /** Creates or replaces a connection; everything is checked before anything is stored. Returns whether it was created. */
    public boolean put(ResourceId id, String category, String target, String authType, JsonNode credentials, Map<String, String> metadata) {
        workspaces.get(id.parent().orElseThrow());
        if (!NAME.matcher(id.name()).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "connection name '" + id.name()
                    + "' is invalid: use 3-255 letters, digits, hyphens and underscores, starting with a letter or digit");
        }
        if (category == null || category.isBlank()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "a connection needs properties.category (e.g. ApiKey, CustomKeys, Git, AzureOpenAI)");
        }
        String type = authType == null ? "" : authType.toLowerCase(Locale.ROOT);
        List<String> required = REQUIRED.get(type);
        if (required == null) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "properties.authType '" + authType + "' is not one of ApiKey, CustomKeys, "
                    + "UsernamePassword, PAT, AccessKey, SAS, None");
        }
        JsonNode given = credentials == null || credentials.isNull() ? Json.MAPPER.createObjectNode() : credentials;
        if (!given.isObject()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "properties.credentials must be an object");
        }
        for (String field : required) {
            JsonNode value = given.get(field);
            boolean present = value != null && (value.isTextual() ? !value.asText().isEmpty() : value.isObject() && !value.isEmpty());
            if (!present) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "auth type " + authType + " needs credentials." + field);
            }
        }
        boolean created = find(id).isEmpty();
        String sealed;
        try {
            sealed = secrets.seal(Json.MAPPER.writeValueAsString(given), id.key());
        } catch (JsonProcessingException e) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "properties.credentials cannot be stored: " + e.getOriginalMessage());
        }
        store.put(id, new WorkspaceConnection(id.toString(), id.name(), category, target == null ? "" : target, authType, metadata, sealed,
                find(id).map(WorkspaceConnection::createdAt).orElse(clock.instant())));
        return created;
    }

    public Optional<WorkspaceConnection> find(ResourceId id) {
        return store.get(id, WorkspaceConnection.class);
    }

    public WorkspaceConnection get(ResourceId id) {
        return find(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "connection '" + id.name() + "' was not found in workspace '"
                + id.parent().map(ResourceId::name).orElse("?") + "'"));
    }

    public List<WorkspaceConnection> list(ResourceId workspace) {
        workspaces.get(workspace);
        return store.children(workspace, Workspaces.TYPE + "/connections", WorkspaceConnection.class);
    }

    public boolean delete(ResourceId id) {
        return store.delete(id);
    }

    /** The connection's credentials in the clear; callers have checked the listsecrets action. */
    public ObjectNode credentials(WorkspaceConnection connection) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(secrets.open(connection.sealedCredentials(), ResourceId.parse(connection.id()).key()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored credentials of " + connection.id() + " are damaged", e);
        }
    }
}
