package enclave.cli.network.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.console.CliException;
import enclave.cli.session.ResourceOperations;
import enclave.cli.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code enclave network private-dns zone|record-set|link ...}, as {@code az network private-dns}: private DNS zones, their A
 * record sets and their links to virtual networks, through the ARM API.
 */
@Command(name = "private-dns", description = "Private DNS zones, their A records and their virtual network links.", subcommands = {
        PrivateDnsCommands.Zone.class, PrivateDnsCommands.RecordSet.class, PrivateDnsCommands.Link.class})
public final class PrivateDnsCommands implements Runnable {
    final Session session;

    @Spec
    CommandSpec spec;

    public PrivateDnsCommands(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        spec.commandLine().usage(session.out());
    }

    String zonePath(String group, String zone) {
        if (zone == null || zone.isBlank()) {
            throw CliException.usage("give the zone's name, e.g. -z privatelink.blob.core.windows.net");
        }
        return "/subscriptions/" + session.connection().subscription() + "/resourceGroups/" + session.resourceGroup(group)
                + "/providers/Microsoft.Network/privateDnsZones/" + zone;
    }

    void show(String path) {
        session.output().print(session.connection().management().get(path));
    }

    void list(String path) {
        session.output().print(JsonNodeFactory.instance.arrayNode().addAll(session.connection().management().list(path)));
    }

    /** Usage when a group is called without a command. */
    abstract static class Group implements Runnable {
        @Spec
        CommandSpec spec;

        abstract PrivateDnsCommands root();

        @Override
        public void run() {
            spec.commandLine().usage(root().session.out());
        }
    }

    @Command(name = "zone", description = "Manage private DNS zones.")
    static final class Zone extends Group {
        @ParentCommand
        PrivateDnsCommands parent;

        @Override
        PrivateDnsCommands root() {
            return parent;
        }

        @Command(name = "create", description = "Create a private DNS zone (location global), e.g. -n privatelink.blob.core.windows.net.")
        int create(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("location", "global");
            new ResourceOperations(parent.session).put(parent.zonePath(group, name), body, false, "creating private DNS zone " + name)
                    .ifPresent(parent.session.output()::print);
            return 0;
        }

        @Command(name = "show", description = "Show a private DNS zone.")
        int show(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group) {
            parent.show(parent.zonePath(group, name));
            return 0;
        }

        @Command(name = "list", description = "List the private DNS zones of a resource group.")
        int list(@Option(names = {"-g", "--resource-group"}) String group) {
            String path = "/subscriptions/" + parent.session.connection().subscription() + "/resourceGroups/" + parent.session.resourceGroup(group)
                    + "/providers/Microsoft.Network/privateDnsZones";
            parent.list(path);
            return 0;
        }

        @Command(name = "delete", description = "Delete a private DNS zone and its records (its virtual network links must be deleted first).")
        int delete(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
                @Option(names = {"-y", "--yes"}) boolean yes) {
            String path = parent.zonePath(group, name);
            parent.session.confirm(yes, "Delete private DNS zone '" + name + "' and all its records?");
            new ResourceOperations(parent.session).delete(path, false, "deleting private DNS zone " + name);
            return 0;
        }

        @Command(name = "export", description = "Print the zone as a zone file ($ORIGIN, SOA, NS, A records) that BIND or dnsmasq can load.")
        int export(@Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-g", "--resource-group"}) String group,
                @Option(names = {"-f", "--file-name"}, description = "Write to this file instead of printing.") String file) {
            String text = parent.session.connection().management().get(parent.zonePath(group, name) + "/export").path("zoneFile").asText();
            if (file != null) {
                try {
                    java.nio.file.Files.writeString(parent.session.workingDirectory().resolve(file), text);
                } catch (java.io.IOException e) {
                    throw CliException.user("cannot write " + file + ": " + e.getMessage());
                }
                return 0;
            }
            parent.session.output().printText(text);
            return 0;
        }
    }

