package enclave.network.dns;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.ResourceId;
import enclave.store.ResourceStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.xbill.DNS.Name;

/**
 * Private DNS zones ({@code Microsoft.Network/privateDnsZones}): zones, their A record sets and virtual network links,
 * and the private endpoints' zone groups. Every change rebuilds an in-memory snapshot the DNS server reads per query,
 * so answering never touches the store.
 */
public final class PrivateDnsZones implements PrivateZoneSource {
    static final String NAMESPACE = "Microsoft.Network";

    private final ResourceStore store;
    private final NetworkDirectory networks;
    private final Predicate<ResourceId> resourceGroupExists;
    private final Clock clock;
    // Checks across documents (one zone name per network, owners of records) and the snapshot rebuild stay atomic.
    private final ReentrantLock writes = new ReentrantLock();
    private volatile Map<String, List<LinkedZone>> linkedByNetwork = Map.of();

    public PrivateDnsZones(ResourceStore store, NetworkDirectory networks, Predicate<ResourceId> resourceGroupExists, Clock clock) {
        this.store = store;
        this.networks = networks;
        this.resourceGroupExists = resourceGroupExists;
        this.clock = clock;
        refresh();
    }

    public static ResourceId zoneId(String subscription, String resourceGroup, String zoneName) {
        return ResourceId.of(subscription, resourceGroup, NAMESPACE, "privateDnsZones", DnsNames.checkZoneName(zoneName));
    }

    public static ResourceId recordSetId(ResourceId zone, String relativeName) {
        return zone.child("A", DnsNames.checkRelativeName(relativeName));
    }

    public static ResourceId linkId(ResourceId zone, String linkName) {
        return zone.child("virtualNetworkLinks", checkLinkName(linkName));
    }

    public static ResourceId zoneGroupId(ResourceId privateEndpoint) {
        return privateEndpoint.child("privateDnsZoneGroups", PrivateDnsZoneGroup.NAME);
    }

    // ---- zones

    /** Creates the zone or updates its tags (idempotent). */
    public PrivateDnsZone createZone(ResourceId id, Map<String, String> tags) {
        requireZoneId(id);
        requireGroup(id);
        writes.lock();
        try {
            Optional<PrivateDnsZone> existing = findZone(id);
            PrivateDnsZone zone = new PrivateDnsZone(id.toString(), id.name(), tags, existing.map(PrivateDnsZone::createdAt).orElseGet(clock::instant));
            store.put(id, zone);
            refresh();
            return zone;
        } finally {
            writes.unlock();
        }
    }

    public Optional<PrivateDnsZone> findZone(ResourceId id) {
        requireZoneId(id);
        return store.get(id, PrivateDnsZone.class);
    }

