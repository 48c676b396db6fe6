package enclave.server;

import enclave.core.ResourceId;
import enclave.monitor.account.MonitorAccount;
import enclave.monitor.account.MonitorAccounts;
import enclave.network.dns.PlatformResource;
import enclave.network.dns.PlatformSuffixes;
import enclave.serving.endpoint.Endpoints;
import enclave.serving.endpoint.OnlineEndpoint;
import enclave.serving.workspace.Workspace;
import enclave.serving.workspace.Workspaces;
import enclave.storage.account.StorageAccount;
import enclave.store.ResourceStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The platform resources the public DNS view names: storage accounts, workspaces, online endpoints' scoring hosts (through
 * their workspace), container registries and monitor accounts' query hosts. A resource with private endpoints answers a
 * CNAME to its privatelink name (the question comes from the networking snapshot).
 */
final class PlatformDnsNames {
    private final ResourceStore store;
    private final PlatformSuffixes suffixes;
    private final Predicate<ResourceId> hasPrivateEndpoints;
    private final MonitorAccounts monitorAccounts;

    PlatformDnsNames(ResourceStore store, PlatformSuffixes suffixes, Predicate<ResourceId> hasPrivateEndpoints, MonitorAccounts monitorAccounts) {
        this.store = store;
        this.suffixes = suffixes;
        this.hasPrivateEndpoints = hasPrivateEndpoints;
        this.monitorAccounts = monitorAccounts;
    }

    List<PlatformResource> current() {
        List<PlatformResource> resources = new ArrayList<>();
        for (StorageAccount account : store.allOfType(StorageAccount.TYPE, StorageAccount.class)) {
            resources.add(suffixes.storageAccount(account.name(), hasPrivateEndpoints(account.resourceId())));
        }
        Map<String, Workspace> workspaces = new HashMap<>();
        for (Workspace workspace : store.allOfType(Workspaces.TYPE, Workspace.class)) {
            workspaces.put(ResourceId.parse(workspace.id()).key(), workspace);
            resources.add(suffixes.workspace(workspace.workspaceId(), hasPrivateEndpoints(ResourceId.parse(workspace.id()))));
            ResourceId registry = ResourceId.parse(workspace.containerRegistry());
            resources.add(suffixes.registry(registry.name(), hasPrivateEndpoints(registry)));
        }
        for (OnlineEndpoint endpoint : store.allOfType(Endpoints.TYPE, OnlineEndpoint.class)) {
            ResourceId workspaceId = ResourceId.parse(endpoint.id()).parent().orElseThrow();
            Workspace workspace = workspaces.get(workspaceId.key());
            if (workspace != null) {
                resources.add(suffixes.scoringHost(endpoint.name(), workspace.workspaceId(), hasPrivateEndpoints(workspaceId)));
            }
        }
        for (MonitorAccount account : monitorAccounts.all()) {
            resources.add(suffixes.monitorWorkspace(account.hostLabel(), hasPrivateEndpoints(account.resourceId())));
        }
        return resources;
    }

    private boolean hasPrivateEndpoints(ResourceId resource) {
        return hasPrivateEndpoints.test(resource);
    }
}
