package enclave.serving.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import enclave.core.ErrorCode;
import enclave.serving.gateway.NetworkAccess.Kind;
import enclave.serving.gateway.NetworkAccess.Outcome;
import enclave.serving.gateway.NetworkAccess.Target;
import enclave.serving.gateway.PrivateLinkDirectory.ConnectedEndpoint;
import enclave.serving.gateway.PrivateLinkDirectory.Connection;
import enclave.serving.gateway.PrivateLinkDirectory.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetworkAccessTest {
    private static final String RG = "/subscriptions/s1/resourceGroups/rg1/providers/";
    private static final String WS = RG + "Microsoft.MachineLearningServices/workspaces/ws1";
    private static final String OTHER_WS = RG + "Microsoft.MachineLearningServices/workspaces/ws2";
    private static final String EP = WS + "/onlineEndpoints/ep1";
    private static final String ACCOUNT = RG + "Microsoft.Storage/storageAccounts/acct1";
    private static final String PE1 = RG + "Microsoft.Network/privateEndpoints/pe1";
    private static final String PE2 = RG + "Microsoft.Network/privateEndpoints/pe2";
    private static final NetworkPath.PrivateEndpoint PATH1 = new NetworkPath.PrivateEndpoint(PE1, "pe1", RG + "Microsoft.Network/virtualNetworks/vnet1",
            "vnet1", "127.42.1.4");

    private final FakeDirectory directory = new FakeDirectory();
    private final NetworkAccess access = new NetworkAccess(directory);

    private static Target endpoint(boolean publicAccess) {
        return new Target(Kind.ONLINE_ENDPOINT, EP, "ep1", publicAccess, Optional.of(WS), "ep1.local.inference.ml.azure.com");
    }

    private static Target account(boolean publicAccess) {
        return new Target(Kind.STORAGE_ACCOUNT, ACCOUNT, "acct1", publicAccess, Optional.empty(), "acct1.blob.core.windows.net");
    }

    private static Outcome.Refused refused(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused refused = (Outcome.Refused) outcome;
        assertThat(refused.status()).isEqualTo(403);
        return refused;
    }

    private void connect(String pe, String peName, String target, String groupId, Status status, String vnet, String resolver, String ip) {
        String connectionId = target + "/privateEndpointConnections/" + peName + ".conn";
        directory.connections.put(pe.toLowerCase(), new Connection(pe, connectionId, target, groupId, status));
        directory.endpoints.computeIfAbsent(target.toLowerCase(), t -> new ArrayList<>())
                .add(new ConnectedEndpoint(pe, peName, vnet, resolver, ip, connectionId, status));
    }

    @Test
    void thePublicPathToAPublicResourceIsAllowedWithoutAskingTheDirectory() {
        directory.failOnUse = true;
        assertThat(access.check(NetworkPath.Public.INSTANCE, endpoint(true))).isSameAs(Outcome.ALLOWED);
        assertThat(access.check(NetworkPath.Public.INSTANCE, account(true))).isSameAs(Outcome.ALLOWED);
    }

    @Test
    void thePublicPathToAClosedResourceWithoutPrivateEndpointsSaysHowToMakeOne() {
        Outcome.Refused refused = refused(access.check(NetworkPath.Public.INSTANCE, endpoint(false)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PublicNetworkAccessDisabled);
        assertThat(refused.message()).contains("online endpoint 'ep1' has public network access disabled", "came in on the public listener",
                "its workspace 'ws1' (" + WS + ")", "There is no private endpoint", "enclave network private-endpoint create",
                "--private-connection-resource-id " + WS, "--group-id amlworkspace", "resolve ep1.local.inference.ml.azure.com",
                "set its public network access to Enabled");
    }

    @Test
    void thePublicPathToAClosedResourceNamesTheResolverThatAnswersThePrivateIp() {
        connect(PE1, "pe1", WS, "amlworkspace", Status.Approved, "vnet1", "127.42.0.2", "127.42.1.4");
        Outcome.Refused refused = refused(access.check(NetworkPath.Public.INSTANCE, endpoint(false)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PublicNetworkAccessDisabled);
        assertThat(refused.message()).contains("resolve ep1.local.inference.ml.azure.com through network vnet1's resolver 127.42.0.2, which answers 127.42.1.4",
                "(private endpoint pe1)").doesNotContain("There is no private endpoint");
    }

    @Test
    void thePublicPathToAClosedAccountWithOnlyAPendingEndpointSaysToApproveIt() {
        connect(PE1, "pe1", ACCOUNT, "blob", Status.Pending, "vnet1", "127.42.0.2", "127.42.1.4");
        Outcome.Refused refused = refused(access.check(NetworkPath.Public.INSTANCE, account(false)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PublicNetworkAccessDisabled);
        assertThat(refused.message()).contains("storage account 'acct1' has public network access disabled", "connected to " + ACCOUNT,
                "private endpoint pe1 of network vnet1 (127.42.1.4) is connected but Pending",
                "enclave network private-endpoint-connection approve --id " + ACCOUNT + "/privateEndpointConnections/pe1.conn",
                "resolve acct1.blob.core.windows.net through network vnet1's resolver 127.42.0.2");
    }

    @Test
    void anApprovedPrivateEndpointOfTheWorkspaceReachesItsEndpointWhateverThePublicSetting() {
        connect(PE1, "pe1", WS, "amlworkspace", Status.Approved, "vnet1", "127.42.0.2", "127.42.1.4");
        assertThat(access.check(PATH1, endpoint(false))).isSameAs(Outcome.ALLOWED);
        assertThat(access.check(PATH1, endpoint(true))).isSameAs(Outcome.ALLOWED);
    }

    @Test
    void anApprovedPrivateEndpointOfTheResourceItselfReachesIt() {
        connect(PE1, "pe1", ACCOUNT.toUpperCase(), "blob", Status.Approved, "vnet1", "127.42.0.2", "127.42.1.4");
        assertThat(access.check(PATH1, account(false))).isSameAs(Outcome.ALLOWED);
        connect(PE2, "pe2", EP, "amlworkspace", Status.Approved, "vnet1", "127.42.0.2", "127.42.1.5");
        assertThat(access.check(new NetworkPath.PrivateEndpoint(PE2, "pe2", "vnet1id", "vnet1", "127.42.1.5"), endpoint(false))).isSameAs(Outcome.ALLOWED);
    }

    @Test
    void unapprovedConnectionsAreRefusedNamingTheStateAndTheApproveCommand() {
        connect(PE1, "pe1", WS, "amlworkspace", Status.Pending, "vnet1", "127.42.0.2", "127.42.1.4");
        Outcome.Refused refused = refused(access.check(PATH1, endpoint(true)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PrivateEndpointConnectionNotApproved);
        assertThat(refused.message()).contains("came in on private endpoint pe1 of network vnet1 (127.42.1.4)", "whose connection to " + WS + " is Pending",
                "only an Approved connection carries traffic",
                "enclave network private-endpoint-connection approve --id " + WS + "/privateEndpointConnections/pe1.conn");
    }

    @Test
    void aRejectedConnectionSaysToAskAgainNotToApprove() {
        // PrivateEndpoints answers 409 to approving a rejected connection, so the message must not offer the approve command.
        connect(PE1, "pe1", WS, "amlworkspace", Status.Rejected, "vnet1", "127.42.0.2", "127.42.1.4");
        Outcome.Refused onIt = refused(access.check(PATH1, endpoint(true)));
        assertThat(onIt.code()).isEqualTo(ErrorCode.PrivateEndpointConnectionNotApproved);
        assertThat(onIt.message()).contains("whose connection to " + WS + " is Rejected", "cannot be approved", "deletes private endpoint 'pe1' and creates it again")
                .doesNotContain("approve --id");
        Outcome.Refused publicly = refused(access.check(NetworkPath.Public.INSTANCE, endpoint(false)));
        assertThat(publicly.code()).isEqualTo(ErrorCode.PublicNetworkAccessDisabled);
        assertThat(publicly.message()).contains("private endpoint pe1 of network vnet1 (127.42.1.4) is connected but Rejected",
                "cannot be approved: delete it and create it again").doesNotContain("approve --id");
    }

    @Test
    void aDisconnectedConnectionSaysToCreateANewPrivateEndpoint() {
        connect(PE1, "pe1", WS, "amlworkspace", Status.Disconnected, "vnet1", "127.42.0.2", "127.42.1.4");
        Outcome.Refused refused = refused(access.check(PATH1, endpoint(false)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PrivateEndpointConnectionNotApproved);
        assertThat(refused.message()).contains("is Disconnected", "create a new private endpoint to " + WS).doesNotContain("approve --id");
    }

    @Test
    void aPrivateEndpointOfAnotherResourceIsAMismatchEvenWhenPublicAccessIsOn() {
        connect(PE1, "pe1", OTHER_WS, "amlworkspace", Status.Approved, "vnet1", "127.42.0.2", "127.42.1.4");
        connect(PE2, "pe2", WS, "amlworkspace", Status.Approved, "vnet2", "127.43.0.2", "127.43.1.4");
        Outcome.Refused refused = refused(access.check(PATH1, endpoint(true)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PrivateEndpointTargetMismatch);
        assertThat(refused.message()).contains("for online endpoint 'ep1' came in on private endpoint pe1 of network vnet1 (127.42.1.4)",
                "which connects to " + OTHER_WS + " (group id amlworkspace), not to its workspace 'ws1'",
                "a private endpoint carries traffic only to its own target",
                "resolve ep1.local.inference.ml.azure.com through network vnet2's resolver 127.43.0.2, which answers 127.43.1.4");
    }

    @Test
    void aPrivateEndpointToTheRightResourceButAnotherSubResourceIsAMismatch() {
        connect(PE1, "pe1", ACCOUNT, "file", Status.Approved, "vnet1", "127.42.0.2", "127.42.1.4");
        Outcome.Refused refused = refused(access.check(PATH1, account(false)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PrivateEndpointTargetMismatch);
        assertThat(refused.message()).contains("(group id file), not to " + ACCOUNT + " (group id blob)");
    }

    @Test
    void aWorkspacePrivateEndpointDoesNotReachAStorageAccount() {
        connect(PE1, "pe1", WS, "amlworkspace", Status.Approved, "vnet1", "127.42.0.2", "127.42.1.4");
        Outcome.Refused refused = refused(access.check(PATH1, account(true)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PrivateEndpointTargetMismatch);
        assertThat(refused.message()).contains("storage account 'acct1'", "There is no private endpoint to " + ACCOUNT, "--group-id blob");
    }

    @Test
    void aPrivateEndpointWithoutAConnectionCarriesNothing() {
        Outcome.Refused refused = refused(access.check(PATH1, endpoint(true)));
        assertThat(refused.code()).isEqualTo(ErrorCode.PrivateEndpointConnectionNotApproved);
        assertThat(refused.message()).contains("private endpoint pe1 of network vnet1 (127.42.1.4), which has no private endpoint connection");
    }

    @Test
    void pathsDescribeThemselves() {
        assertThat(NetworkPath.Public.INSTANCE.describe()).isEqualTo("the public listener");
        assertThat(PATH1.describe()).isEqualTo("private endpoint pe1 of network vnet1 (127.42.1.4)");
    }

    private static final class FakeDirectory implements PrivateLinkDirectory {
        final Map<String, Connection> connections = new HashMap<>();
        final Map<String, List<ConnectedEndpoint>> endpoints = new HashMap<>();
        boolean failOnUse;

        @Override
        public Optional<Connection> connectionOf(String privateEndpointId) {
            check();
            return Optional.ofNullable(connections.get(privateEndpointId.toLowerCase()));
        }

        @Override
        public List<ConnectedEndpoint> endpointsOf(String targetId) {
            check();
            return endpoints.getOrDefault(targetId.toLowerCase(), List.of());
        }

        private void check() {
            if (failOnUse) {
                throw new AssertionError("the directory was consulted");
            }
        }
    }
}
