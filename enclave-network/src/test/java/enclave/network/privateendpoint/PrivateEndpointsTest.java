package enclave.network.privateendpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.authz.Authorizer;
import enclave.authz.Decision;
import enclave.core.EnclaveException;
import enclave.core.ResourceId;
import enclave.core.http.Caller;
import enclave.network.MemoryStore;
import enclave.network.vnet.VirtualNetworks;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrivateEndpointsTest {
    private static final String ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts";

    private final MemoryStore store = new MemoryStore();
    private final VirtualNetworks networks = new VirtualNetworks(store, group -> true, "127.0.0.1", Clock.systemUTC());
    private final Set<String> existing = new HashSet<>();
    private final PrivateLinkTargets targets = new PrivateLinkTargets().register(PrivateLinkTarget.of(ACCOUNT_TYPE, List.of("blob"), "storage account",
            id -> existing.contains(id.key()), (id, group) -> List.of(id.name() + ".blob.core.windows.net")));
    /** Who may approve connections: object ids. Everyone may join subnets. */
    private final Set<String> approvers = new HashSet<>();
    private final List<String> events = new ArrayList<>();
    private final PrivateEndpoints endpoints = new PrivateEndpoints(store, networks, targets, new Authorizer() {
        @Override
        public Decision check(Caller caller, String action, ResourceId scope) {
            if (action.endsWith("privateEndpointConnectionsApproval/action") && !approvers.contains(caller.objectId())) {
                return new Decision.Denied("no role grants " + action);
            }
            return new Decision.Allowed("test");
        }

        @Override
        public Decision checkData(Caller caller, String dataAction, ResourceId scope) {
            return new Decision.Denied("no data actions here");
        }
    }, group -> true, new PrivateEndpointEvents() {
        @Override
        public void created(PrivateEndpoint endpoint) {
            events.add("created " + endpoint.name() + " " + endpoint.status());
        }

        @Override
        public void deleted(PrivateEndpoint endpoint) {
            events.add("deleted " + endpoint.name());
        }

        @Override
        public void connectionChanged(PrivateEndpoint endpoint) {
            events.add("changed " + endpoint.name() + " " + endpoint.status());
        }
    }, Clock.systemUTC());

    private final ResourceId vnet = VirtualNetworks.id("sub", "rg", "vnet1");
    private final ResourceId subnet = VirtualNetworks.subnetId(vnet, "default");
    private final ResourceId account = ResourceId.of("sub", "data", "Microsoft.Storage", "storageAccounts", "st1");
    private final Caller owner = new Caller("owner", "tenant", "owner", Optional.empty(), "management");
    private final Caller stranger = new Caller("stranger", "tenant", "stranger", Optional.empty(), "management");

    PrivateEndpointsTest() {
        existing.add(account.key());
        approvers.add(owner.objectId());
        networks.createOrUpdate(vnet, "local", Map.of(), List.of("127.42.0.0/16"),
                List.of(new VirtualNetworks.SubnetSpec("default", Optional.of("127.42.1.0/24"), Optional.empty())));
    }

    private PrivateEndpoint create(Caller caller, String name, boolean manual) {
        return endpoints.create(caller, PrivateEndpoints.id("sub", "rg", name),
                new PrivateEndpoints.Request(Optional.empty(), Map.of(), subnet, account, "BLOB", "c", manual, "please"));
    }

    @Test
    void approvalDependsOnWhoAsksAndHow() {
        PrivateEndpoint mine = create(owner, "pe1", false);
        assertThat(endpoints.all()).singleElement().extracting(PrivateEndpoint::status).isEqualTo(ConnectionStatus.Approved);
        PrivateEndpoint manual = create(owner, "pe2", true);
        PrivateEndpoint theirs = create(stranger, "pe3", false);
        assertThat(List.of(mine.status(), manual.status(), theirs.status()))
                .containsExactly(ConnectionStatus.Approved, ConnectionStatus.Pending, ConnectionStatus.Pending);
        assertThat(List.of(mine.privateIpAddress(), manual.privateIpAddress(), theirs.privateIpAddress()))
                .containsExactly("127.42.1.4", "127.42.1.5", "127.42.1.6");
        assertThat(mine.groupId()).isEqualTo("blob");
        assertThat(endpoints.connectedTo(account)).extracting(PrivateEndpoint::name).containsExactly("pe1", "pe2", "pe3");
        assertThat(endpoints.connections(account)).extracting(c -> c.connection().name()).containsExactly("pe1.c", "pe2.c", "pe3.c");
        assertThat(endpoints.fqdns(mine)).containsExactly("st1.blob.core.windows.net");

        endpoints.setStatus(account, "pe3.c", ConnectionStatus.Approved, "");
        assertThat(endpoints.find(theirs.resourceId()).orElseThrow().approved()).isTrue();
        endpoints.setStatus(account, "pe2.c", ConnectionStatus.Rejected, "no");
        assertThatThrownBy(() -> endpoints.setStatus(account, "pe2.c", ConnectionStatus.Approved, "")).hasMessageContaining("rejected");
        assertThat(endpoints.deleteConnection(account, "pe3.c")).isTrue();
        assertThat(endpoints.find(theirs.resourceId()).orElseThrow().status()).isEqualTo(ConnectionStatus.Disconnected);
        assertThat(events).containsExactly("created pe1 Approved", "created pe2 Pending", "created pe3 Pending", "changed pe3 Approved",
                "changed pe2 Rejected", "changed pe3 Disconnected");
    }

    @Test
    void deletingTheTargetDisconnectsItsEndpoints() {
        PrivateEndpoint mine = create(owner, "pe1", false);
        store.delete(account);
        assertThat(endpoints.find(mine.resourceId()).orElseThrow().status()).isEqualTo(ConnectionStatus.Disconnected);
        assertThat(endpoints.connectedTo(account)).singleElement().extracting(PrivateEndpoint::approved).isEqualTo(false);
        assertThat(endpoints.all()).singleElement().extracting(PrivateEndpoint::status).isEqualTo(ConnectionStatus.Disconnected);
        assertThat(endpoints.list(ResourceId.resourceGroup("sub", "rg"))).singleElement().extracting(PrivateEndpoint::status)
                .isEqualTo(ConnectionStatus.Disconnected);
    }

    @Test
    void deletingAnEndpointFreesItsAddressAndItsConnection() {
        create(owner, "pe1", false);
        PrivateEndpoint second = create(owner, "pe2", false);
        assertThat(endpoints.delete(PrivateEndpoints.id("sub", "rg", "pe1"))).isTrue();
        assertThat(endpoints.connections(account)).extracting(c -> c.connection().name()).containsExactly("pe2.c");
        assertThat(create(owner, "pe3", false).privateIpAddress()).isEqualTo("127.42.1.4");
        assertThat(second.privateIpAddress()).isEqualTo("127.42.1.5");
        assertThat(endpoints.delete(PrivateEndpoints.id("sub", "rg", "pe1"))).isFalse();
    }

    @Test
    void refusalsLeaveNothingBehind() {
        networks.createOrUpdateSubnet(subnet, Optional.empty(), Optional.of("Enabled"));
        assertThatThrownBy(() -> create(owner, "pe1", false)).isInstanceOf(EnclaveException.class)
                .hasMessageContaining("--private-endpoint-network-policies Disabled");
        networks.createOrUpdateSubnet(subnet, Optional.empty(), Optional.of("Disabled"));
        assertThatThrownBy(() -> endpoints.create(owner, PrivateEndpoints.id("sub", "rg", "pe1"),
                new PrivateEndpoints.Request(Optional.empty(), Map.of(), subnet, account, "vault", "c", false, ""))).hasMessageContaining("valid group ids: [blob]");
        ResourceId missing = ResourceId.of("sub", "data", "Microsoft.Storage", "storageAccounts", "gone");
        assertThatThrownBy(() -> endpoints.create(owner, PrivateEndpoints.id("sub", "rg", "pe1"),
                new PrivateEndpoints.Request(Optional.empty(), Map.of(), subnet, missing, "blob", "c", false, ""))).hasMessageContaining("was not found");
        assertThat(endpoints.all()).isEmpty();
        assertThat(networks.allocations(subnet)).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void theWorkspaceCheckNamesWhatIsMissingAndHowToAddIt() {
        ResourceId workspace = ResourceId.of("sub", "data", "Microsoft.Storage", "storageAccounts", "ws");
        existing.add(workspace.key());
        Map<String, ResourceId> dependencies = new LinkedHashMap<>();
        dependencies.put("blob", account);
        assertThat(PrivateNetworkCheck.of(endpoints, workspace, dependencies).satisfied()).isTrue();
        endpoints.create(owner, PrivateEndpoints.id("sub", "rg", "ws-pe"),
                new PrivateEndpoints.Request(Optional.empty(), Map.of(), subnet, workspace, "blob", "c", false, ""));
        PrivateNetworkCheck missing = PrivateNetworkCheck.of(endpoints, workspace, dependencies);
        assertThat(missing.satisfied()).isFalse();
        assertThat(missing.missing()).containsExactly("blob");
        assertThat(missing.message()).contains("enclave network private-endpoint create -g rg -n ws-blob-pe --vnet-name vnet1 --subnet default "
                + "--private-connection-resource-id " + account + " --group-id blob --connection-name ws-blob");
        create(owner, "blob-pe", false);
        assertThat(PrivateNetworkCheck.of(endpoints, workspace, dependencies).satisfied()).isTrue();
    }
}