    @Command(name = "record-set", description = "Manage record sets of private DNS zones.", subcommands = RecordSet.A.class)
    static final class RecordSet extends Group {
        @ParentCommand
        PrivateDnsCommands parent;

        @Override
        PrivateDnsCommands root() {
            return parent;
        }

        @Command(name = "a", description = "Manage A record sets (names relative to the zone: '@' is the apex, '*' and '*.x' are wildcards).")
        static final class A extends Group {
            @ParentCommand
            RecordSet parent;

            @Override
            PrivateDnsCommands root() {
                return parent.parent;
            }

            private String path(String group, String zone, String name) {
                return root().zonePath(group, zone) + "/A/" + name;
            }

            @Command(name = "add-record", description = "Add an IPv4 address to an A record set, creating the set (TTL 10 s) if needed.")
            int addRecord(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone,
                    @Option(names = {"-n", "--record-set-name"}, required = true) String name,
                    @Option(names = {"-a", "--ipv4-address"}, required = true) String ip,
                    @Option(names = "--ttl", description = "TTL in seconds of a new record set (default 10).") Long ttl) {
                String path = path(group, zone, name);
                Optional<JsonNode> existing = root().session.connection().management().find(path);
                List<String> addresses = new ArrayList<>(addresses(existing));
                if (!addresses.contains(ip)) {
                    addresses.add(ip);
                }
                long setTtl = ttl != null ? ttl : existing.map(set -> set.at("/properties/ttl").asLong(10)).orElse(10L);
                put(path, setTtl, addresses, "adding " + ip + " to " + name);
                return 0;
            }

            @Command(name = "remove-record", description = "Remove an IPv4 address from an A record set; the last one removes the set.")
            int removeRecord(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone,
                    @Option(names = {"-n", "--record-set-name"}, required = true) String name,
                    @Option(names = {"-a", "--ipv4-address"}, required = true) String ip,
                    @Option(names = "--keep-empty-record-set", description = "Keep the set when its last address goes.") boolean keepEmpty) {
                String path = path(group, zone, name);
                JsonNode existing = root().session.connection().management().get(path);
                List<String> addresses = new ArrayList<>(addresses(Optional.of(existing)));
                if (!addresses.remove(ip)) {
                    throw CliException.user("record set '" + name + "' has no address " + ip + "; it has " + String.join(", ", addresses));
                }
                if (addresses.isEmpty() && !keepEmpty) {
                    new ResourceOperations(root().session).delete(path, false, "deleting record set " + name);
                    return 0;
                }
                put(path, existing.at("/properties/ttl").asLong(10), addresses, "removing " + ip + " from " + name);
                return 0;
            }

            @Command(name = "show", description = "Show an A record set.")
            int show(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone,
                    @Option(names = {"-n", "--name"}, required = true) String name) {
                root().show(path(group, zone, name));
                return 0;
            }

            @Command(name = "list", description = "List the A record sets of a zone.")
            int list(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone) {
                root().list(root().zonePath(group, zone) + "/A");
                return 0;
            }

            private void put(String path, long ttl, List<String> addresses, String stage) {
                ObjectNode body = JsonNodeFactory.instance.objectNode();
                ObjectNode properties = body.putObject("properties").put("ttl", ttl);
                ArrayNode records = properties.putArray("aRecords");
                addresses.forEach(address -> records.addObject().put("ipv4Address", address));
                new ResourceOperations(root().session).put(path, body, false, stage).ifPresent(root().session.output()::print);
            }

            private static List<String> addresses(Optional<JsonNode> set) {
                List<String> addresses = new ArrayList<>();
                set.ifPresent(found -> found.at("/properties/aRecords").forEach(record -> addresses.add(record.path("ipv4Address").asText())));
                return addresses;
            }
        }
    }

    @Command(name = "link", description = "Manage links between private DNS zones and virtual networks.", subcommands = Link.Vnet.class)
    static final class Link extends Group {
        @ParentCommand
        PrivateDnsCommands parent;

        @Override
        PrivateDnsCommands root() {
            return parent;
        }

