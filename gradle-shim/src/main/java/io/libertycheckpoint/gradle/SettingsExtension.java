package io.libertycheckpoint.gradle;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.gradle.api.model.ObjectFactory;
import org.gradle.api.provider.Property;
import org.gradle.api.provider.Provider;

/**
 * What the generated {@code libertyCheckpoint} extension stores: a Gradle property, map or list per
 * setting key, and each setting's value as shim-core reads it. Path settings keep what the user
 * wrote (String, File or Path; shim-core resolves them against the project directory).
 */
public abstract class SettingsExtension {
    private final ObjectFactory objects;
    private final Map<String, Object> values = new HashMap<>();

    protected SettingsExtension(ObjectFactory objects) {
        this.objects = objects;
    }

    @SuppressWarnings("unchecked")
    private <T> T get(String key, Supplier<T> create) {
        return (T) values.computeIfAbsent(key, k -> create.get());
    }

    protected Property<String> string(String key) {
        return get(key, () -> objects.property(String.class));
    }

    protected Property<Boolean> bool(String key) {
        return get(key, () -> objects.property(Boolean.class));
    }

    protected Map<String, String> map(String key) {
        return get(key, LinkedHashMap<String, String>::new);
    }

    protected List<String> list(String key) {
        return get(key, ArrayList<String>::new);
    }

    @SuppressWarnings("unchecked")
    protected void assign(String key, Object v) {
        if (v instanceof Provider) {
            string(key).set(((Provider<Object>) v).map(SettingsExtension::text));
        } else {
            string(key).set(v == null ? null : text(v));
        }
    }

    private static String text(Object v) {
        return v instanceof File ? ((File) v).getPath() : v instanceof Path ? v.toString() : String.valueOf(v);
    }

    protected void assignBool(String key, Object v) {
        bool(key).set(v == null ? null : v instanceof Boolean ? (Boolean) v : Boolean.valueOf(String.valueOf(v)));
    }

    protected void assignMap(String key, Map<String, String> v) {
        map(key).clear();
        map(key).putAll(v);
    }

    protected void assignList(String key, Collection<?> v) {
        list(key).clear();
        for (Object o : v) {
            list(key).add(String.valueOf(o));
        }
    }

    /** The value of a setting as set in the build script, or null. */
    Object value(String key) {
        Object v = values.get(key);
        return v instanceof Provider ? ((Provider<?>) v).getOrNull() : v;
    }
}
