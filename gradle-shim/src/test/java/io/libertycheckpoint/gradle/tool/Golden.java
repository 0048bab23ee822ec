package io.libertycheckpoint.gradle.tool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The repository's shared test data: host/render/testdata and host/settings/testdata. */
public final class Golden {
    private Golden() {
    }

    public static Path repoRoot() {
        String root = System.getProperty("lcp.repoRoot");
        if (root == null) {
            throw new IllegalStateException("system property lcp.repoRoot is not set (run the tests through gradle)");
        }
        return Paths.get(root);
    }

    public static List<String> lines(String relative) throws IOException {
        return Files.readAllLines(repoRoot().resolve(relative), StandardCharsets.UTF_8);
    }

    public static String text(String relative) throws IOException {
        return new String(Files.readAllBytes(repoRoot().resolve(relative)), StandardCharsets.UTF_8);
    }

    /** The events of host/render/testdata/events.jsonl. */
    public static List<Event> events() throws IOException {
        List<Event> out = new ArrayList<>();
        for (String l : lines("host/render/testdata/events.jsonl")) {
            if (!l.trim().isEmpty()) {
                out.add(Event.parse(l));
            }
        }
        return out;
    }
}
