package enclave.cli.session;

import enclave.core.ResourceId;

/** The workspace a command works in, and the ARM paths below it. */
public record WorkspaceScope(String subscription, String group, String workspace) {
    public static final String PROVIDER = "Microsoft.MachineLearningServices";

    public ResourceId id() {
        return ResourceId.of(subscription, group, PROVIDER, "workspaces", workspace);
    }

    /** {@code W} of the REST table. */
    public String path() {
        return id().toString();
    }

    public String endpoints() {
        return path() + "/onlineEndpoints";
    }

    public String endpoint(String name) {
        return id().child("onlineEndpoints", name).toString();
    }

    public String deployments(String endpoint) {
        return endpoint(endpoint) + "/deployments";
    }

    public String deployment(String endpoint, String name) {
        return id().child("onlineEndpoints", endpoint).child("deployments", name).toString();
    }

    /** {@code W/{models|codes|environments}/{name}} */
    public ResourceId asset(String collection, String name) {
        return id().child(collection, name);
    }

    public ResourceId assetVersion(String collection, String name, String version) {
        return asset(collection, name).child("versions", version);
    }

    /** The path listing workspaces of this scope's resource group. */
    public static String workspaces(String subscription, String group) {
        return ResourceId.resourceGroup(subscription, group) + "/providers/" + PROVIDER + "/workspaces";
    }
}