    public PrivateDnsZone zone(ResourceId id) {
        return findZone(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "private DNS zone '" + id.name()
                + "' was not found in resource group '" + id.resourceGroup().orElse("") + "'; create it with: enclave network private-dns zone create -g "
                + id.resourceGroup().orElse("<group>") + " -n " + id.name()));
    }

    public List<PrivateDnsZone> zones(ResourceId resourceGroup) {
        requireGroup(resourceGroup);
        return store.children(resourceGroup, PrivateDnsZone.TYPE, PrivateDnsZone.class);
    }

    /**
     * Deletes the zone and its record sets; returns whether it existed. Refused while virtual networks are linked to
     * it (as Azure does), so no network silently loses names.
     */
    public boolean deleteZone(ResourceId id) {
        requireZoneId(id);
        writes.lock();
        try {
            if (findZone(id).isEmpty()) {
                return false;
            }
            List<VirtualNetworkLink> links = links(id);
            if (!links.isEmpty()) {
                throw new EnclaveException(ErrorCode.Conflict, "private DNS zone '" + id.name() + "' still has virtual network links ("
                        + String.join(", ", links.stream().map(VirtualNetworkLink::name).toList())
                        + "); delete them first with: enclave network private-dns link vnet delete -g " + id.resourceGroup().orElse("") + " -z " + id.name() + " -n <link>");
            }
            boolean deleted = store.delete(id);
            refresh();
            return deleted;
        } finally {
            writes.unlock();
        }
    }

    // ---- A record sets

    /** Creates or replaces an A record set; addresses a private endpoint made keep their owner. */
    public ARecordSet putRecordSet(ResourceId zone, String relativeName, long ttl, List<String> addresses) {
        List<String> checked = addresses.stream().map(DnsNames::checkIpv4).distinct().toList();
        writes.lock();
        try {
            zone(zone);
            ResourceId id = recordSetId(zone, relativeName);
            Map<String, Optional<String>> owners = new HashMap<>();
            findRecordSet(id).ifPresent(existing -> existing.records().forEach(entry -> owners.put(entry.ipv4Address(), entry.privateEndpoint())));
            List<ARecordSet.Entry> entries = checked.stream()
                    .map(ip -> new ARecordSet.Entry(ip, owners.getOrDefault(ip, Optional.empty())))
                    .toList();
            ARecordSet set = new ARecordSet(id.toString(), relativeName, ttl, entries);
            store.put(id, set);
            refresh();
            return set;
        } finally {
            writes.unlock();
        }
    }

    /** Adds one address to a record set, creating the set (TTL {@value ARecordSet#DEFAULT_TTL} s) when absent ({@code az ... add-record}). */
    public ARecordSet addRecord(ResourceId zone, String relativeName, String ip) {
        DnsNames.checkRelativeName(relativeName);
        DnsNames.checkIpv4(ip);
        writes.lock();
        try {
            zone(zone);
            ResourceId id = recordSetId(zone, relativeName);
            Optional<ARecordSet> existing = findRecordSet(id);
            List<String> addresses = new ArrayList<>(existing.map(ARecordSet::addresses).orElse(List.of()));
            addresses.add(ip);
            return putRecordSet(zone, relativeName, existing.map(ARecordSet::ttl).orElse(ARecordSet.DEFAULT_TTL), addresses);
        } finally {
            writes.unlock();
        }
    }

    /** Removes one address; a set left empty is deleted ({@code az ... remove-record}). Returns the set if it remains. */
    public Optional<ARecordSet> removeRecord(ResourceId zone, String relativeName, String ip) {
        writes.lock();
        try {
            ResourceId id = recordSetId(zone, relativeName);
            ARecordSet existing = recordSet(id);
            if (!existing.addresses().contains(DnsNames.checkIpv4(ip))) {
                throw new EnclaveException(ErrorCode.ResourceNotFound, "record set '" + relativeName + "' in zone '" + zone.name() + "' has no address " + ip
                        + "; it has " + String.join(", ", existing.addresses()));
            }
            List<String> remaining = existing.addresses().stream().filter(address -> !address.equals(ip)).toList();
            if (remaining.isEmpty()) {
                deleteRecordSet(id);
                return Optional.empty();
            }
            return Optional.of(putRecordSet(zone, relativeName, existing.ttl(), remaining));
        } finally {
            writes.unlock();
        }
    }

    public Optional<ARecordSet> findRecordSet(ResourceId id) {
        return store.get(id, ARecordSet.class);
    }

    public ARecordSet recordSet(ResourceId id) {
        return findRecordSet(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "A record set '" + id.name() + "' was not found in private DNS zone '"
                + id.parent().map(ResourceId::name).orElse("") + "'; add one with: enclave network private-dns record-set a add-record"));
    }

    public List<ARecordSet> recordSets(ResourceId zone) {
        zone(zone);
        return store.children(zone, ARecordSet.TYPE, ARecordSet.class);
    }

    public boolean deleteRecordSet(ResourceId id) {
        return deleteAndRefresh(id);
    }

    // ---- virtual network links

    /**
     * Links a zone to a virtual network, which must exist. Auto-registration is refused: it registers virtual machines,
     * which Enclave does not have. A network may be linked to only one zone of a given name (Azure's rule).
     */
    public VirtualNetworkLink link(ResourceId zone, String linkName, ResourceId virtualNetwork, boolean registrationEnabled, ResolutionPolicy policy) {
        ResourceId id = linkId(zone, linkName);
        if (registrationEnabled) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "registrationEnabled=true registers virtual machines' names in the zone, and Enclave runs no "
                    + "virtual machines; create the link with registrationEnabled false (-e false)");
        }
        ResolverNetwork network = networks.find(virtualNetwork).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound,
                "virtual network '" + virtualNetwork.name() + "' was not found (" + virtualNetwork + "); create it first with: enclave network vnet create -g "
                        + virtualNetwork.resourceGroup().orElse("<group>") + " -n " + virtualNetwork.name() + " --address-prefix 127.x.0.0/16"));
        writes.lock();
        try {
            PrivateDnsZone target = zone(zone);
            for (VirtualNetworkLink other : store.allOfType(VirtualNetworkLink.TYPE, VirtualNetworkLink.class)) {
                ResourceId otherZone = other.resourceId().parent().orElseThrow();
                if (other.virtualNetwork().key().equals(virtualNetwork.key()) && otherZone.name().equalsIgnoreCase(target.name())
                        && !otherZone.key().equals(zone.key())) {
                    throw new EnclaveException(ErrorCode.Conflict, "virtual network '" + network.name() + "' is already linked to another zone named '" + target.name()
                            + "' (" + otherZone + "); a network can be linked to only one zone of a name: delete that link first");
                }
                if (other.virtualNetwork().key().equals(virtualNetwork.key()) && otherZone.key().equals(zone.key()) && !other.resourceId().key().equals(id.key())) {
                    throw new EnclaveException(ErrorCode.Conflict, "virtual network '" + network.name() + "' is already linked to zone '" + target.name()
                            + "' by link '" + other.name() + "'");
                }
            }
            VirtualNetworkLink link = new VirtualNetworkLink(id.toString(), id.name(), virtualNetwork.toString(), false, policy);
            store.put(id, link);
            refresh();
            return link;
        } finally {
            writes.unlock();
        }
    }

    public Optional<VirtualNetworkLink> findLink(ResourceId id) {
        return store.get(id, VirtualNetworkLink.class);
    }

    public VirtualNetworkLink link(ResourceId id) {
        return findLink(id).orElseThrow(() -> new EnclaveException(ErrorCode.ResourceNotFound, "virtual network link '" + id.name()
                + "' was not found in private DNS zone '" + id.parent().map(ResourceId::name).orElse("") + "'"));
    }

    public List<VirtualNetworkLink> links(ResourceId zone) {
        return store.children(zone, VirtualNetworkLink.TYPE, VirtualNetworkLink.class);
    }

    public boolean deleteLink(ResourceId id) {
        return deleteAndRefresh(id);
    }

    private boolean deleteAndRefresh(ResourceId id) {
        writes.lock();
        try {
            boolean deleted = store.delete(id);
            refresh();
            return deleted;
        } finally {
            writes.unlock();
        }
    }

    // ---- private endpoints' zone groups

    /**
     * Records that a private endpoint's addresses belong in a zone: creates the zone in the endpoint's resource group if
     * absent and adds the A records, owned by the endpoint. Calling it again for the same zone replaces the endpoint's
     * records there; other zones of the group stay.
     */
    public PrivateDnsZoneGroup registerZoneGroup(ResourceId privateEndpoint, String zoneName, List<ZoneRecord> records) {
        ResourceId zone = zoneId(privateEndpoint.subscription(), privateEndpoint.resourceGroup().orElseThrow(
                () -> new IllegalArgumentException("a private endpoint lives in a resource group: " + privateEndpoint)), zoneName);
        writes.lock();
        try {
            if (findZone(zone).isEmpty()) {
                createZone(zone, Map.of());
            }
            removeOwnedRecords(zone, privateEndpoint);
            for (ZoneRecord record : records) {
                ResourceId setId = recordSetId(zone, record.relativeName());
                Optional<ARecordSet> existing = findRecordSet(setId);
                List<ARecordSet.Entry> entries = new ArrayList<>(existing.map(ARecordSet::records).orElse(List.of()));
                entries.removeIf(entry -> entry.ipv4Address().equals(record.ip()));
                entries.add(new ARecordSet.Entry(record.ip(), Optional.of(privateEndpoint.toString())));
                store.put(setId, new ARecordSet(setId.toString(), record.relativeName(), existing.map(ARecordSet::ttl).orElse(ARecordSet.DEFAULT_TTL), entries));
            }
            ResourceId groupId = zoneGroupId(privateEndpoint);
            List<String> zoneIds = new ArrayList<>(findZoneGroup(privateEndpoint).map(PrivateDnsZoneGroup::zoneIds).orElse(List.of()));
            zoneIds.removeIf(other -> ResourceId.parse(other).key().equals(zone.key()));
            zoneIds.add(zone.toString());
            PrivateDnsZoneGroup group = new PrivateDnsZoneGroup(groupId.toString(), privateEndpoint.toString(), zoneIds);
            store.put(groupId, group);
            refresh();
            return group;
        } finally {
            writes.unlock();
        }
    }

    /**
     * Removes exactly the records the private endpoint's zone group made (zones stay), and the group. Works after the
     * private endpoint's own document (and with it the group below it) is gone: records name their owner.
     */
    public void unregisterZoneGroup(ResourceId privateEndpoint) {
        writes.lock();
        try {
            java.util.Set<String> zones = new java.util.LinkedHashSet<>();
            findZoneGroup(privateEndpoint).ifPresent(group -> group.zoneIds().forEach(zone -> zones.add(zone)));
            for (ARecordSet set : store.allOfType(ARecordSet.TYPE, ARecordSet.class)) {
                if (set.records().stream().anyMatch(entry -> entry.ownedBy(privateEndpoint))) {
                    zones.add(set.resourceId().parent().orElseThrow().toString());
                }
            }
            for (String zone : zones) {
                removeOwnedRecords(ResourceId.parse(zone), privateEndpoint);
            }
            store.delete(zoneGroupId(privateEndpoint));
            refresh();
        } finally {
            writes.unlock();
        }
    }

    public Optional<PrivateDnsZoneGroup> findZoneGroup(ResourceId privateEndpoint) {
        return store.get(zoneGroupId(privateEndpoint), PrivateDnsZoneGroup.class);
    }

    private void removeOwnedRecords(ResourceId zone, ResourceId privateEndpoint) {
        for (ARecordSet set : store.children(zone, ARecordSet.TYPE, ARecordSet.class)) {
            if (set.records().stream().noneMatch(entry -> entry.ownedBy(privateEndpoint))) {
                continue;
            }
            List<ARecordSet.Entry> remaining = set.records().stream().filter(entry -> !entry.ownedBy(privateEndpoint)).toList();
            if (remaining.isEmpty()) {
                store.delete(set.resourceId());
            } else {
                store.put(set.resourceId(), new ARecordSet(set.id(), set.relativeName(), set.ttl(), remaining));
            }
        }
    }

    // ---- what resolvers see

    @Override
    public List<LinkedZone> linkedTo(ResourceId virtualNetwork) {
        return linkedByNetwork.getOrDefault(virtualNetwork.key(), List.of());
    }

    /** Rebuilds the resolvers' snapshot from the store (after every change; at start). */
    public void refresh() {
        writes.lock();
        try {
            Map<String, Map<Name, LinkedZone.Addresses>> recordsByZone = new HashMap<>();
            for (ARecordSet set : store.allOfType(ARecordSet.TYPE, ARecordSet.class)) {
                ResourceId zone = set.resourceId().parent().orElseThrow();
                Name origin = DnsNames.zone(zone.name());
                recordsByZone.computeIfAbsent(zone.key(), key -> new LinkedHashMap<>())
                        .put(DnsNames.recordName(set.relativeName(), origin), new LinkedZone.Addresses(set.ttl(), set.addresses()));
            }
            Map<String, List<LinkedZone>> byNetwork = new HashMap<>();
            for (VirtualNetworkLink link : store.allOfType(VirtualNetworkLink.TYPE, VirtualNetworkLink.class)) {
                ResourceId zone = link.resourceId().parent().orElseThrow();
                byNetwork.computeIfAbsent(link.virtualNetwork().key(), key -> new ArrayList<>()).add(new LinkedZone(DnsNames.zone(zone.name()),
                        link.resolutionPolicy(), recordsByZone.getOrDefault(zone.key(), Map.of())));
            }
            byNetwork.replaceAll((network, zones) -> List.copyOf(zones));
            linkedByNetwork = Map.copyOf(byNetwork);
        } finally {
            writes.unlock();
        }
    }

    /** The zone in master-file form (RFC 1035 §5): $ORIGIN, $TTL, SOA, NS and the A records, for BIND or dnsmasq. */
    public String export(ResourceId zone) {
        return ZoneFile.render(zone(zone), recordSets(zone));
    }

    private void requireGroup(ResourceId id) {
        ResourceId group = ResourceId.resourceGroup(id.subscription(), id.resourceGroup().orElseThrow(
                () -> new EnclaveException(ErrorCode.InvalidResourceId, "'" + id + "' is not in a resource group")));
        if (!resourceGroupExists.test(group)) {
            throw new EnclaveException(ErrorCode.ResourceGroupNotFound, "resource group '" + group.name() + "' could not be found; create it first");
        }
    }

    private static void requireZoneId(ResourceId id) {
        if (!id.type().equalsIgnoreCase(PrivateDnsZone.TYPE)) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + id + "' is not a private DNS zone id");
        }
    }

    private static String checkLinkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]|[A-Za-z0-9]")) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "virtual network link name '" + name
                    + "' is invalid: use 1-80 letters, digits, '.', '-' and '_', starting with a letter or digit");
        }
        return name;
    }
}