        @Command(name = "vnet", description = "Link a zone to a virtual network: that network's resolver then answers from the zone.")
        static final class Vnet extends Group {
            @ParentCommand
            Link parent;

            @Override
            PrivateDnsCommands root() {
                return parent.parent;
            }

            private String path(String group, String zone, String name) {
                return root().zonePath(group, zone) + "/virtualNetworkLinks/" + name;
            }

            @Command(name = "create", description = "Link a zone to a virtual network (by name in the group, or by id).")
            int create(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone,
                    @Option(names = {"-n", "--name"}, required = true) String name,
                    @Option(names = {"-v", "--virtual-network"}, required = true, description = "Name (in the same group) or id of the virtual network.") String network,
                    @Option(names = {"-e", "--registration-enabled"}, required = true, arity = "1", description = "Must be false: Enclave has no virtual machines to register.") boolean registration,
                    @Option(names = "--resolution-policy", description = "Default (names the zone lacks are NXDOMAIN) or NxDomainRedirect (they get the public answer).") String policy) {
                Session session = root().session;
                String networkId = network.startsWith("/") ? network : "/subscriptions/" + session.connection().subscription() + "/resourceGroups/"
                        + session.resourceGroup(group) + "/providers/Microsoft.Network/virtualNetworks/" + network;
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("location", "global");
                ObjectNode properties = body.putObject("properties");
                properties.putObject("virtualNetwork").put("id", networkId);
                properties.put("registrationEnabled", registration);
                if (policy != null) {
                    properties.put("resolutionPolicy", policy);
                }
                new ResourceOperations(session).put(path(group, zone, name), body, false, "linking " + zone + " to " + network).ifPresent(session.output()::print);
                return 0;
            }

            @Command(name = "update", description = "Change a link's resolution policy (e.g. NxDomainRedirect, seed 002's fix for names the zone lacks).")
            int update(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone,
                    @Option(names = {"-n", "--name"}, required = true) String name,
                    @Option(names = {"-e", "--registration-enabled"}, arity = "1", description = "Must stay false: Enclave has no virtual machines to register.") Boolean registration,
                    @Option(names = "--resolution-policy", description = "Default (names the zone lacks are NXDOMAIN) or NxDomainRedirect (they get the public answer).") String policy) {
                Session session = root().session;
                // az's update is read, change, write: the link keeps its network and whatever is not given.
                JsonNode current = session.connection().management().get(path(group, zone, name));
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("location", "global");
                ObjectNode properties = body.putObject("properties");
                properties.putObject("virtualNetwork").put("id", current.at("/properties/virtualNetwork/id").asText());
                properties.put("registrationEnabled", registration != null ? registration : current.at("/properties/registrationEnabled").asBoolean(false));
                properties.put("resolutionPolicy", policy != null ? policy : current.at("/properties/resolutionPolicy").asText("Default"));
                new ResourceOperations(session).put(path(group, zone, name), body, false, "updating link " + name).ifPresent(session.output()::print);
                return 0;
            }

            @Command(name = "show", description = "Show a virtual network link.")
            int show(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone,
                    @Option(names = {"-n", "--name"}, required = true) String name) {
                root().show(path(group, zone, name));
                return 0;
            }

            @Command(name = "list", description = "List the virtual network links of a zone.")
            int list(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone) {
                root().list(root().zonePath(group, zone) + "/virtualNetworkLinks");
                return 0;
            }

            @Command(name = "delete", description = "Delete a virtual network link.")
            int delete(@Option(names = {"-g", "--resource-group"}) String group, @Option(names = {"-z", "--zone-name"}, required = true) String zone,
                    @Option(names = {"-n", "--name"}, required = true) String name, @Option(names = {"-y", "--yes"}) boolean yes) {
                root().session.confirm(yes, "Delete the link '" + name + "' of zone '" + zone + "'?");
                new ResourceOperations(root().session).delete(path(group, zone, name), false, "deleting link " + name);
                return 0;
            }
        }
    }
}
