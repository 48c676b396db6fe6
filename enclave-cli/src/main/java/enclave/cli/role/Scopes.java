package enclave.cli.role;

import enclave.cli.console.CliException;
import enclave.core.EnclaveException;
import enclave.core.ResourceId;
import java.util.Locale;
import java.util.Optional;

/** Scopes of role definitions and assignments: a subscription, a resource group or a resource id. */
public final class Scopes {
    static final String AUTHORIZATION = "/providers/Microsoft.Authorization";

    private Scopes() {}

    /** A scope from the command line or a file, in its canonical spelling; anything else is a clear error. */
    public static String parse(String what, String value) {
        if (value == null || value.isBlank()) {
            throw CliException.user(what + " must not be empty; give a scope such as /subscriptions/{id}/resourceGroups/{group}");
        }
        if (value.strip().equals("/")) {
            throw CliException.user(what + " '/' is the root scope that only built-in roles use; give a subscription, resource group or resource id");
        }
        try {
            return ResourceId.parse(value.strip()).toString();
        } catch (EnclaveException e) {
            throw new CliException(e.code().name(), what + ": " + e.getMessage());
        }
    }

    static String definitions(String scope) {
        return scope + AUTHORIZATION + "/roleDefinitions";
    }

    static String assignments(String scope) {
        return scope + AUTHORIZATION + "/roleAssignments";
    }

    /** Whether {@code ancestor} is {@code scope} or contains it, by path segments (never by string prefix). */
    static boolean atOrAbove(String ancestor, String scope) {
        if (ancestor.equals("/")) {
            return true;
        }
        Optional<ResourceId> parsedAncestor = parsed(ancestor);
        Optional<ResourceId> parsedScope = parsed(scope);
        if (parsedAncestor.isPresent() && parsedScope.isPresent()) {
            return parsedScope.get().isWithin(parsedAncestor.get());
        }
        String a = ancestor.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        String s = scope.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        return s.equals(a) || s.startsWith(a + "/");
    }

    static boolean same(String one, String other) {
        return atOrAbove(one, other) && atOrAbove(other, one);
    }

    private static Optional<ResourceId> parsed(String scope) {
        try {
            return Optional.of(ResourceId.parse(scope));
        } catch (EnclaveException e) {
            return Optional.empty();
        }
    }
}
