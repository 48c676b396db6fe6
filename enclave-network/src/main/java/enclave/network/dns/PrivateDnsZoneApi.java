package enclave.network.dns;

import com.fasterxml.jackson.core.JsonProcessingException;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ARM REST mapping of private DNS zones, their A record sets, virtual network links, and private endpoints' zone groups. */
public final class PrivateDnsZoneApi {
    static final String ZONES = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones";
    static final String ZONE = ZONES + "/{zone}";
    static final String RECORD_SETS = ZONE + "/A";
    static final String RECORD_SET = RECORD_SETS + "/{name}";
    static final String LINKS = ZONE + "/virtualNetworkLinks";
    static final String LINK = LINKS + "/{link}";
    static final String ZONE_GROUP = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{pe}/privateDnsZoneGroups/{group}";
    private static final long MAX_BODY = 256 * 1024;

    private final PrivateDnsZones zones;

    public PrivateDnsZoneApi(PrivateDnsZones zones) {
        this.zones = zones;
    }

    public List<Route> routes() {
        String zone = PrivateDnsZone.TYPE;
        String records = ARecordSet.TYPE;
        String links = VirtualNetworkLink.TYPE;
        return List.of(
                Route.of("PUT", ZONE, zone + "/write", this::putZone),
                Route.of("GET", ZONE, zone + "/read", this::getZone),
                Route.of("DELETE", ZONE, zone + "/delete", this::deleteZone),
                Route.of("GET", ZONES, zone + "/read", this::listZones),
                // Enclave extension: the zone in master-file form (az builds it client side)
                Route.of("GET", ZONE + "/export", zone + "/read", this::export),
                Route.of("PUT", RECORD_SET, records + "/write", this::putRecordSet),
                Route.of("GET", RECORD_SET, records + "/read", this::getRecordSet),
                Route.of("DELETE", RECORD_SET, records + "/delete", this::deleteRecordSet),
                Route.of("GET", RECORD_SETS, records + "/read", this::listRecordSets),
                Route.of("GET", ZONE + "/ALL", zone + "/ALL/read", this::listRecordSets),
                Route.of("PUT", LINK, links + "/write", this::putLink),
                Route.of("GET", LINK, links + "/read", this::getLink),
                Route.of("DELETE", LINK, links + "/delete", this::deleteLink),
                Route.of("GET", LINKS, links + "/read", this::listLinks),
                Route.of("GET", ZONE_GROUP, PrivateDnsZoneGroup.TYPE + "/read", this::getZoneGroup));
    }

    // ---- zones

