package enclave.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import enclave.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * {@code enclave network private-dns ...} against a real server, and the server's public DNS resolver asked with the real
 * {@code dig}: zones, A records, the exported zone file (checked by BIND's {@code named-checkzone} and parsed back by
 * dnsjava), the link rules users see, and a storage account's public name.
 */
class PrivateDnsCliTest {
    private static final String ZONE = "privatelink.blob.core.windows.net";
    private static TestServer enclave;
    private static Cli cli;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        enclave = TestServer.start();
        cli = new Cli(enclave.home);
        cli.useNewGroup("dns-rg");
    }

    @AfterAll
    static void stop() throws Exception {
        enclave.close();
    }

    @Test
    void zonesAndRecordsMadeWithTheCliExportAsAZoneFileBindLoads() throws Exception {
        JsonNode zone = cli.run("network", "private-dns", "zone", "create", "-n", ZONE).ok().json();
        assertThat(zone.get("location").asText()).isEqualTo("global");
        assertThat(zone.get("type").asText()).isEqualTo("Microsoft.Network/privateDnsZones");

        JsonNode set = cli.run("network", "private-dns", "record-set", "a", "add-record", "-z", ZONE, "-n", "acct1", "-a", "127.55.0.4").ok().json();
        assertThat(set.at("/properties/fqdn").asText()).isEqualTo("acct1." + ZONE + ".");
        cli.run("network", "private-dns", "record-set", "a", "add-record", "-z", ZONE, "-n", "acct1", "-a", "127.55.0.5").ok();
        cli.run("network", "private-dns", "record-set", "a", "add-record", "-z", ZONE, "-n", "*", "-a", "127.55.0.9").ok();
        assertThat(cli.run("network", "private-dns", "record-set", "a", "show", "-z", ZONE, "-n", "acct1", "--query", "properties.aRecords[].ipv4Address", "-o", "tsv")
                .ok().out().strip().split("\\s+")).containsExactly("127.55.0.4", "127.55.0.5");
        assertThat(cli.run("network", "private-dns", "record-set", "a", "list", "-z", ZONE, "--query", "[].name", "-o", "tsv").ok().out().strip().split("\\s+"))
                .containsExactlyInAnyOrder("acct1", "*");
        assertThat(cli.run("network", "private-dns", "zone", "show", "-n", ZONE, "--query", "properties.numberOfRecordSets", "-o", "tsv").ok().out().strip())
                .isEqualTo("3");

        Cli.Result bad = cli.run("network", "private-dns", "record-set", "a", "add-record", "-z", ZONE, "-n", "acct2", "-a", "999.1.1.1");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("(InvalidRequestContent)").contains("not an IPv4 address");

        String exported = cli.run("network", "private-dns", "zone", "export", "-n", ZONE).ok().out();
        assertThat(exported).contains("$ORIGIN " + ZONE + ".").contains("SOA");
        Path file = Files.writeString(files.resolve("zone.db"), exported);
        Process check = new ProcessBuilder("named-checkzone", ZONE, file.toString()).redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(checked).isZero();
        List<String> records = new ArrayList<>();
        try (Master master = new Master(file.toString(), Name.root)) {
            for (Record record = master.nextRecord(); record != null; record = master.nextRecord()) {
                if (record.getType() == Type.A) {
                    records.add(record.getName() + " " + record.rdataToString());
                }
            }
        }
        assertThat(records).containsExactlyInAnyOrder("acct1." + ZONE + ". 127.55.0.4", "acct1." + ZONE + ". 127.55.0.5", "*." + ZONE + ". 127.55.0.9");

        cli.run("network", "private-dns", "record-set", "a", "remove-record", "-z", ZONE, "-n", "acct1", "-a", "127.55.0.4").ok();
        cli.run("network", "private-dns", "record-set", "a", "remove-record", "-z", ZONE, "-n", "acct1", "-a", "127.55.0.5").ok();
        Cli.Result gone = cli.run("network", "private-dns", "record-set", "a", "show", "-z", ZONE, "-n", "acct1");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("(ResourceNotFound)");

        cli.run("network", "private-dns", "zone", "delete", "-n", ZONE, "-y").ok();
        assertThat(cli.run("network", "private-dns", "zone", "list", "--query", "[].name", "-o", "tsv").ok().out()).doesNotContain(ZONE);
    }

    @Test
    void aLinkNeedsAVirtualNetworkThatExistsAndNoAutoRegistration() throws Exception {
        cli.run("network", "private-dns", "zone", "create", "-n", "contoso.internal").ok();
        Cli.Result noNetwork = cli.run("network", "private-dns", "link", "vnet", "create", "-z", "contoso.internal", "-n", "l1", "-v", "vnet1", "-e", "false");
        assertThat(noNetwork.exit()).isEqualTo(1);
        assertThat(noNetwork.err()).contains("(ResourceNotFound)").contains("virtual network 'vnet1' was not found");
        Cli.Result registration = cli.run("network", "private-dns", "link", "vnet", "create", "-z", "contoso.internal", "-n", "l1", "-v", "vnet1", "-e", "true");
        assertThat(registration.exit()).isEqualTo(1);
        assertThat(registration.err()).contains("(InvalidRequestContent)").contains("registrationEnabled");
        assertThat(cli.run("network", "private-dns", "link", "vnet", "list", "-z", "contoso.internal", "--query", "length(@)", "-o", "tsv").ok().out().strip())
                .isEqualTo("0");
        Cli.Result noZone = cli.run("network", "private-dns", "zone", "show", "-n", "absent.internal");
        assertThat(noZone.exit()).isEqualTo(1);
        assertThat(noZone.err()).contains("(ResourceNotFound)").contains("enclave network private-dns zone create");
    }

    @Test
    void thePublicResolverAnswersAStorageAccountsNameWithThePlatformAddress() throws Exception {
        JsonNode info = TestServer.json(enclave.mgmt("GET", "/enclave/info", null));
        String address = info.get("dnsAddress").asText();
        int port = info.get("dnsPort").asInt();
        assertThat(port).isPositive();
        JsonNode serverJson = Json.MAPPER.readTree(enclave.server.serverJson().toFile());
        assertThat(serverJson.get("dnsPort").asInt()).isEqualTo(port);
        JsonNode status = cli.run("status", "-o", "json").ok().json();
        assertThat(status.get("dnsAddress").asText()).isEqualTo(address);
        assertThat(status.get("dnsPort").asInt()).isEqualTo(port);

        cli.run("storage", "account", "create", "-n", "dnspublic").ok();
        assertThat(dig(address, port, "dnspublic.blob.core.windows.net", "+short")).isEqualTo("127.0.0.1");
        assertThat(dig(address, port, "nosuchacct.blob.core.windows.net", "+noall", "+comments")).contains("status: NXDOMAIN").contains(" aa");
        // no upstream is configured: names the platform does not serve are refused
        assertThat(dig(address, port, "example.org", "+noall", "+comments")).contains("status: REFUSED");
        cli.run("storage", "account", "delete", "-n", "dnspublic", "-y").ok();
        assertThat(dig(address, port, "dnspublic.blob.core.windows.net", "+noall", "+comments")).contains("status: NXDOMAIN");
    }

    private static String dig(String server, int port, String name, String... options) throws Exception {
        return String.join("\n", NetworkTools.dig(server, port, name, options));
    }
}
