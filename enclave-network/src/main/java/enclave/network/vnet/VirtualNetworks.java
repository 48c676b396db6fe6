package enclave.network.vnet;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.network.NetworkNames;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Virtual networks, their subnets, and the private addresses handed out in them. Networks live in 127.0.0.0/8 and never
 * overlap each other (a private IP is a real local address, so it must be unique on the machine); subnets lie inside
 * their network and never overlap their siblings. Allocation hands out the lowest free address, exactly once: every
 * write here runs under one lock and is stored before it returns.
 */
public final class VirtualNetworks {
    private static final String NAMESPACE = "Microsoft.Network";
    /** Azure's smallest subnet: a /29 leaves three usable addresses after the five reserved ones. */
    private static final int SMALLEST_SUBNET = 29;

    private final ResourceStore store;
    private final Predicate<ResourceId> resourceGroupExists;
    private final long publicAddress;
    private final Clock clock;
    private final VirtualNetworkEvents events;
    private final ReentrantLock writes = new ReentrantLock();

    /**
     * @param publicAddress the platform's public address (the server's bind address); no network may contain it, since the
     *     public listener lives there
     */
    public VirtualNetworks(ResourceStore store, Predicate<ResourceId> resourceGroupExists, String publicAddress, Clock clock) {
        this(store, resourceGroupExists, publicAddress, VirtualNetworkEvents.NONE, clock);
    }

    public VirtualNetworks(ResourceStore store, Predicate<ResourceId> resourceGroupExists, String publicAddress, VirtualNetworkEvents events, Clock clock) {
        this.events = events;
        this.store = store;
        this.resourceGroupExists = resourceGroupExists;
        this.publicAddress = IpPrefix.parseAddress(publicAddress).orElse(-1L);
        this.clock = clock;
    }

    public static ResourceId id(String subscription, String resourceGroup, String name) {
        return ResourceId.of(subscription, resourceGroup, NAMESPACE, "virtualNetworks", name);
    }

    public static ResourceId subnetId(ResourceId virtualNetwork, String name) {
        return virtualNetwork.child("subnets", name);
    }

    /** What a subnet should look like; empty fields keep the current value (or take the default for a new subnet). */
    public record SubnetSpec(String name, Optional<String> addressPrefix, Optional<String> privateEndpointNetworkPolicies) {}

    /**
     * Creates the network or updates its address space and tags, then creates or updates the given subnets (subnets not
     * listed are kept). Everything is validated before anything is stored.
     */
    public VirtualNetwork createOrUpdate(ResourceId id, String location, Map<String, String> tags, List<String> addressPrefixes, List<SubnetSpec> subnets) {
        requireType(id, VirtualNetwork.TYPE, "virtual network");
        NetworkNames.check(id.name(), "virtual network");
        requireGroup(id);
        writes.lock();
        try {
            Optional<VirtualNetwork> existing = find(id);
            List<IpPrefix> prefixes = checkAddressSpace(id, addressPrefixes);
            List<Subnet> current = existing.isPresent() ? subnets(id) : List.of();
            for (Subnet subnet : current) {
                if (prefixes.stream().noneMatch(prefix -> prefix.contains(subnet.prefix()))) {
                    throw new EnclaveException(ErrorCode.SubnetOutsideAddressSpace, "the new address space " + addressPrefixes + " of virtual network '"
                            + id.name() + "' does not contain its subnet '" + subnet.name() + "' (" + subnet.addressPrefix()
                            + "); keep a prefix that contains it, or delete the subnet first");
                }
            }
            VirtualNetwork network = new VirtualNetwork(id.toString(), id.name(), location, tags,
                    prefixes.stream().map(IpPrefix::toString).toList(), existing.map(VirtualNetwork::createdAt).orElseGet(clock::instant));
            List<Subnet> planned = new ArrayList<>(current);
            List<Subnet> toWrite = new ArrayList<>();
            for (SubnetSpec spec : subnets) {
                Subnet subnet = planSubnet(network, planned, spec);
                planned.removeIf(s -> s.resourceId().key().equals(subnet.resourceId().key()));
                planned.add(subnet);
                toWrite.add(subnet);
            }
            store.put(id, network);
            toWrite.forEach(subnet -> store.put(subnet.resourceId(), subnet));
            events.changed(network);
            return network;
        } finally {
            writes.unlock();
        }
    }

