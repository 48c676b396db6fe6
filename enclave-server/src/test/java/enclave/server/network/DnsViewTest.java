package enclave.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Reading a response into the chain users see: CNAMEs in chain order, then the A records of the last name. */
class DnsViewTest {
    private static final Name HOST = name("acct.blob.core.windows.net.");
    private static final Name ALIAS = name("acct.privatelink.blob.core.windows.net.");

    @Test
    void aCnameChainEndsInTheAddressOfItsLastName() throws Exception {
        Message response = response(Rcode.NOERROR, new CNAMERecord(HOST, DClass.IN, 10, ALIAS), a(ALIAS, "127.42.1.4"));
        DnsView view = DnsView.of("vnet1", "127.42.0.2:53", HOST, response);
        assertThat(view.chain()).containsExactly(new DnsView.Link("acct.blob.core.windows.net", "CNAME", "acct.privatelink.blob.core.windows.net"),
                new DnsView.Link("acct.privatelink.blob.core.windows.net", "A", "127.42.1.4"));
        assertThat(view.address()).contains("127.42.1.4");
        assertThat(view.rcode()).isEqualTo("NOERROR");
        assertThat(view.describe("acct.blob.core.windows.net"))
                .isEqualTo("acct.blob.core.windows.net → CNAME acct.privatelink.blob.core.windows.net → A 127.42.1.4");
    }

    @Test
    void recordsInAnyOrderAreReadInChainOrderAndStrangersAreLeftOut() throws Exception {
        Name second = name("b.example.");
        Message response = response(Rcode.NOERROR, a(second, "127.0.0.9"), a(name("other.example."), "127.0.0.8"),
                new CNAMERecord(ALIAS, DClass.IN, 10, second), new CNAMERecord(HOST, DClass.IN, 10, ALIAS));
        DnsView view = DnsView.of("public", "127.0.0.1:53", HOST, response);
        assertThat(view.chain()).extracting(DnsView.Link::data).containsExactly("acct.privatelink.blob.core.windows.net", "b.example", "127.0.0.9");
        assertThat(view.address()).contains("127.0.0.9");
    }

    @Test
    void aCnameToANameTheZoneLacksIsNxdomainWithoutAnAddress() throws Exception {
        Message response = response(Rcode.NXDOMAIN, new CNAMERecord(HOST, DClass.IN, 10, ALIAS));
        DnsView view = DnsView.of("vnet2", "127.43.0.2:53", HOST, response);
        assertThat(view.chain()).hasSize(1);
        assertThat(view.address()).isEmpty();
        assertThat(view.describe("acct.blob.core.windows.net")).endsWith("→ CNAME acct.privatelink.blob.core.windows.net → NXDOMAIN");
    }

    @Test
    void aCnameLoopStops() throws Exception {
        Message response = response(Rcode.NOERROR, new CNAMERecord(HOST, DClass.IN, 10, ALIAS), new CNAMERecord(ALIAS, DClass.IN, 10, HOST));
        DnsView view = DnsView.of("public", "127.0.0.1:53", HOST, response);
        assertThat(view.address()).isEqualTo(Optional.empty());
        assertThat(view.chain().size()).isLessThanOrEqualTo(3);
    }

    private static Message response(int rcode, Record... answers) throws Exception {
        Message message = Message.newQuery(Record.newRecord(HOST, Type.A, DClass.IN));
        message.getHeader().setFlag(Flags.QR);
        message.getHeader().setRcode(rcode);
        for (Record answer : answers) {
            message.addRecord(answer, Section.ANSWER);
        }
        return new Message(message.toWire());
    }

    private static ARecord a(Name owner, String ip) throws Exception {
        return new ARecord(owner, DClass.IN, 10, InetAddress.getByName(ip));
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
