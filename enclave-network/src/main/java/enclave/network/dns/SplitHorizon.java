package enclave.network.dns;

import enclave.core.ResourceId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The platform's answers, one view per caller: the public view (platform names, with the privatelink CNAME when a
 * resource has private endpoints) and one view per virtual network (the same, plus the private DNS zones linked to it).
 * Decoding and encoding stay with dnsjava and the listeners; this class only turns a query into a response.
 *
 * <p>Rules (network design, "Names"): inside a linked zone the zone answers; a name the zone lacks is NXDOMAIN unless
 * the link's resolution policy is {@code NxDomainRedirect}, which falls back to the public answer. Platform names are
 * answered with authority (AA) and a TTL of {@value #TTL} s; other names go to the upstream, or are REFUSED without one.
 */
public final class SplitHorizon {
    private static final Logger log = LoggerFactory.getLogger(SplitHorizon.class);
    /** Platform answers are short-lived so a new private endpoint or zone record shows within seconds. */
    public static final long TTL = 10;
    // A chain longer than this is a loop (private zones cannot make CNAMEs, so real chains have one link).
    private static final int MAX_CHAIN = 8;

    private final PublicNames publicNames;
    private final PrivateZoneSource privateZones;
    private final Optional<Upstream> upstream;

    public SplitHorizon(PublicNames publicNames, PrivateZoneSource privateZones, Optional<Upstream> upstream) {
        this.publicNames = publicNames;
        this.privateZones = privateZones;
        this.upstream = upstream;
    }

    /** The response to a query, as the view of {@code network} (empty: the public view) sees it. */
    public Message answer(Message query, Optional<ResourceId> network) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.getHeader().setOpcode(query.getHeader().getOpcode());
        Record question = query.getQuestion();
        if (question != null) {
            response.addRecord(question, Section.QUESTION);
        }
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            response.getHeader().setRcode(Rcode.NOTIMP);
            return response;
        }
        if (question == null || query.getHeader().getFlag(Flags.QR)) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        if (upstream.isPresent()) {
            response.getHeader().setFlag(Flags.RA);
        }
        if (question.getDClass() != DClass.IN) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return response;
        }
        List<LinkedZone> zones = network.map(privateZones::linkedTo).orElse(List.of());
        return resolve(query, response, question.getName(), question.getType(), zones);
    }

    private Message resolve(Message query, Message response, Name queried, int type, List<LinkedZone> zones) {
        Name name = queried;
        for (int hop = 0; hop < MAX_CHAIN; hop++) {
            Optional<LinkedZone> zone = closestZone(zones, name);
            if (zone.isPresent()) {
                LinkedZone.Lookup found = zone.get().lookup(name);
                boolean redirect = found instanceof LinkedZone.Lookup.NxDomain && zone.get().policy() == ResolutionPolicy.NxDomainRedirect;
                if (!redirect) {
                    return fromZone(response, zone.get(), name, type, found);
                }
            }
            Optional<PublicName> platform = publicNames.lookup(name);
            if (platform.isPresent()) {
                response.getHeader().setFlag(Flags.AA);
                Optional<Name> alias = platform.get().privateLinkAlias();
                if (alias.isPresent()) {
                    response.addRecord(new CNAMERecord(name, DClass.IN, TTL, alias.get()), Section.ANSWER);
                    if (type == Type.CNAME) {
                        return response;
                    }
                    name = alias.get();
                    continue;
                }
                if (type == Type.A || type == Type.ANY) {
                    response.addRecord(new ARecord(name, DClass.IN, TTL, ZoneFile.address(platform.get().publicAddress())), Section.ANSWER);
                }
                return response;
            }
            if (hop > 0 || publicNames.inPlatformZone(name)) {
                response.getHeader().setFlag(Flags.AA);
                response.getHeader().setRcode(Rcode.NXDOMAIN);
                return response;
            }
            return forward(query, response);
        }
        log.warn("DNS: CNAME chain from {} is longer than {} links; answering SERVFAIL", queried, MAX_CHAIN);
        response.getHeader().setRcode(Rcode.SERVFAIL);
        return response;
    }

    private static Message fromZone(Message response, LinkedZone zone, Name name, int type, LinkedZone.Lookup found) {
        response.getHeader().setFlag(Flags.AA);
        switch (found) {
            case LinkedZone.Lookup.Found hit -> {
                if (type == Type.A || type == Type.ANY) {
                    for (String ip : hit.addresses().ips()) {
                        response.addRecord(new ARecord(hit.owner(), DClass.IN, hit.addresses().ttl(), ZoneFile.address(ip)), Section.ANSWER);
                    }
                } else {
                    response.addRecord(zone.soa(), Section.AUTHORITY);
                }
            }
            case LinkedZone.Lookup.NoData noData -> {
                if (name.equals(zone.origin()) && (type == Type.SOA || type == Type.ANY)) {
                    response.addRecord(zone.soa(), Section.ANSWER);
                } else if (name.equals(zone.origin()) && type == Type.NS) {
                    response.addRecord(zone.ns(), Section.ANSWER);
                } else {
                    response.addRecord(zone.soa(), Section.AUTHORITY);
                }
            }
            case LinkedZone.Lookup.NxDomain nxDomain -> {
                response.getHeader().setRcode(Rcode.NXDOMAIN);
                response.addRecord(zone.soa(), Section.AUTHORITY);
            }
        }
        return response;
    }

    private Message forward(Message query, Message response) {
        if (upstream.isEmpty()) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return response;
        }
        try {
            Message forwarded = upstream.get().forward(query);
            forwarded.getHeader().setID(query.getHeader().getID());
            forwarded.getHeader().unsetFlag(Flags.AA);
            return forwarded;
        } catch (IOException | RuntimeException e) {
            log.warn("DNS: forwarding {} to {} failed: {}", query.getQuestion().getName(), upstream.get(), e.toString());
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
    }

    private static Optional<LinkedZone> closestZone(List<LinkedZone> zones, Name name) {
        List<LinkedZone> containing = new ArrayList<>();
        for (LinkedZone zone : zones) {
            if (zone.contains(name)) {
                containing.add(zone);
            }
        }
        return containing.stream().max(Comparator.comparingInt(zone -> zone.origin().labels()));
    }
}
