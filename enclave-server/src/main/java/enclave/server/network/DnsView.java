package enclave.server.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One view's answer for a name, as a user reads it: the chain of records from the name to its address (CNAMEs, then A
 * records), the response code, and the address a client would connect to.
 *
 * @param view {@code public} or the virtual network's name
 * @param resolver the resolver that gives this view ({@code <ip>:<port>})
 * @param address the first A record at the end of the chain; empty when the chain ends without one (NXDOMAIN, NODATA)
 */
public record DnsView(String view, String resolver, List<Link> chain, String rcode, Optional<String> address) {
    /** One record of the chain: owner name, type ({@code CNAME}, {@code A}) and data (target name or address), no trailing dots. */
    public record Link(String name, String type, String data) {}

    public DnsView {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(resolver, "resolver");
        chain = List.copyOf(chain);
        Objects.requireNonNull(rcode, "rcode");
        Objects.requireNonNull(address, "address");
    }

    /**
     * Reads the chain for {@code name} from a response: follows CNAMEs from the name in the answer section (in chain order,
     * whatever order the records came in), then takes the A records of the last name. Records that are not on the chain
     * are left out.
     */
    public static DnsView of(String view, String resolver, Name name, Message response) {
        List<Record> answers = response.getSection(Section.ANSWER);
        List<Link> chain = new ArrayList<>();
        Name current = name;
        // a CNAME loop ends after as many hops as there are records
        for (int hop = 0; hop <= answers.size(); hop++) {
            Optional<CNAMERecord> alias = find(answers, current, Type.CNAME).map(CNAMERecord.class::cast);
            if (alias.isEmpty()) {
                break;
            }
            chain.add(new Link(text(current), "CNAME", text(alias.get().getTarget())));
            current = alias.get().getTarget();
        }
        Optional<String> address = Optional.empty();
        for (Record record : answers) {
            if (record.getType() == Type.A && record.getName().equals(current)) {
                String ip = ((ARecord) record).getAddress().getHostAddress();
                chain.add(new Link(text(current), "A", ip));
                address = address.or(() -> Optional.of(ip));
            }
        }
        return new DnsView(view, resolver, chain, Rcode.string(response.getRcode()), address);
    }

    private static Optional<Record> find(List<Record> records, Name owner, int type) {
        return records.stream().filter(r -> r.getType() == type && r.getName().equals(owner)).findFirst();
    }

    static String text(Name name) {
        String text = name.toString();
        return text.endsWith(".") && text.length() > 1 ? text.substring(0, text.length() - 1) : text;
    }

    /** "a.blob.core.windows.net → CNAME a.privatelink.blob.core.windows.net → A 127.0.0.1", or the response code when there is no answer. */
    public String describe(String host) {
        StringBuilder text = new StringBuilder(host);
        for (Link link : chain) {
            text.append(" → ").append(link.type()).append(' ').append(link.data());
        }
        if (address.isEmpty()) {
            text.append(" → ").append(rcode.equals("NOERROR") ? "no address (NODATA)" : rcode);
        }
        return text.toString();
    }
}
