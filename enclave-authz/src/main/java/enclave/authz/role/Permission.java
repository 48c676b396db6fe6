package enclave.authz.role;

import java.util.List;

/**
 * One permission block of a role. An action is granted by the block when one of {@code actions} matches it and none of
 * the same block's {@code notActions} does; data actions likewise with {@code dataActions}/{@code notDataActions}.
 * NotActions subtract only within their block: they are not deny rules.
 */
public record Permission(List<String> actions, List<String> notActions, List<String> dataActions, List<String> notDataActions) {
    public Permission {
        actions = copy(actions, "actions");
        notActions = copy(notActions, "notActions");
        dataActions = copy(dataActions, "dataActions");
        notDataActions = copy(notDataActions, "notDataActions");
    }

    /** A block of control-plane actions with the NotActions that carve out of them. */
    public static Permission of(List<String> actions, List<String> notActions) {
        return new Permission(actions, notActions, List.of(), List.of());
    }

    /** The patterns that grant ({@code dataAction} picks the data list). */
    public List<String> granting(boolean dataAction) {
        return dataAction ? dataActions : actions;
    }

    /** The patterns that carve out of the granting ones in this block. */
    public List<String> excluding(boolean dataAction) {
        return dataAction ? notDataActions : notActions;
    }

    private static List<String> copy(List<String> patterns, String field) {
        if (patterns == null) {
            return List.of();
        }
        for (String pattern : patterns) {
            if (pattern == null || pattern.isBlank()) {
                throw new IllegalArgumentException(field + " holds an empty entry");
            }
        }
        return List.copyOf(patterns);
    }
}
