package enclave.serving.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Chooses a deployment by weight: a roll in [0, 100) falls into one deployment's band. Immutable. */
public final class TrafficSplit {
    private final String[] names;
    private final int[] upperBounds;

    private TrafficSplit(String[] names, int[] upperBounds) {
        this.names = names;
        this.upperBounds = upperBounds;
    }

    /** Weights as validated by the control plane (0-100 each, sum 0 or 100); zero weights get no band. */
    public static TrafficSplit of(Map<String, Integer> weights) {
        List<String> names = new ArrayList<>();
        List<Integer> bounds = new ArrayList<>();
        int total = 0;
        for (Map.Entry<String, Integer> entry : weights.entrySet()) {
            int weight = entry.getValue() == null ? 0 : entry.getValue();
            if (weight > 0) {
                total += weight;
                names.add(entry.getKey().toLowerCase(Locale.ROOT));
                bounds.add(total);
            }
        }
        return new TrafficSplit(names.toArray(String[]::new), bounds.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The deployment a roll in [0, 100) lands on, or empty when no deployment has positive weight. */
    public Optional<String> choose(int roll) {
        for (int i = 0; i < upperBounds.length; i++) {
            if (roll < upperBounds[i]) {
                return Optional.of(names[i]);
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return names.length == 0;
    }
}
