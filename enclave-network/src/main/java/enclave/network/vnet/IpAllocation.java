package enclave.network.vnet;

import java.time.Instant;

/**
 * One private address handed out in a subnet, stored below the subnet so that allocation is exact and survives restarts.
 *
 * @param owner the ARM id of what holds the address (a private endpoint)
 */
public record IpAllocation(String id, String subnet, String address, String owner, Instant createdAt) {
    public static final String TYPE = Subnet.TYPE + "/ipAllocations";
}
