package io.libertycheckpoint.bench.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The in-memory catalogue, built once when the application starts (so a checkpoint taken after
 * start-up holds it warm): {@link #SIZE} products with generated names, tags and descriptions,
 * indexed by id and by category; about 40 MB of heap. The same seed gives the same catalogue.
 */
@ApplicationScoped
public class Catalog {
    /** How many products the catalogue holds. */
    public static final int SIZE = 50_000;
    /** How many categories they fall into. */
    public static final int CATEGORIES = 200;

    private static final String[] WORDS = {
        "alpine", "basalt", "cedar", "delta", "ember", "fjord", "granite", "harbor", "iris", "juniper",
        "kestrel", "lagoon", "meadow", "nimbus", "orchard", "prairie", "quartz", "river", "summit", "tundra",
        "umber", "valley", "willow", "xenon", "yarrow", "zephyr", "copper", "silver", "cobalt", "saffron"};

    private Map<Long, Product> byId = Map.of();
    private Map<String, List<Product>> byCategory = Map.of();

    /** Builds the catalogue at application start-up. */
    void build(@Observes @Initialized(ApplicationScoped.class) Object started) {
        SplittableRandom random = new SplittableRandom(42);
        Map<Long, Product> ids = new HashMap<>(SIZE * 2);
        Map<String, List<Product>> categories = new HashMap<>();
        for (long id = 1; id <= SIZE; id++) {
            String category = "c" + random.nextInt(CATEGORIES);
            List<String> tags = new ArrayList<>();
            for (int t = random.nextInt(2, 6); t > 0; t--) {
                tags.add(word(random));
            }
            StringBuilder description = new StringBuilder();
            for (int w = random.nextInt(40, 80); w > 0; w--) {
                description.append(word(random)).append(' ');
            }
            Product p = new Product(id, word(random) + " " + word(random) + " " + id, category,
                    Math.round(random.nextDouble(1, 500) * 100) / 100.0, random.nextInt(0, 1000),
                    List.copyOf(tags), description.toString().trim());
            ids.put(id, p);
            categories.computeIfAbsent(category, c -> new ArrayList<>()).add(p);
        }
        categories.replaceAll((c, list) -> Collections.unmodifiableList(list));
        byId = Collections.unmodifiableMap(ids);
        byCategory = Collections.unmodifiableMap(categories);
    }

    private static String word(SplittableRandom random) {
        return WORDS[random.nextInt(WORDS.length)];
    }

    /** The product with this id, or null. */
    public Product get(long id) {
        return byId.get(id);
    }

    /** Up to limit products of a category, from offset on. */
    public List<Product> page(String category, int offset, int limit) {
        List<Product> all = byCategory.getOrDefault(category, List.of());
        int from = Math.min(Math.max(offset, 0), all.size());
        return all.subList(from, Math.min(from + Math.max(limit, 0), all.size()));
    }

    /** How many products the catalogue holds. */
    public int size() {
        return byId.size();
    }
}
