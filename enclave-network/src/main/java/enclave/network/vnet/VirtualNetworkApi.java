package enclave.network.vnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.core.Arm;
import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import enclave.core.Json;
import enclave.core.ResourceId;
import enclave.core.http.Call;
import enclave.core.http.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ARM REST mapping of virtual networks and subnets (management listener). */
public final class VirtualNetworkApi {
    private static final String GROUP = "/subscriptions/{sub}/resourceGroups/{rg}";
    private static final String NETWORKS = GROUP + "/providers/Microsoft.Network/virtualNetworks";
    private static final String NETWORK = NETWORKS + "/{vnet}";
    private static final String SUBNETS = NETWORK + "/subnets";
    private static final String SUBNET = SUBNETS + "/{subnet}";
    private static final String ALL_NETWORKS = "/subscriptions/{sub}/providers/Microsoft.Network/virtualNetworks";

    private final VirtualNetworks networks;
    private final String defaultLocation;

    public VirtualNetworkApi(VirtualNetworks networks, String defaultLocation) {
        this.networks = networks;
        this.defaultLocation = defaultLocation;
    }

    public List<Route> routes() {
        String network = VirtualNetwork.TYPE + "/";
        String subnet = Subnet.TYPE + "/";
        return List.of(
                Route.of("PUT", NETWORK, network + "write", this::put),
                Route.of("GET", NETWORK, network + "read", call -> call.json(200, toArm(networks.get(networkId(call))))),
                Route.of("DELETE", NETWORK, network + "delete", call -> call.empty(networks.delete(networkId(call)) ? 200 : 204, Map.of())),
                Route.of("GET", NETWORKS, network + "read", p -> Route.expand(GROUP, p), call -> call.json(200,
                        Arm.list(networks.list(ResourceId.resourceGroup(call.param("sub"), call.param("rg"))).stream().map(this::toArm).toList()))),
                Route.of("GET", ALL_NETWORKS, network + "read", call -> call.json(200, Arm.list(networks.all().stream()
                        .filter(n -> n.resourceId().subscription().equalsIgnoreCase(call.param("sub"))).map(this::toArm).toList()))),
                Route.of("PUT", SUBNET, subnet + "write", this::putSubnet),
                Route.of("GET", SUBNET, subnet + "read", call -> call.json(200, toArm(networks.getSubnet(subnetId(call))))),
                Route.of("DELETE", SUBNET, subnet + "delete", call -> call.empty(deleteSubnet(call) ? 200 : 204, Map.of())),
                Route.of("GET", SUBNETS, subnet + "read", call -> {
                    ResourceId id = networkId(call);
                    networks.get(id);
                    call.json(200, Arm.list(networks.subnets(id).stream().map(this::toArm).toList()));
                }));
    }

    private static ResourceId networkId(Call call) {
        return VirtualNetworks.id(call.param("sub"), call.param("rg"), call.param("vnet"));
    }

    private static ResourceId subnetId(Call call) {
        return VirtualNetworks.subnetId(networkId(call), call.param("subnet"));
    }

    private boolean deleteSubnet(Call call) {
        networks.get(networkId(call));
        return networks.deleteSubnet(subnetId(call));
    }

    private void put(Call call) {
        ResourceId id = networkId(call);
        JsonNode body = call.body(JsonNode.class);
        JsonNode properties = Arm.object(body, "properties");
        List<String> prefixes = strings(Arm.object(properties, "addressSpace").get("addressPrefixes"), "properties.addressSpace.addressPrefixes");
        List<VirtualNetworks.SubnetSpec> subnets = new ArrayList<>();
        JsonNode subnetNodes = properties.get("subnets");
        if (subnetNodes != null && !subnetNodes.isNull()) {
            if (!subnetNodes.isArray()) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "'properties.subnets' must be an array");
            }
            for (JsonNode node : subnetNodes) {
                String name = Arm.text(node, "name").orElseThrow(() -> new EnclaveException(ErrorCode.InvalidRequestContent, "every subnet needs a 'name'"));
                subnets.add(spec(name, Arm.object(node, "properties")));
            }
        }
        boolean existed = networks.find(id).isPresent();
        Optional<String> location = Arm.text(body, "location");
        VirtualNetwork network = networks.createOrUpdate(id, location.orElse(defaultLocation), Arm.stringMap(body, "tags").orElse(Map.of()), prefixes, subnets);
        call.json(existed ? 200 : 201, toArm(network));
    }

    private void putSubnet(Call call) {
        ResourceId id = subnetId(call);
        JsonNode body = call.body(JsonNode.class);
        VirtualNetworks.SubnetSpec spec = spec(id.name(), Arm.object(body, "properties"));
        boolean existed = networks.findSubnet(id).isPresent();
        Subnet subnet = networks.createOrUpdateSubnet(id, spec.addressPrefix(), spec.privateEndpointNetworkPolicies());
        call.json(existed ? 200 : 201, toArm(subnet));
    }

    private static VirtualNetworks.SubnetSpec spec(String name, JsonNode properties) {
        Optional<String> prefix = Arm.text(properties, "addressPrefix");
        if (prefix.isEmpty() && properties.has("addressPrefixes")) {
            List<String> prefixes = strings(properties.get("addressPrefixes"), "properties.addressPrefixes");
            if (prefixes.size() != 1) {
                throw new EnclaveException(ErrorCode.InvalidRequestContent, "subnet '" + name + "' takes exactly one address prefix");
            }
            prefix = Optional.of(prefixes.getFirst());
        }
        return new VirtualNetworks.SubnetSpec(name, prefix, Arm.text(properties, "privateEndpointNetworkPolicies"));
    }

    private static List<String> strings(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new EnclaveException(ErrorCode.InvalidRequestContent, "'" + field + "' must be an array of strings");
        }
        List<String> values = new ArrayList<>();
        node.forEach(value -> values.add(value.asText()));
        return values;
    }

    ObjectNode toArm(VirtualNetwork network) {
        ObjectNode node = Arm.envelope(network.resourceId(), network.location(), network.tags());
        ObjectNode properties = Arm.properties(node);
        properties.put("provisioningState", "Succeeded");
        properties.putObject("addressSpace").set("addressPrefixes", Json.MAPPER.valueToTree(network.addressPrefixes()));
        properties.putObject("dhcpOptions").putArray("dnsServers").add(network.resolverAddress());
        ArrayNode subnets = properties.putArray("subnets");
        networks.subnets(network.resourceId()).forEach(subnet -> subnets.add(toArm(subnet)));
        return node;
    }

    ObjectNode toArm(Subnet subnet) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", subnet.id());
        node.put("name", subnet.name());
        node.put("type", Subnet.TYPE);
        ObjectNode properties = node.putObject("properties");
        properties.put("provisioningState", "Succeeded");
        properties.put("addressPrefix", subnet.addressPrefix());
        properties.put("privateEndpointNetworkPolicies", subnet.privateEndpointNetworkPolicies());
        ArrayNode configurations = properties.putArray("ipConfigurations");
        ArrayNode endpoints = properties.putArray("privateEndpoints");
        for (IpAllocation allocation : networks.allocations(subnet.resourceId())) {
            configurations.addObject().put("id", allocation.owner()).put("privateIPAddress", allocation.address());
            endpoints.addObject().put("id", allocation.owner());
        }
        return node;
    }
}
