package enclave.authz;

/**
 * Azure's action matching: case-insensitive, and {@code *} stands for any run of characters, slashes included
 * ({@code Microsoft.MachineLearningServices/workspaces/*}{@code /action} matches
 * {@code Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action}; {@code *} matches every action).
 */
public final class ActionPattern {
    private ActionPattern() {}

    /** Whether {@code action} is one of the operations {@code pattern} names. */
    public static boolean matches(String pattern, String action) {
        // Wildcard matching with one backtracking point: on a mismatch, let the last '*' swallow one more character.
        int p = 0;
        int a = 0;
        int star = -1;
        int swallowedUpTo = 0;
        while (a < action.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                swallowedUpTo = a;
            } else if (p < pattern.length() && sameLetter(pattern.charAt(p), action.charAt(a))) {
                p++;
                a++;
            } else if (star >= 0) {
                p = star + 1;
                a = ++swallowedUpTo;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    private static boolean sameLetter(char x, char y) {
        return x == y || Character.toLowerCase(x) == Character.toLowerCase(y) || Character.toUpperCase(x) == Character.toUpperCase(y);
    }
}
