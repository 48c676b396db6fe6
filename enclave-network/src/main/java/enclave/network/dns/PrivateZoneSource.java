package enclave.network.dns;

import enclave.core.ResourceId;
import java.util.List;

/** The private DNS zones linked to a virtual network, as its resolver applies them. */
public interface PrivateZoneSource {
    List<LinkedZone> linkedTo(ResourceId virtualNetwork);
}
