package enclave.server;

import enclave.core.ResourceId;
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

/**
 * The platform resources the public DNS view names: storage accounts, workspaces and online endpoints' scoring hosts.
 * Nothing has private endpoints yet, so every public name answers the public address directly; the private endpoint
 * wiring replaces {@link #hasPrivateEndpoints} with the real question.
 */
final class PlatformDnsNames {
    private final ResourceStore store;
    private final PlatformSuffixes suffixes;

    PlatformDnsNames(ResourceStore store, PlatformSuffixes suffixes) {
        this.store = store;
        this.suffixes = suffixes;
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
        }
        for (OnlineEndpoint endpoint : store.allOfType(Endpoints.TYPE, OnlineEndpoint.class)) {
            ResourceId workspaceId = ResourceId.parse(endpoint.id()).parent().orElseThrow();
            Workspace workspace = workspaces.get(workspaceId.key());
            if (workspace != null) {
                resources.add(suffixes.scoringHost(endpoint.name(), workspace.workspaceId(), hasPrivateEndpoints(workspaceId)));
            }
        }
        return resources;
    }

    // TEMPORARY (diagnose branch, until PrivateNetworking lands): a resource has private endpoints when it has connections.
    private boolean hasPrivateEndpoints(ResourceId resource) {
        return !store.children(resource, enclave.network.privateendpoint.PrivateEndpointConnection.type(resource.type()),
                enclave.network.privateendpoint.PrivateEndpointConnection.class).isEmpty();
    }
}
