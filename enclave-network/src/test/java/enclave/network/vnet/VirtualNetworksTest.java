package enclave.network.vnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.network.MemoryStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VirtualNetworksTest {
    private final MemoryStore store = new MemoryStore();
    private final List<String> events = new ArrayList<>();
    private final VirtualNetworks networks = new VirtualNetworks(store, group -> true, "127.0.0.1", new VirtualNetworkEvents() {
        @Override
        public void changed(VirtualNetwork network) {
            events.add("changed " + network.name());
        }

        @Override
        public void deleted(VirtualNetwork network) {
            events.add("deleted " + network.name());
        }
    }, Clock.systemUTC());
    private final ResourceId vnet = VirtualNetworks.id("sub", "rg", "vnet1");
    private final ResourceId subnet = VirtualNetworks.subnetId(vnet, "default");

    private VirtualNetwork create(ResourceId id, String prefix, VirtualNetworks.SubnetSpec... subnets) {
        return networks.createOrUpdate(id, "local", Map.of(), List.of(prefix), List.of(subnets));
    }

    private static VirtualNetworks.SubnetSpec subnet(String name, String prefix) {
        return new VirtualNetworks.SubnetSpec(name, Optional.of(prefix), Optional.empty());
    }

    private static ErrorCode code(Runnable action) {
        try {
            action.run();
        } catch (EnclaveException e) {
            return e.code();
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void theResolverIsTheFirstPrefixPlusTwo() {
        VirtualNetwork network = networks.createOrUpdate(vnet, "local", Map.of(), List.of("127.42.0.0/16", "127.43.0.0/16"), List.of());
        assertThat(network.resolverAddress()).isEqualTo("127.42.0.2");
        assertThat(networks.all()).extracting(VirtualNetwork::name).containsExactly("vnet1");
        assertThat(events).containsExactly("changed vnet1");
    }

    @Test
    void refusesAddressSpacesThatCannotLiveOnThisMachine() {
        assertThat(code(() -> create(vnet, "10.0.0.0/16"))).isEqualTo(ErrorCode.InvalidAddressPrefix);
        assertThat(code(() -> create(vnet, "127.0.0.0/8"))).isEqualTo(ErrorCode.InvalidAddressPrefix);
        assertThat(code(() -> networks.createOrUpdate(vnet, "local", Map.of(), List.of("127.42.0.0/16", "127.42.5.0/24"), List.of())))
                .isEqualTo(ErrorCode.AddressPrefixesOverlap);
        create(vnet, "127.42.0.0/16");
        assertThat(code(() -> create(VirtualNetworks.id("sub2", "other", "vnet9"), "127.40.0.0/14"))).isEqualTo(ErrorCode.AddressPrefixesOverlap);
        assertThat(store.get(VirtualNetworks.id("sub2", "other", "vnet9"), VirtualNetwork.class)).isEmpty();
    }

    @Test
    void subnetsStayInsideTheirNetworkAndApart() {
        create(vnet, "127.42.0.0/16", subnet("default", "127.42.1.0/24"));
        assertThat(networks.getSubnet(subnet).privateEndpointNetworkPolicies()).isEqualTo("Disabled");
        assertThat(code(() -> networks.createOrUpdateSubnet(VirtualNetworks.subnetId(vnet, "x"), Optional.of("127.43.0.0/24"), Optional.empty())))
                .isEqualTo(ErrorCode.SubnetOutsideAddressSpace);
        assertThat(code(() -> networks.createOrUpdateSubnet(VirtualNetworks.subnetId(vnet, "x"), Optional.of("127.42.1.0/25"), Optional.empty())))
                .isEqualTo(ErrorCode.AddressPrefixesOverlap);
        assertThat(code(() -> networks.createOrUpdateSubnet(VirtualNetworks.subnetId(vnet, "x"), Optional.of("127.42.9.0/30"), Optional.empty())))
                .isEqualTo(ErrorCode.InvalidAddressPrefix);
        assertThat(code(() -> networks.createOrUpdate(vnet, "local", Map.of(), List.of("127.42.128.0/17"), List.of())))
                .isEqualTo(ErrorCode.SubnetOutsideAddressSpace);
        // a subnet may change its own prefix while nothing uses it
        assertThat(networks.createOrUpdateSubnet(subnet, Optional.of("127.42.1.0/25"), Optional.of("enabled")).privateEndpointNetworkPolicies())
                .isEqualTo("Enabled");
    }

    @Test
    void allocationHandsOutTheLowestFreeAddressAndSkipsTheReservedOnes() {
        create(vnet, "127.42.0.0/16", subnet("default", "127.42.1.0/29"));
        ResourceId owner = ResourceId.of("sub", "rg", "Microsoft.Network", "privateEndpoints", "pe");
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            addresses.add(networks.allocate(subnet, owner).address());
        }
        // a /29 has eight addresses: .0-.3 and .7 are reserved
        assertThat(addresses).containsExactly("127.42.1.4", "127.42.1.5", "127.42.1.6");
        assertThat(code(() -> networks.allocate(subnet, owner))).isEqualTo(ErrorCode.SubnetIsFull);
        networks.release(subnet, "127.42.1.5");
        assertThat(networks.allocate(subnet, owner).address()).isEqualTo("127.42.1.5");
        assertThat(code(() -> networks.deleteSubnet(subnet))).isEqualTo(ErrorCode.InUseSubnetCannotBeDeleted);
        assertThat(code(() -> networks.delete(vnet))).isEqualTo(ErrorCode.InUseVirtualNetworkCannotBeDeleted);
        assertThat(code(() -> networks.createOrUpdateSubnet(subnet, Optional.of("127.42.2.0/24"), Optional.empty())))
                .isEqualTo(ErrorCode.InUseSubnetCannotBeDeleted);
        List.of("127.42.1.4", "127.42.1.5", "127.42.1.6").forEach(address -> networks.release(subnet, address));
        assertThat(networks.delete(vnet)).isTrue();
        assertThat(store.hasDescendants(vnet)).isFalse();
        assertThat(events).containsExactly("changed vnet1", "deleted vnet1");
    }

    @Test
    void aMissingSubnetSaysHowToMakeIt() {
        create(vnet, "127.42.0.0/16");
        assertThatThrownBy(() -> networks.allocate(subnet, vnet)).hasMessageContaining("enclave network vnet subnet create --vnet-name vnet1 -n default");
    }
}
