package enclave.core.http;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One REST operation: method, path template ({@code /subscriptions/{sub}/...}, literals match
 * case-insensitively as ARM does; {@code {name}} matches one segment, {@code {*name}} one or more, for ARM scopes), the RBAC action it needs, and how to find the scope the action is
 * checked at. A route without an action cannot be built: nothing ships unguarded.
 */
public record Route(String method, String template, String action, Function<Map<String, String>, String> scope, RouteHandler handler, Pattern pattern) {
    /** Marks routes that need no caller at all (discovery documents, the token endpoint). */
    public static final String ANONYMOUS = "anonymous";

    public Route {
        Objects.requireNonNull(action, "every route declares its action: " + template);
        if (action.isBlank()) {
            throw new IllegalArgumentException("every route declares its action: " + template);
        }
    }

    public static Route of(String method, String template, String action, Function<Map<String, String>, String> scope, RouteHandler handler) {
        return new Route(method.toUpperCase(Locale.ROOT), template, action, scope, handler, compile(template));
    }

    /** A route whose action is checked at the resource the path names (the path itself, up to its last parameter). */
    public static Route of(String method, String template, String action, RouteHandler handler) {
        return of(method, template, action, params -> expand(template, params), handler);
    }

    public Optional<Map<String, String>> match(String requestMethod, String path) {
        if (!method.equals(requestMethod)) {
            return Optional.empty();
        }
        Matcher matcher = pattern.matcher(path);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Map<String, String> params = new java.util.LinkedHashMap<>();
        for (String name : parameterNames(template)) {
            params.put(name, matcher.group(name));
        }
        return Optional.of(params);
    }

    public boolean matchesPath(String path) {
        return pattern.matcher(path).matches();
    }

    /** Fills the template's parameters, cutting it after the last one (so {@code .../{e}/listKeys} gives the endpoint id). */
    public static String expand(String template, Map<String, String> params) {
        int end = template.lastIndexOf('}');
        String cut = end < 0 ? template : template.substring(0, end + 1);
        for (Map.Entry<String, String> param : params.entrySet()) {
            cut = cut.replace("{" + param.getKey() + "}", param.getValue()).replace("{*" + param.getKey() + "}", param.getValue());
        }
        return cut;
    }

    private static java.util.List<String> parameterNames(String template) {
        java.util.List<String> names = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\\{\\*?(\\w+)}").matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Pattern compile(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\{(\\*?)(\\w+)}").matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            regex.append("(?<").append(m.group(2)).append(m.group(1).isEmpty() ? ">[^/]+)" : ">/.+?)");
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(regex + "/?", Pattern.CASE_INSENSITIVE);
    }
}
