package enclave.cli.yaml;

import enclave.cli.console.CliException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code key=value} lists of the command line: traffic weights, tags, defaults. */
public final class KeyValues {
    private KeyValues() {}

    /**
     * Traffic weights as {@code --traffic} takes them: {@code "blue=90 green=10"} (spaces or commas between
     * pairs, one argument or several). Each weight is a whole number from 0 to 100.
     */
    public static Map<String, Integer> traffic(String option, List<String> arguments) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs(option, arguments).entrySet()) {
            String name = pair.getKey();
            int weight;
            try {
                weight = Integer.parseInt(pair.getValue().strip());
            } catch (NumberFormatException e) {
                throw CliException.usage(option + ": the weight of '" + name + "' must be a whole number from 0 to 100, not '"
                        + pair.getValue() + "'");
            }
            if (weight < 0 || weight > 100) {
                throw CliException.usage(option + ": the weight of '" + name + "' must be from 0 to 100, not " + weight);
            }
            weights.put(name, weight);
        }
        return weights;
    }

    /** {@code key=value} pairs, separated by spaces or commas, in one or several arguments. */
    public static Map<String, String> pairs(String option, List<String> arguments) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String argument : arguments == null ? List.<String>of() : arguments) {
            for (String pair : argument.strip().split("[\\s,]+")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw CliException.usage(option + ": '" + pair + "' must look like name=value");
                }
                String key = pair.substring(0, equals);
                if (pairs.containsKey(key)) {
                    throw CliException.usage(option + ": '" + key + "' is given twice");
                }
                pairs.put(key, pair.substring(equals + 1));
            }
        }
        return pairs;
    }

    /** Tags as az takes them: {@code --tags a=1 b=2}; a tag value may contain spaces when quoted as one argument. */
    public static Map<String, String> tags(List<String> arguments) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String argument : arguments == null ? List.<String>of() : arguments) {
            int equals = argument.indexOf('=');
            if (equals == 0) {
                throw CliException.usage("--tags: '" + argument + "' must look like key=value");
            }
            if (equals < 0) {
                tags.put(argument, "");
            } else {
                tags.put(argument.substring(0, equals), argument.substring(equals + 1));
            }
        }
        return tags;
    }
}
