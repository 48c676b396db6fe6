package enclave.serving.gateway;

import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The access rule of the data plane: may a request that came in on this {@link NetworkPath} reach this resource?
 * Runs right after the target is known and before authentication.
 * <ul>
 *   <li>public listener: allowed when the resource's public network access is enabled, else 403
 *       {@code PublicNetworkAccessDisabled};</li>
 *   <li>a private endpoint's listener: allowed only when the private endpoint connects to the resource (for an online
 *       endpoint: to it or its workspace) with the resource's group id (403 {@code PrivateEndpointTargetMismatch}) and its
 *       connection is Approved (403 {@code PrivateEndpointConnectionNotApproved}), whatever the public setting.</li>
 * </ul>
 * Every refusal names the path, the rule, and what would let the request through. The public path to a public resource
 * allocates nothing.
 */
public final class NetworkAccess {
    private static final int SHOWN_ENDPOINTS = 3;

    /** What kind of resource a request is for, and the private link sub-resource (group id) that reaches it. */
    public enum Kind {
        ONLINE_ENDPOINT("online endpoint", "amlworkspace"),
        WORKSPACE("workspace", "amlworkspace"),
        STORAGE_ACCOUNT("storage account", "blob"),
        CONTAINER_REGISTRY("container registry", "registry"),
        MONITOR_WORKSPACE("monitor workspace", "prometheusMetrics");

        private final String noun;
        private final String groupId;

        Kind(String noun, String groupId) {
            this.noun = noun;
            this.groupId = groupId;
        }

        public String noun() {
            return noun;
        }

        public String groupId() {
            return groupId;
        }
    }

    /**
     * The resource a request is for.
     *
     * @param resourceId its ARM id
     * @param workspaceId for an online endpoint, its workspace's ARM id (private endpoints connect to the workspace)
     * @param hostName the DNS name clients use for it (e.g. {@code ep1.local.inference.ml.azure.com}), for messages
     */
    public record Target(Kind kind, String resourceId, String name, boolean publicNetworkAccessEnabled, Optional<String> workspaceId, String hostName) {
        public Target {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(resourceId, "resourceId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(workspaceId, "workspaceId");
            Objects.requireNonNull(hostName, "hostName");
        }

        /** The resource private endpoints connect to for this target: an online endpoint's workspace, else the resource. */
        public String privateLinkTarget() {
            return workspaceId.orElse(resourceId);
        }

        boolean isReachedThrough(String connectionTarget) {
            return connectionTarget.equalsIgnoreCase(resourceId) || workspaceId.map(connectionTarget::equalsIgnoreCase).orElse(false);
        }

        String describe() {
            return kind.noun + " '" + name + "'";
        }
    }

    /** The answer: let the request go on to authentication, or refuse it. */
    public sealed interface Outcome {
        Allowed ALLOWED = new Allowed();

        record Allowed() implements Outcome {}

        record Refused(int status, ErrorCode code, String message) implements Outcome {}
    }

    private final PrivateLinkDirectory directory;

