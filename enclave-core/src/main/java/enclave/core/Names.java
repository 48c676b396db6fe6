package enclave.core;

import java.util.regex.Pattern;

/** Naming rules, as Azure enforces them. */
public final class Names {
    // Azure ML endpoint and deployment names: 3-32 characters, start with a letter, letters, digits and hyphens.
    private static final Pattern ONLINE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]");
    // Workspace names: 3-33 characters, letter or digit first, letters, digits, hyphens and underscores.
    private static final Pattern WORKSPACE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{2,32}");
    // Resource groups: 1-90 characters, letters, digits, underscores, hyphens, periods and parentheses, not ending in a period.
    private static final Pattern GROUP_NAME = Pattern.compile("[-\\w.()]{0,89}[-\\w()]");
    // Asset names (models, code, environments): letters, digits, hyphens, underscores, periods; 1-255.
    private static final Pattern ASSET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    private Names() {}

    public static String onlineName(String kind, String name) {
        if (name == null || !ONLINE_NAME.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, kind + " name '" + name
                    + "' is invalid: use 3-32 characters, start with a letter, and use only letters, digits and hyphens (not ending in a hyphen)");
        }
        return name;
    }

    public static String workspaceName(String name) {
        if (name == null || !WORKSPACE_NAME.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "workspace name '" + name
                    + "' is invalid: use 3-33 characters, start with a letter or digit, and use only letters, digits, hyphens and underscores");
        }
        return name;
    }

    public static String resourceGroupName(String name) {
        if (name == null || !GROUP_NAME.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, "resource group name '" + name
                    + "' is invalid: use 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period");
        }
        return name;
    }

    public static String assetName(String kind, String name) {
        if (name == null || !ASSET_NAME.matcher(name).matches()) {
            throw new EnclaveException(ErrorCode.InvalidResourceName, kind + " name '" + name
                    + "' is invalid: use letters, digits, periods, hyphens and underscores, starting with a letter or digit");
        }
        return name;
    }
}
