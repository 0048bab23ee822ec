package io.libertycheckpoint.gradle;

import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.gradle.api.model.ObjectFactory;
import org.gradle.api.provider.Property;
import org.gradle.api.provider.Provider;

/**
 * {@code libertyCheckpoint { ... }}: one property per {@link Setting}, named by its key. Every
 * property can be overridden with {@code -Pliberty.checkpoint.<key>=value} (or the same line in
 * gradle.properties). Unset properties take the tool's defaults, except {@code appArchive} (the
 * war/ear task's archive), {@code configDirectory} (src/main/liberty/config when it exists) and
 * {@code image} ({@code localhost/<project>:<version>-instanton}).
 *
 * <p>Groovy: {@code image = 'localhost/app:1.0-instanton'}; Kotlin: {@code image.set("...")}
 * (or {@code image = "..."} on Gradle 8.2+). File settings take a String, File or Path and are
 * relative to the project directory.
 */
public class LibertyCheckpointExtension {
    private final Map<Setting, Property<String>> strings = new LinkedHashMap<>();
    private final Map<Setting, Property<Boolean>> booleans = new LinkedHashMap<>();
    private Map<String, String> labels = new LinkedHashMap<>();
    private Map<String, String> env = new LinkedHashMap<>();
    private Map<String, String> buildArgs = new LinkedHashMap<>();
    private List<String> ports = new ArrayList<>();

    public LibertyCheckpointExtension(ObjectFactory objects) {
        for (Setting s : Setting.values()) {
            switch (s.kind) {
                case STRING:
                case FILE:
                    strings.put(s, objects.property(String.class));
                    break;
                case BOOLEAN:
                    booleans.put(s, objects.property(Boolean.class));
                    break;
                default:
                    break;
            }
        }
    }

    /** The String (or path) property of a setting; used by the plugin to wire tasks. */
    Property<String> string(Setting s) {
        return Objects.requireNonNull(strings.get(s), s.key);
    }

    Property<Boolean> bool(Setting s) {
        return Objects.requireNonNull(booleans.get(s), s.key);
    }

    Map<String, String> map(Setting s) {
        switch (s) {
            case LABELS:
                return labels;
            case ENV:
                return env;
            case BUILD_ARGS:
                return buildArgs;
            default:
                throw new IllegalArgumentException(s.key);
        }
    }

    List<String> list(Setting s) {
        if (s != Setting.PORTS) {
            throw new IllegalArgumentException(s.key);
        }
        return ports;
    }

    @SuppressWarnings("unchecked")
    private static void assign(Property<String> p, Object v) {
        if (v == null) {
            p.set((String) null);
        } else if (v instanceof Provider) {
            p.set(((Provider<Object>) v).map(x -> x instanceof File ? ((File) x).getPath() : String.valueOf(x)));
        } else if (v instanceof File) {
            p.set(((File) v).getPath());
        } else {
            p.set(String.valueOf(v));
        }
    }

    private static void assignBool(Property<Boolean> p, Object v) {
        p.set(v == null ? null : v instanceof Boolean ? (Boolean) v : Boolean.valueOf(String.valueOf(v)));
    }

    // --- Podman

    public Property<String> getPodmanUrl() { return string(Setting.PODMAN_URL); }
    public void setPodmanUrl(Object v) { assign(getPodmanUrl(), v); }

    // --- What goes into the image

    public Property<String> getBaseImage() { return string(Setting.BASE_IMAGE); }
    public void setBaseImage(Object v) { assign(getBaseImage(), v); }

    public Property<String> getAppArchive() { return string(Setting.APP_ARCHIVE); }
    public void setAppArchive(Object v) { assign(getAppArchive(), v); }

    public Property<String> getServerXmlFile() { return string(Setting.SERVER_XML_FILE); }
    public void setServerXmlFile(Object v) { assign(getServerXmlFile(), v); }

    public Property<String> getConfigDirectory() { return string(Setting.CONFIG_DIRECTORY); }
    public void setConfigDirectory(Object v) { assign(getConfigDirectory(), v); }

    public Property<String> getServerName() { return string(Setting.SERVER_NAME); }
    public void setServerName(Object v) { assign(getServerName(), v); }

    public Property<String> getContainerfile() { return string(Setting.CONTAINERFILE); }
    public void setContainerfile(Object v) { assign(getContainerfile(), v); }

    public Property<String> getImage() { return string(Setting.IMAGE); }
    public void setImage(Object v) { assign(getImage(), v); }

    public Property<String> getPhase() { return string(Setting.PHASE); }
    public void setPhase(Object v) { assign(getPhase(), v); }

    public Property<String> getMethod() { return string(Setting.METHOD); }
    public void setMethod(Object v) { assign(getMethod(), v); }

    public Map<String, String> getLabels() { return labels; }
    public void setLabels(Map<String, String> v) { labels = new LinkedHashMap<>(v); }

    public Map<String, String> getEnv() { return env; }
    public void setEnv(Map<String, String> v) { env = new LinkedHashMap<>(v); }

    public Property<Boolean> getKeepAppImage() { return bool(Setting.KEEP_APP_IMAGE); }
    public void setKeepAppImage(Object v) { assignBool(getKeepAppImage(), v); }

    public Property<String> getSeccompProfile() { return string(Setting.SECCOMP_PROFILE); }
    public void setSeccompProfile(Object v) { assign(getSeccompProfile(), v); }

    public Property<String> getTimeout() { return string(Setting.TIMEOUT); }
    public void setTimeout(Object v) { assign(getTimeout(), v); }

    // --- Base image (checkpointBaseImage)

    public Property<String> getContextDirectory() { return string(Setting.CONTEXT_DIRECTORY); }
    public void setContextDirectory(Object v) { assign(getContextDirectory(), v); }

    public Map<String, String> getBuildArgs() { return buildArgs; }
    public void setBuildArgs(Map<String, String> v) { buildArgs = new LinkedHashMap<>(v); }

    // --- Restore (checkpointRestore)

    public Property<String> getContainerName() { return string(Setting.CONTAINER_NAME); }
    public void setContainerName(Object v) { assign(getContainerName(), v); }

    public List<String> getPorts() { return ports; }
    public void setPorts(Collection<?> v) {
        ports = new ArrayList<>();
        for (Object o : v) {
            ports.add(String.valueOf(o));
        }
    }

    public Property<String> getReadyUrl() { return string(Setting.READY_URL); }
    public void setReadyUrl(Object v) { assign(getReadyUrl(), v); }

    public Property<String> getReadyLog() { return string(Setting.READY_LOG); }
    public void setReadyLog(Object v) { assign(getReadyLog(), v); }

    public Property<Boolean> getDisableRecovery() { return bool(Setting.DISABLE_RECOVERY); }
    public void setDisableRecovery(Object v) { assignBool(getDisableRecovery(), v); }

    public Property<Boolean> getKeepRunning() { return bool(Setting.KEEP_RUNNING); }
    public void setKeepRunning(Object v) { assignBool(getKeepRunning(), v); }

    // --- The tool itself

    public Property<String> getExecutable() { return string(Setting.EXECUTABLE); }
    public void setExecutable(Object v) { assign(getExecutable(), v); }
}