    private void putZone(Call call) {
        ResourceId id = zoneId(call);
        ZoneBody body = read(call, ZoneBody.class).orElse(new ZoneBody(null, null));
        if (body.location() != null && !body.location().equalsIgnoreCase(PrivateDnsZone.LOCATION)) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "private DNS zones live in location 'global', not '" + body.location() + "'");
        }
        boolean existed = zones.findZone(id).isPresent();
        PrivateDnsZone zone = zones.createZone(id, body.tags() != null ? body.tags() : Map.of());
        call.json(existed ? 200 : 201, toArm(zone));
    }

    private void getZone(Call call) {
        call.json(200, toArm(zones.zone(zoneId(call))));
    }

    private void deleteZone(Call call) {
        call.empty(zones.deleteZone(zoneId(call)) ? 200 : 204, Map.of());
    }

    private void listZones(Call call) {
        ResourceId group = ResourceId.resourceGroup(call.param("sub"), call.param("rg"));
        call.json(200, Map.of("value", zones.zones(group).stream().map(this::toArm).toList()));
    }

    private void export(Call call) {
        call.json(200, Map.of("zoneFile", zones.export(zoneId(call))));
    }

    // ---- record sets

    private void putRecordSet(Call call) {
        ResourceId zone = zoneId(call);
        RecordSetBody body = read(call, RecordSetBody.class).orElseThrow(
                () -> new EnclaveException(ErrorCode.InvalidRequestContent, "the request needs a body: {\"properties\":{\"ttl\":10,\"aRecords\":[{\"ipv4Address\":\"...\"}]}}"));
        RecordSetProperties properties = body.properties() != null ? body.properties() : new RecordSetProperties(null, null);
        List<String> addresses = new ArrayList<>();
        if (properties.aRecords() != null) {
            for (ArmARecord record : properties.aRecords()) {
                addresses.add(DnsNames.checkIpv4(record == null ? null : record.ipv4Address()));
            }
        }
        boolean existed = zones.findRecordSet(PrivateDnsZones.recordSetId(zone, call.param("name"))).isPresent();
        ARecordSet set = zones.putRecordSet(zone, call.param("name"), properties.ttl() != null ? properties.ttl() : ARecordSet.DEFAULT_TTL, addresses);
        call.json(existed ? 200 : 201, toArm(zone, set));
    }

    private void getRecordSet(Call call) {
        ResourceId zone = zoneId(call);
        zones.zone(zone);
        call.json(200, toArm(zone, zones.recordSet(PrivateDnsZones.recordSetId(zone, call.param("name")))));
    }

    private void deleteRecordSet(Call call) {
        ResourceId zone = zoneId(call);
        zones.zone(zone);
        call.empty(zones.deleteRecordSet(PrivateDnsZones.recordSetId(zone, call.param("name"))) ? 200 : 204, Map.of());
    }

    private void listRecordSets(Call call) {
        ResourceId zone = zoneId(call);
        call.json(200, Map.of("value", zones.recordSets(zone).stream().map(set -> toArm(zone, set)).toList()));
    }

    // ---- links

    private void putLink(Call call) {
        ResourceId zone = zoneId(call);
        LinkBody body = read(call, LinkBody.class).orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent,
                "the request needs a body: {\"location\":\"global\",\"properties\":{\"virtualNetwork\":{\"id\":\"...\"},\"registrationEnabled\":false}}"));
        LinkProperties properties = body.properties();
        if (properties == null || properties.virtualNetwork() == null || properties.virtualNetwork().id() == null) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "properties.virtualNetwork.id is required: the id of the virtual network to link");
        }
        ResourceId network = ResourceId.parse(properties.virtualNetwork().id());
        if (!network.type().equalsIgnoreCase("Microsoft.Network/virtualNetworks")) {
            throw new EnclaveException(ErrorCode.InvalidResourceId, "'" + network + "' is not a virtual network id");
        }
        ResolutionPolicy policy = properties.resolutionPolicy() == null ? ResolutionPolicy.Default : ResolutionPolicy.parse(properties.resolutionPolicy());
        boolean existed = zones.findLink(PrivateDnsZones.linkId(zone, call.param("link"))).isPresent();
        VirtualNetworkLink link = zones.link(zone, call.param("link"), network, Boolean.TRUE.equals(properties.registrationEnabled()), policy);
        call.json(existed ? 200 : 201, toArm(link));
    }

    private void getLink(Call call) {
        ResourceId zone = zoneId(call);
        zones.zone(zone);
        call.json(200, toArm(zones.link(PrivateDnsZones.linkId(zone, call.param("link")))));
    }

    private void deleteLink(Call call) {
        ResourceId zone = zoneId(call);
        zones.zone(zone);
        call.empty(zones.deleteLink(PrivateDnsZones.linkId(zone, call.param("link"))) ? 200 : 204, Map.of());
    }

    private void listLinks(Call call) {
        ResourceId zone = zoneId(call);
        zones.zone(zone);
        call.json(200, Map.of("value", zones.links(zone).stream().map(PrivateDnsZoneApi::toArm).toList()));
    }

    // ---- zone groups

    private void getZoneGroup(Call call) {
        ResourceId endpoint = ResourceId.of(call.param("sub"), call.param("rg"), PrivateDnsZones.NAMESPACE, "privateEndpoints", call.param("pe"));
        Optional<PrivateDnsZoneGroup> group = PrivateDnsZoneGroup.NAME.equalsIgnoreCase(call.param("group")) ? zones.findZoneGroup(endpoint) : Optional.empty();
        if (group.isEmpty()) {
            throw new EnclaveException(ErrorCode.ResourceNotFound, "private endpoint '" + endpoint.name() + "' has no private DNS zone group '" + call.param("group") + "'");
        }
        List<Map<String, Object>> configs = new ArrayList<>();
        for (String zoneId : group.get().zoneIds()) {
            ResourceId zone = ResourceId.parse(zoneId);
            List<Map<String, Object>> recordSets = new ArrayList<>();
            for (ARecordSet set : zones.findZone(zone).isPresent() ? zones.recordSets(zone) : List.<ARecordSet>of()) {
                List<String> ips = set.records().stream().filter(entry -> entry.ownedBy(endpoint)).map(ARecordSet.Entry::ipv4Address).toList();
                if (!ips.isEmpty()) {
                    recordSets.add(Map.of("recordType", "A", "recordSetName", set.relativeName(), "fqdn", fqdn(zone, set), "ttl", set.ttl(), "ipAddresses", ips));
                }
            }
            configs.add(Map.of("name", zone.name().replace('.', '-'), "properties", Map.of("privateDnsZoneId", zone.toString(), "recordSets", recordSets)));
        }
        call.json(200, Map.of("id", group.get().id(), "name", PrivateDnsZoneGroup.NAME, "type", PrivateDnsZoneGroup.TYPE,
                "properties", Map.of("provisioningState", "Succeeded", "privateDnsZoneConfigs", configs)));
    }

    // ---- shapes

    private Map<String, Object> toArm(PrivateDnsZone zone) {
        ResourceId id = zone.resourceId();
        List<VirtualNetworkLink> links = zones.links(id);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("provisioningState", "Succeeded");
        // Azure counts the SOA record set too
        properties.put("numberOfRecordSets", zones.recordSets(id).size() + 1);
        properties.put("maxNumberOfRecordSets", 25000);
        properties.put("numberOfVirtualNetworkLinks", links.size());
        properties.put("maxNumberOfVirtualNetworkLinks", 1000);
        properties.put("numberOfVirtualNetworkLinksWithRegistration", 0);
        properties.put("maxNumberOfVirtualNetworkLinksWithRegistration", 100);
        return envelope(zone.id(), zone.name(), PrivateDnsZone.TYPE, Optional.of(zone.tags()), properties);
    }

    private static Map<String, Object> toArm(ResourceId zone, ARecordSet set) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("fqdn", fqdn(zone, set));
        properties.put("ttl", set.ttl());
        properties.put("aRecords", set.addresses().stream().map(ip -> Map.of("ipv4Address", ip)).toList());
        properties.put("isAutoRegistered", false);
        return envelope(set.id(), set.relativeName(), ARecordSet.TYPE, Optional.empty(), properties);
    }

    private static Map<String, Object> toArm(VirtualNetworkLink link) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("virtualNetwork", Map.of("id", link.virtualNetworkId()));
        properties.put("registrationEnabled", link.registrationEnabled());
        properties.put("resolutionPolicy", link.resolutionPolicy().name());
        properties.put("virtualNetworkLinkState", "Completed");
        properties.put("provisioningState", "Succeeded");
        return envelope(link.id(), link.name(), VirtualNetworkLink.TYPE, Optional.of(Map.of()), properties);
    }

    private static Map<String, Object> envelope(String id, String name, String type, Optional<Map<String, String>> tags, Map<String, Object> properties) {
        Map<String, Object> arm = new LinkedHashMap<>();
        arm.put("id", id);
        arm.put("name", name);
        arm.put("type", type);
        tags.ifPresent(present -> {
            arm.put("location", PrivateDnsZone.LOCATION);
            arm.put("tags", present);
        });
        arm.put("properties", properties);
        return arm;
    }

    private static String fqdn(ResourceId zone, ARecordSet set) {
        return DnsNames.recordName(set.relativeName(), DnsNames.zone(zone.name())).toString();
    }

    private static ResourceId zoneId(Call call) {
        return PrivateDnsZones.zoneId(call.param("sub"), call.param("rg"), call.param("zone"));
    }

    private static <T> Optional<T> read(Call call, Class<T> type) {
        byte[] raw = call.rawBody(MAX_BODY);
        if (raw.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(raw, type));
        } catch (JsonProcessingException e) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the request body is not valid: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "the request body is not valid: " + e.getMessage());
        }
    }

    record ZoneBody(String location, Map<String, String> tags) {}

    record RecordSetBody(RecordSetProperties properties) {}

    record RecordSetProperties(Long ttl, List<ArmARecord> aRecords) {}

    record ArmARecord(String ipv4Address) {}

    record LinkBody(String location, Map<String, String> tags, LinkProperties properties) {}

    record LinkProperties(SubResource virtualNetwork, Boolean registrationEnabled, String resolutionPolicy) {}

    record SubResource(String id) {}
}