    /** Creates or updates one subnet of an existing network. */
    public Subnet createOrUpdateSubnet(ResourceId subnetId, Optional<String> addressPrefix, Optional<String> privateEndpointNetworkPolicies) {
        requireType(subnetId, Subnet.TYPE, "subnet");
        ResourceId networkId = subnetId.parent().orElseThrow();
        writes.lock();
        try {
            VirtualNetwork network = get(networkId);
            Subnet subnet = planSubnet(network, subnets(networkId), new SubnetSpec(subnetId.name(), addressPrefix, privateEndpointNetworkPolicies));
            store.put(subnetId, subnet);
            return subnet;
        } finally {
            writes.unlock();
        }
    }

    public Optional<VirtualNetwork> find(ResourceId id) {
        return store.get(id, VirtualNetwork.class);
    }

    public VirtualNetwork get(ResourceId id) {
        return find(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "virtual network '" + id.name() + "' was not found in resource group '"
                + id.resourceGroup().orElse("?") + "'; create it with: enclave network vnet create -n " + id.name() + " -g " + id.resourceGroup().orElse("?")
                + " --address-prefix 127.<n>.0.0/16"));
    }

    /** Every virtual network of the platform, in creation order. */
    public List<VirtualNetwork> all() {
        return store.allOfType(VirtualNetwork.TYPE, VirtualNetwork.class);
    }

    public List<VirtualNetwork> list(ResourceId resourceGroup) {
        return store.children(resourceGroup, VirtualNetwork.TYPE, VirtualNetwork.class);
    }

    public List<Subnet> subnets(ResourceId virtualNetwork) {
        return store.children(virtualNetwork, Subnet.TYPE, Subnet.class);
    }

    public Optional<Subnet> findSubnet(ResourceId subnetId) {
        return store.get(subnetId, Subnet.class);
    }

    public Subnet getSubnet(ResourceId subnetId) {
        ResourceId networkId = subnetId.parent().orElseThrow();
        get(networkId);
        return findSubnet(subnetId).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "subnet '" + subnetId.name()
                + "' was not found in virtual network '" + networkId.name() + "'; create it with: enclave network vnet subnet create --vnet-name "
                + networkId.name() + " -n " + subnetId.name() + " -g " + networkId.resourceGroup().orElse("?") + " --address-prefix <prefix>"));
    }

    /** The addresses handed out in a subnet, lowest first. */
    public List<IpAllocation> allocations(ResourceId subnetId) {
        return store.children(subnetId, IpAllocation.TYPE, IpAllocation.class).stream()
                .sorted(java.util.Comparator.comparingLong(a -> IpPrefix.parseAddress(a.address()).orElseThrow()))
                .toList();
    }

    /** Deletes a network and its subnets; refuses while anything holds an address in it. Returns whether it existed. */
    public boolean delete(ResourceId id) {
        writes.lock();
        try {
            Optional<VirtualNetwork> network = find(id);
            if (network.isEmpty()) {
                return false;
            }
            List<String> users = subnets(id).stream().flatMap(subnet -> allocations(subnet.resourceId()).stream()).map(a -> a.owner()).distinct().toList();
            if (!users.isEmpty()) {
                throw new EnclaveException(ErrorCode.InUseVirtualNetworkCannotBeDeleted, "virtual network '" + id.name()
                        + "' cannot be deleted: it holds private endpoints " + names(users) + "; delete them first (enclave network private-endpoint delete -n <name> -g <group>)");
            }
            store.delete(id);
            events.deleted(network.get());
            return true;
        } finally {
            writes.unlock();
        }
    }

    /** Deletes a subnet; refuses while anything holds an address in it. Returns whether it existed. */
    public boolean deleteSubnet(ResourceId subnetId) {
        writes.lock();
        try {
            if (findSubnet(subnetId).isEmpty()) {
                return false;
            }
            List<String> users = allocations(subnetId).stream().map(IpAllocation::owner).distinct().toList();
            if (!users.isEmpty()) {
                throw new EnclaveException(ErrorCode.InUseSubnetCannotBeDeleted, "subnet '" + subnetId.name() + "' cannot be deleted: it holds private endpoints "
                        + names(users) + "; delete them first (enclave network private-endpoint delete -n <name> -g <group>)");
            }
            return store.delete(subnetId);
        } finally {
            writes.unlock();
        }
    }

    /**
     * Hands out the lowest free address of a subnet to {@code owner} and stores it before returning. Azure reserves the
     * first four addresses of a subnet (network, gateway, two for DNS) and the last (broadcast).
     */
    public IpAllocation allocate(ResourceId subnetId, ResourceId owner) {
        writes.lock();
        try {
            Subnet subnet = getSubnet(subnetId);
            IpPrefix prefix = subnet.prefix();
            Set<String> taken = allocations(subnetId).stream().map(IpAllocation::address).collect(Collectors.toCollection(HashSet::new));
            for (long n = 4; n < prefix.size() - 1; n++) {
                String address = prefix.address(n);
                if (!taken.contains(address)) {
                    ResourceId allocationId = subnetId.child("ipAllocations", address);
                    IpAllocation allocation = new IpAllocation(allocationId.toString(), subnetId.toString(), address, owner.toString(), clock.instant());
                    store.put(allocationId, allocation);
                    return allocation;
                }
            }
            throw new EnclaveException(ErrorCode.SubnetIsFull, "subnet '" + subnet.name() + "' (" + subnet.addressPrefix() + ") has no free address left: "
                    + taken.size() + " are in use and 5 are reserved; use another subnet or delete a private endpoint in it");
        } finally {
            writes.unlock();
        }
    }

    /** Gives an address back (idempotent). */
    public void release(ResourceId subnetId, String address) {
        writes.lock();
        try {
            store.delete(subnetId.child("ipAllocations", address));
        } finally {
            writes.unlock();
        }
    }

    private Subnet planSubnet(VirtualNetwork network, List<Subnet> siblings, SubnetSpec spec) {
        NetworkNames.check(spec.name(), "subnet");
        ResourceId subnetId = subnetId(network.resourceId(), spec.name());
        Optional<Subnet> existing = siblings.stream().filter(s -> s.resourceId().key().equals(subnetId.key())).findFirst();
        String prefixText = spec.addressPrefix().or(() -> existing.map(Subnet::addressPrefix)).orElseThrow(() -> new EnclaveException(
                ErrorCode.InvalidRequestContent, "subnet '" + spec.name() + "' needs an address prefix (--address-prefix), e.g. inside " + network.addressPrefixes()));
        IpPrefix prefix = IpPrefix.parse(prefixText);
        String policies = spec.privateEndpointNetworkPolicies().map(VirtualNetworks::policies)
                .or(() -> existing.map(Subnet::privateEndpointNetworkPolicies)).orElse(Subnet.DISABLED);
        if (network.prefixes().stream().noneMatch(p -> p.contains(prefix))) {
            throw new EnclaveException(ErrorCode.SubnetOutsideAddressSpace, "subnet '" + spec.name() + "' (" + prefix + ") is outside the address space "
                    + network.addressPrefixes() + " of virtual network '" + network.name() + "'; choose a prefix inside it");
        }
        if (prefix.length() > SMALLEST_SUBNET) {
            throw new EnclaveException(ErrorCode.InvalidAddressPrefix, "subnet '" + spec.name() + "' (" + prefix + ") is too small: the smallest subnet is a /"
                    + SMALLEST_SUBNET + " (five addresses of every subnet are reserved)");
        }
        for (Subnet sibling : siblings) {
            if (!sibling.resourceId().key().equals(subnetId.key()) && sibling.prefix().overlaps(prefix)) {
                throw new EnclaveException(ErrorCode.AddressPrefixesOverlap, "subnet '" + spec.name() + "' (" + prefix + ") overlaps subnet '" + sibling.name()
                        + "' (" + sibling.addressPrefix() + ") of virtual network '" + network.name() + "'; subnets of a network must not overlap");
            }
        }
        if (existing.isPresent() && !existing.get().prefix().equals(prefix) && !allocations(subnetId).isEmpty()) {
            throw new EnclaveException(ErrorCode.InUseSubnetCannotBeDeleted, "the address prefix of subnet '" + spec.name()
                    + "' cannot change while it holds private endpoints " + names(allocations(subnetId).stream().map(IpAllocation::owner).distinct().toList())
                    + "; delete them first");
        }
        return new Subnet(subnetId.toString(), spec.name(), network.id(), prefix.toString(), policies,
                existing.map(Subnet::createdAt).orElseGet(clock::instant));
    }

    private List<IpPrefix> checkAddressSpace(ResourceId id, List<String> addressPrefixes) {
        if (addressPrefixes == null || addressPrefixes.isEmpty()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "virtual network '" + id.name()
                    + "' needs an address space (properties.addressSpace.addressPrefixes, --address-prefix), e.g. 127.42.0.0/16");
        }
        List<IpPrefix> prefixes = new ArrayList<>();
        for (String text : addressPrefixes) {
            IpPrefix prefix = IpPrefix.parse(text);
            if (!IpPrefix.LOOPBACK.contains(prefix)) {
                throw new EnclaveException(ErrorCode.InvalidAddressPrefix, "address prefix " + prefix + " is outside 127.0.0.0/8: Enclave's virtual networks live "
                        + "in the loopback range of one machine (every address there is a real local address a private endpoint can listen on); "
                        + "choose a prefix such as 127.42.0.0/16");
            }
            if (prefix.contains(publicAddress)) {
                throw new EnclaveException(ErrorCode.InvalidAddressPrefix, "address prefix " + prefix + " contains the platform's public address "
                        + IpPrefix.format(publicAddress) + ", where the public listeners are; choose a prefix such as 127.42.0.0/16");
            }
            for (IpPrefix other : prefixes) {
                if (other.overlaps(prefix)) {
                    throw new EnclaveException(ErrorCode.AddressPrefixesOverlap, "address prefixes " + other + " and " + prefix + " of virtual network '"
                            + id.name() + "' overlap; list each range once");
                }
            }
            prefixes.add(prefix);
        }
        for (VirtualNetwork other : all()) {
            if (other.resourceId().key().equals(id.key())) {
                continue;
            }
            for (IpPrefix theirs : other.prefixes()) {
                for (IpPrefix ours : prefixes) {
                    if (theirs.overlaps(ours)) {
                        throw new EnclaveException(ErrorCode.AddressPrefixesOverlap, "address prefix " + ours + " overlaps " + theirs + " of virtual network '"
                                + other.name() + "' (" + other.id() + "): private IPs must be unique on the machine, so no two virtual networks of the "
                                + "platform may overlap; choose another range");
                    }
                }
            }
        }
        return prefixes;
    }

    private void requireGroup(ResourceId id) {
        ResourceId group = id.parent().orElseThrow();
        if (!resourceGroupExists.test(group)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotFound, "resource group '" + group.name() + "' was not found; create it with: enclave group create -n "
                    + group.name());
        }
    }

    static String policies(String value) {
        if (Subnet.DISABLED.equalsIgnoreCase(value)) {
            return Subnet.DISABLED;
        }
        if (Subnet.ENABLED.equalsIgnoreCase(value)) {
            return Subnet.ENABLED;
        }
        throw new EnclaveException(ErrorCode.InvalidRequestContent, "privateEndpointNetworkPolicies '" + value + "' is invalid: use 'Disabled' or 'Enabled'");
    }

    private static void requireType(ResourceId id, String type, String kind) {
        if (!id.type().equalsIgnoreCase(type)) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + id + "' is not a " + kind + " id");
        }
    }

    private static String names(List<String> ids) {
        return ids.stream().map(text -> "'" + ResourceId.parse(text).name() + "' (" + text + ")").collect(Collectors.joining(", "));
    }
}
