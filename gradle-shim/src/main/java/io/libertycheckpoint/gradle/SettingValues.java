package io.libertycheckpoint.gradle;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.gradle.api.InvalidUserDataException;
import org.gradle.api.Project;
import org.gradle.api.file.FileCollection;
import org.gradle.api.provider.Provider;

/**
 * The effective value of each setting, as a lazy provider: {@code -Pliberty.checkpoint.<key>}
 * first, then the {@code libertyCheckpoint} extension, then the plugin's default (the war/ear
 * archive, src/main/liberty/config, the image name). Empty means "let the tool decide".
 */
final class SettingValues {
    static final String DEFAULT_CONFIG_DIRECTORY = "src/main/liberty/config";

    private final Project project;
    private final LibertyCheckpointExtension ext;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private FileCollection archive; // the war or ear task's output

    SettingValues(Project project, LibertyCheckpointExtension ext) {
        this.project = project;
        this.ext = ext;
        for (Setting s : Setting.values()) {
            Object v = project.findProperty(s.property());
            if (v != null) {
                overrides.put(s.key, String.valueOf(v));
            }
        }
    }

    /** Uses the archive task's output as the default appArchive. */
    void archiveFrom(FileCollection outputs) {
        this.archive = outputs;
    }

    boolean overridden(Setting s) {
        return overrides.containsKey(s.key);
    }

    /** -Pliberty.checkpoint.* properties that name no setting (typos). */
    List<String> unknownOverrides() {
        List<String> unknown = new ArrayList<>();
        for (String name : project.getProperties().keySet()) {
            if (name.startsWith(Setting.PROPERTY_PREFIX)
                    && Setting.byKey(name.substring(Setting.PROPERTY_PREFIX.length())) == null) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    /** A String or path setting. Paths stay as the user wrote them; tasks resolve them. */
    Provider<String> string(Setting s) {
        return project.provider(() -> {
            String v = overrides.containsKey(s.key) ? overrides.get(s.key) : ext.string(s).getOrNull();
            if (v != null && !v.isEmpty()) {
                return v;
            }
            return defaultOf(s);
        });
    }

    Provider<Boolean> bool(Setting s) {
        return project.provider(() -> {
            if (overrides.containsKey(s.key)) {
                return parseBoolean(s, overrides.get(s.key));
            }
            Boolean v = ext.bool(s).getOrNull();
            return v != null && v;
        });
    }

    Provider<Map<String, String>> map(Setting s) {
        return project.provider(() -> overrides.containsKey(s.key) ? parseMap(s, overrides.get(s.key))
                : Collections.unmodifiableMap(new LinkedHashMap<>(ext.map(s))));
    }

    Provider<List<String>> list(Setting s) {
        return project.provider(() -> overrides.containsKey(s.key) ? parseList(overrides.get(s.key))
                : Collections.unmodifiableList(new ArrayList<>(ext.list(s))));
    }

    /** True when the user chose a value (the extension or -P), as opposed to a plugin default. */
    Callable<Boolean> isSet(Setting s) {
        return () -> {
            if (overrides.containsKey(s.key)) {
                return !overrides.get(s.key).isEmpty();
            }
            String v = ext.string(s).getOrNull();
            return v != null && !v.isEmpty();
        };
    }

    private String defaultOf(Setting s) {
        switch (s) {
            case APP_ARCHIVE:
                if (archive != null && !archive.isEmpty()) {
                    return archive.getFiles().iterator().next().getPath();
                }
                return null;
            case CONFIG_DIRECTORY:
                File dir = project.file(DEFAULT_CONFIG_DIRECTORY);
                return dir.isDirectory() ? dir.getPath() : null;
            case IMAGE:
                return defaultImage(project.getName(), String.valueOf(project.getVersion()));
            default:
                return null;
        }
    }

    /** localhost/&lt;name&gt;:&lt;version&gt;-instanton, or :instanton when the project has no version. */
    static String defaultImage(String name, String version) {
        String repo = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        if (repo.isEmpty()) {
            repo = "app";
        }
        String tag = "instanton";
        if (version != null && !version.isEmpty() && !"unspecified".equals(version)) {
            tag = (version.replaceAll("[^A-Za-z0-9_.-]+", "-") + "-instanton").replaceAll("^[.-]+", "");
            if (tag.length() > 128) {
                tag = tag.substring(tag.length() - 128);
            }
        }
        return "localhost/" + repo + ":" + tag;
    }

    static boolean parseBoolean(Setting s, String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw new InvalidUserDataException("-P" + s.property() + "=" + v + " is not a boolean: use true or false");
    }

    /** key=value,key2=value2 */
    static Map<String, String> parseMap(Setting s, String v) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : v.split(",")) {
            part = part.trim();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new InvalidUserDataException("-P" + s.property() + "=" + v + ": '" + part
                        + "' is not key=value (write -P" + s.property() + "=key=value,key2=value2)");
            }
            m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return m;
    }

    static List<String> parseList(String v) {
        List<String> l = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.trim().isEmpty()) {
                l.add(part.trim());
            }
        }
        return l;
    }
}
