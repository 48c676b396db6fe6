package enclave.authz.role;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The built-in roles Enclave knows, with Azure's GUIDs and permission lists, as published in Microsoft's "Azure built-in
 * roles" reference (learn.microsoft.com/azure/role-based-access-control/built-in-roles: the General, Privileged, AI +
 * machine learning, Containers and Storage pages, 2024-2026 revisions). Built-in roles are assignable everywhere and can be
 * neither changed nor deleted.
 */
public final class BuiltInRoles {
    public static final String OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    public static final String CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    public static final String READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    public static final String USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    public static final String AZUREML_DATA_SCIENTIST = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
    public static final String AZUREML_CONNECTION_SECRETS_READER = "ea01e6af-a1c1-4350-9563-ad00f8c72ec5";
    public static final String ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    public static final String STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    public static final String STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    public static final String MONITORING_DATA_READER = "b0d8363b-8ddd-447d-831f-62ca05bff136";

    private static final String ML = "Microsoft.MachineLearningServices/workspaces/";
    private static final String BLOB = "Microsoft.Storage/storageAccounts/blobServices/";

    private static final List<RoleDefinition> ALL = List.of(
            role(OWNER, "Owner", "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
                    Permission.of(List.of("*"), List.of())),
            role(CONTRIBUTOR, "Contributor",
                    "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in "
                            + "Azure Blueprints, or share image galleries.",
                    Permission.of(List.of("*"), List.of(
                            "Microsoft.Authorization/*/Delete",
                            "Microsoft.Authorization/*/Write",
                            "Microsoft.Authorization/elevateAccess/Action",
                            "Microsoft.Blueprint/blueprintAssignments/write",
                            "Microsoft.Blueprint/blueprintAssignments/delete",
                            "Microsoft.Compute/galleries/share/action",
                            "Microsoft.Purview/consents/write",
                            "Microsoft.Purview/consents/delete",
                            "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                            "Microsoft.Subscription/cancel/action",
                            "Microsoft.Subscription/enable/action"))),
            role(READER, "Reader", "View all resources, but does not allow you to make any changes.",
                    Permission.of(List.of("*/read"), List.of())),
            role(USER_ACCESS_ADMINISTRATOR, "User Access Administrator", "Lets you manage user access to Azure resources.",
                    Permission.of(List.of("*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"), List.of())),
            role(AZUREML_DATA_SCIENTIST, "AzureML Data Scientist",
                    "Can perform all actions within an Azure Machine Learning workspace, except for creating or deleting compute resources and "
                            + "modifying the workspace itself.",
                    Permission.of(
                            List.of(ML + "*/read", ML + "*/action", ML + "*/delete", ML + "*/write"),
                            List.of(
                                    ML + "delete",
                                    ML + "write",
                                    ML + "computes/*/write",
                                    ML + "computes/*/delete",
                                    ML + "computes/listKeys/action",
                                    ML + "listKeys/action",
                                    ML + "hubs/write",
                                    ML + "hubs/delete",
                                    ML + "featurestores/write",
                                    ML + "featurestores/delete"))),
            role(AZUREML_CONNECTION_SECRETS_READER, "Azure Machine Learning Workspace Connection Secrets Reader",
                    "Can list workspace connection secrets",
                    Permission.of(List.of(ML + "connections/listsecrets/action", ML + "metadata/secrets/read"), List.of())),
            role(ACR_PULL, "AcrPull", "acr pull", Permission.of(List.of("Microsoft.ContainerRegistry/registries/pull/read"), List.of())),
            role(STORAGE_BLOB_DATA_READER, "Storage Blob Data Reader", "Allows for read access to Azure Storage blob containers and data",
                    new Permission(
                            List.of(BLOB + "containers/read", BLOB + "generateUserDelegationKey/action"),
                            List.of(),
                            List.of(BLOB + "containers/blobs/read"),
                            List.of())),
            role(STORAGE_BLOB_DATA_CONTRIBUTOR, "Storage Blob Data Contributor",
                    "Allows for read, write and delete access to Azure Storage blob containers and data",
                    new Permission(
                            List.of(BLOB + "containers/delete", BLOB + "containers/read", BLOB + "containers/write",
                                    BLOB + "generateUserDelegationKey/action"),
                            List.of(),
                            List.of(BLOB + "containers/blobs/delete", BLOB + "containers/blobs/read", BLOB + "containers/blobs/write",
                                    BLOB + "containers/blobs/move/action", BLOB + "containers/blobs/add/action"),
                            List.of())),
            // Monitor page of the reference: reads metrics of Azure Monitor workspaces (the Prometheus query API).
            role(MONITORING_DATA_READER, "Monitoring Data Reader", "Provides access to read data in Azure Monitor Workspaces.",
                    new Permission(List.of(), List.of(), List.of("Microsoft.Monitor/accounts/data/metrics/read"), List.of())));

    private static final Map<String, RoleDefinition> BY_NAME = ALL.stream().collect(Collectors.toUnmodifiableMap(RoleDefinition::name, Function.identity()));

    private BuiltInRoles() {}

    public static List<RoleDefinition> all() {
        return ALL;
    }

    /** The built-in role with this GUID. */
    public static Optional<RoleDefinition> byName(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The built-in role with this display name, compared case-insensitively ("owner" finds Owner). */
    public static Optional<RoleDefinition> byRoleName(String roleName) {
        return ALL.stream().filter(role -> role.roleName().equalsIgnoreCase(roleName)).findFirst();
    }

    private static RoleDefinition role(String name, String roleName, String description, Permission permission) {
        return new RoleDefinition(RoleDefinition.tenantId(name), name, roleName, description, RoleType.BuiltInRole, List.of(permission),
                List.of(RoleDefinition.ROOT));
    }
}
