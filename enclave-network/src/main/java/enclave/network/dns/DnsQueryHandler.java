package enclave.network.dns;

import enclave.core.ResourceId;
import java.util.Optional;

/** Wire-format query in, wire-format response out, as one view sees it; an empty answer means "drop, do not reply". */
@FunctionalInterface
public interface DnsQueryHandler {
    byte[] answer(byte[] query, Optional<ResourceId> network);
}