    public NetworkAccess(PrivateLinkDirectory directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    public Outcome check(NetworkPath path, Target target) {
        return switch (path) {
            case NetworkPath.Public p -> target.publicNetworkAccessEnabled() ? Outcome.ALLOWED : refusePublic(p, target);
            case NetworkPath.PrivateEndpoint pe -> checkPrivate(pe, target);
        };
    }

    private Outcome refusePublic(NetworkPath.Public path, Target target) {
        String message = target.describe() + " has public network access disabled and this request came in on " + path.describe()
                + "; it accepts data-plane requests only through an approved private endpoint connected to " + linkTargetPhrase(target) + ". "
                + howToReach(target) + ", or set its public network access to Enabled";
        return new Outcome.Refused(403, ErrorCode.PublicNetworkAccessDisabled, message);
    }

    private Outcome checkPrivate(NetworkPath.PrivateEndpoint path, Target target) {
        Optional<PrivateLinkDirectory.Connection> found = directory.connectionOf(path.privateEndpointId());
        if (found.isEmpty()) {
            return new Outcome.Refused(403, ErrorCode.PrivateEndpointConnectionNotApproved, "this request came in on " + path.describe()
                    + ", which has no private endpoint connection (it is being deleted or was never connected), so it carries no traffic. "
                    + howToReach(target));
        }
        PrivateLinkDirectory.Connection connection = found.get();
        if (!target.isReachedThrough(connection.targetId()) || !target.kind().groupId().equalsIgnoreCase(connection.groupId())) {
            return new Outcome.Refused(403, ErrorCode.PrivateEndpointTargetMismatch, "this request for " + target.describe() + " came in on "
                    + path.describe() + ", which connects to " + connection.targetId() + " (group id " + connection.groupId() + "), not to "
                    + linkTargetPhrase(target) + " (group id " + target.kind().groupId()
                    + "); a private endpoint carries traffic only to its own target. " + howToReach(target));
        }
        if (connection.status() != PrivateLinkDirectory.Status.Approved) {
            return new Outcome.Refused(403, ErrorCode.PrivateEndpointConnectionNotApproved, "this request came in on " + path.describe()
                    + ", whose connection to " + connection.targetId() + " is " + connection.status()
                    + "; only an Approved connection carries traffic. " + whatUnblocks(connection));
        }
        return Outcome.ALLOWED;
    }

    /** "its workspace 'ws1' (/subscriptions/...)" or "it (/subscriptions/...)". */
    private static String linkTargetPhrase(Target target) {
        return target.workspaceId().map(ws -> "its workspace '" + nameOf(ws) + "' (" + ws + ")").orElse(target.resourceId());
    }

    /** The ways a client can reach the target privately, best first: approved endpoints, then ones awaiting approval, else how to make one. */
    private String howToReach(Target target) {
        List<PrivateLinkDirectory.ConnectedEndpoint> endpoints = directory.endpointsOf(target.privateLinkTarget());
        StringBuilder ways = new StringBuilder();
        int shown = 0;
        for (PrivateLinkDirectory.ConnectedEndpoint e : endpoints) {
            if (e.status() == PrivateLinkDirectory.Status.Approved && shown < SHOWN_ENDPOINTS) {
                ways.append(shown == 0 ? "To get through, resolve " : "; or resolve ").append(target.hostName()).append(" through network ")
                        .append(e.virtualNetworkName()).append("'s resolver ").append(e.resolverAddress()).append(", which answers ").append(e.privateIp())
                        .append(" (private endpoint ").append(e.privateEndpointName()).append(")");
                shown++;
            }
        }
        if (shown > 0) {
            return ways.toString();
        }
        for (PrivateLinkDirectory.ConnectedEndpoint e : endpoints) {
            if (shown < SHOWN_ENDPOINTS) {
                ways.append(shown == 0 ? "To get through, " : "; or ").append("private endpoint ").append(e.privateEndpointName()).append(" of network ")
                        .append(e.virtualNetworkName()).append(" (").append(e.privateIp()).append(") is connected but ").append(e.status()).append(": ")
                        .append(switch (e.status()) {
                            case Disconnected -> "create a new private endpoint";
                            case Rejected -> "it was rejected and cannot be approved: delete it and create it again";
                            default -> "approve it with `" + approveCommand(e.connectionId()) + "`";
                        })
                        .append(", then resolve ").append(target.hostName()).append(" through network ").append(e.virtualNetworkName())
                        .append("'s resolver ").append(e.resolverAddress());
                shown++;
            }
        }
        if (shown > 0) {
            return ways.toString();
        }
        return "There is no private endpoint to " + linkTargetPhrase(target) + ": create one (`enclave network private-endpoint create "
                + "--vnet-name <vnet> --subnet <subnet> --private-connection-resource-id " + target.privateLinkTarget() + " --group-id "
                + target.kind().groupId() + " ...`), then resolve " + target.hostName() + " through that network's resolver";
    }

    private static String whatUnblocks(PrivateLinkDirectory.Connection connection) {
        return switch (connection.status()) {
            case Pending -> "An owner of the target approves it with `" + approveCommand(connection.connectionId()) + "`";
            // PrivateEndpoints refuses to approve a rejected connection (409): only a new request can get through.
            case Rejected -> "It was rejected, and a rejected connection cannot be approved: the requester deletes private endpoint '"
                    + nameOf(connection.privateEndpointId()) + "' and creates it again, then an owner of the target approves the new connection";
            case Disconnected -> "The target removed it; create a new private endpoint to " + connection.targetId();
            case Approved -> "";
        };
    }

    private static String approveCommand(String connectionId) {
        return "enclave network private-endpoint-connection approve --id " + connectionId;
    }

    private static String nameOf(String resourceId) {
        try {
            return ResourceId.parse(resourceId).name();
        } catch (RuntimeException e) {
            return resourceId.substring(resourceId.lastIndexOf('/') + 1);
        }
    }
}
