package enclave.authz;

import enclave.core.EnclaveException;
import enclave.core.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code $filter} of Microsoft.Authorization lists: clauses joined by {@code and}, each either {@code field eq 'value'} or
 * a function call, {@code atScope()} or {@code assignedTo('id')}. Clauses a list does not know are ignored, as ARM ignores
 * them; text that is not clauses at all is a 400.
 */
record ListFilter(List<Clause> clauses) {
    static final ListFilter NONE = new ListFilter(List.of());

    sealed interface Clause {}

    record Equals(String field, String value) implements Clause {}

    record Call(String function, Optional<String> argument) implements Clause {}

    ListFilter {
        clauses = List.copyOf(clauses);
    }

    /** The value of {@code field eq '...'}, the field name compared case-insensitively. */
    Optional<String> equalTo(String field) {
        return clauses.stream().flatMap(clause -> clause instanceof Equals e && e.field().equalsIgnoreCase(field) ? Stream.of(e.value())
                : Stream.empty()).findFirst();
    }

    /** The call of {@code function}, if the filter has one. */
    Optional<Call> call(String function) {
        return clauses.stream().flatMap(clause -> clause instanceof Call c && c.function().equalsIgnoreCase(function) ? Stream.of(c)
                : Stream.empty()).findFirst();
    }

    static ListFilter parse(Optional<String> text) {
        if (text.isEmpty() || text.get().isBlank()) {
            return NONE;
        }
        return new Parser(text.get()).filter();
    }

    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        ListFilter filter() {
            List<Clause> clauses = new ArrayList<>();
            clauses.add(clause());
            while (true) {
                spaces();
                if (at == text.length()) {
                    return new ListFilter(clauses);
                }
                String word = identifier("'and' between clauses");
                if (!word.equalsIgnoreCase("and")) {
                    throw malformed("'and' between clauses");
                }
                clauses.add(clause());
            }
        }

        private Clause clause() {
            spaces();
            String name = identifier("a field name or a function like atScope()");
            spaces();
            if (at < text.length() && text.charAt(at) == '(') {
                at++;
                spaces();
                Optional<String> argument = Optional.empty();
                if (at < text.length() && text.charAt(at) == '\'') {
                    argument = Optional.of(quoted());
                    spaces();
                }
                expect(')');
                return new Call(name, argument);
            }
            String operator = identifier("'eq' after '" + name + "'");
            if (!operator.equalsIgnoreCase("eq")) {
                throw malformed("'eq' after '" + name + "' (the only operator these lists take)");
            }
            spaces();
            return new Equals(name, quoted());
        }

        private String identifier(String expected) {
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_' || text.charAt(at) == '.')) {
                at++;
            }
            if (start == at) {
                throw malformed(expected);
            }
            return text.substring(start, at);
        }

        // OData string literal: single quotes, a quote inside written twice.
        private String quoted() {
            expect('\'');
            StringBuilder value = new StringBuilder();
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '\'') {
                    if (at < text.length() && text.charAt(at) == '\'') {
                        value.append('\'');
                        at++;
                    } else {
                        return value.toString();
                    }
                } else {
                    value.append(c);
                }
            }
            throw malformed("a closing quote");
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw malformed("'" + c + "'");
            }
            at++;
        }

        private void spaces() {
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
        }

        private EnclaveException malformed(String expected) {
            return new EnclaveException(ErrorCode.BadRequest, "$filter \"" + text + "\" is malformed: expected " + expected + " at position " + at
                    + "; write clauses like roleName eq 'Reader', principalId eq '<object id>' or atScope(), joined by 'and'");
        }
    }
}
