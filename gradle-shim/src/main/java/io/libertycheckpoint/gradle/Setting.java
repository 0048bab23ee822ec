package io.libertycheckpoint.gradle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings the Gradle plugin exposes, each with the key that host/settings/testdata/settings.json
 * gives it (the same name as the Maven parameter and the CLI flag's camelCase), so a user types
 * one name everywhere: {@code libertyCheckpoint { appArchive = ... }} or
 * {@code -Pliberty.checkpoint.appArchive=...}. {@code executable} is the shims' own setting (which
 * tool binary to run), not a tool setting.
 */
public enum Setting {
    PODMAN_URL("podmanUrl", "--podman-url", Kind.STRING),
    BASE_IMAGE("baseImage", "--base-image", Kind.STRING),
    APP_ARCHIVE("appArchive", "--app-archive", Kind.FILE),
    SERVER_XML_FILE("serverXmlFile", "--server-xml-file", Kind.FILE),
    CONFIG_DIRECTORY("configDirectory", "--config-directory", Kind.FILE),
    SERVER_NAME("serverName", "--server-name", Kind.STRING),
    CONTAINERFILE("containerfile", "--containerfile", Kind.FILE),
    IMAGE("image", "--image", Kind.STRING),
    PHASE("phase", "--phase", Kind.STRING),
    METHOD("method", "--method", Kind.STRING),
    LABELS("labels", "--label", Kind.MAP),
    ENV("env", "--env", Kind.MAP),
    KEEP_APP_IMAGE("keepAppImage", "--keep-app-image", Kind.BOOLEAN),
    SECCOMP_PROFILE("seccompProfile", "--seccomp-profile", Kind.FILE),
    TIMEOUT("timeout", "--timeout", Kind.STRING),
    CONTEXT_DIRECTORY("contextDirectory", "--context", Kind.FILE),
    BUILD_ARGS("buildArgs", "--build-arg", Kind.MAP),
    CONTAINER_NAME("containerName", "--name", Kind.STRING),
    PORTS("ports", "--publish", Kind.LIST),
    READY_URL("readyUrl", "--ready-url", Kind.STRING),
    READY_LOG("readyLog", "--ready-log", Kind.STRING),
    DISABLE_RECOVERY("disableRecovery", "--disable-recovery", Kind.BOOLEAN),
    KEEP_RUNNING("keepRunning", "--keep-running", Kind.BOOLEAN),
    /** Shim-only: the liberty-checkpoint binary to run instead of the bundled one. */
    EXECUTABLE("executable", null, Kind.FILE);

    /** The Gradle property prefix: -Pliberty.checkpoint.&lt;key&gt;. */
    public static final String PROPERTY_PREFIX = "liberty.checkpoint.";
    /** The extension's name. */
    public static final String EXTENSION = "libertyCheckpoint";

    /** How a value is typed in the DSL and on the command line. */
    public enum Kind { STRING, FILE, BOOLEAN, MAP, LIST }

    public final String key;
    /** The CLI flag, or null for shim-only settings. */
    public final String flag;
    public final Kind kind;

    Setting(String key, String flag, Kind kind) {
        this.key = key;
        this.flag = flag;
        this.kind = kind;
    }

    private static final Map<String, Setting> BY_KEY = new LinkedHashMap<>();

    static {
        for (Setting s : values()) {
            BY_KEY.put(s.key, s);
        }
    }

    /** The setting with this key, or null. */
    public static Setting byKey(String key) {
        return BY_KEY.get(key);
    }

    /** All keys, in table order. */
    public static List<String> keys() {
        return Collections.unmodifiableList(new ArrayList<>(BY_KEY.keySet()));
    }

    /** -Pliberty.checkpoint.&lt;key&gt; */
    public String property() {
        return PROPERTY_PREFIX + key;
    }

    /** How a user writes it in a build script, e.g. {@code libertyCheckpoint { appArchive = '...' }}. */
    public String dsl() {
        return dsl(EXTENSION, key, kind);
    }

    static String dsl(String block, String key, Kind kind) {
        String value;
        switch (kind) {
            case BOOLEAN:
                value = "true";
                break;
            case MAP:
                value = "[key: 'value']";
                break;
            case LIST:
                value = "['...']";
                break;
            default:
                value = "'...'";
        }
        return block + " { " + key + " = " + value + " }";
    }

    /** Both spellings, for error messages. */
    public String spelling() {
        return dsl() + " or -P" + property() + "=...";
    }
}
