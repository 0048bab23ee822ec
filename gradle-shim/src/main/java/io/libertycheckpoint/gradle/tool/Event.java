package io.libertycheckpoint.gradle.tool;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One line of {@code liberty-checkpoint --output json} (host/render/EVENTS.md): a JSON object with
 * a {@code type}. Accessors return empty values for missing fields, because the tool leaves empty
 * fields out and readers must ignore what they do not know.
 */
public final class Event {
    /** The schema version of the event stream this reader understands. */
    public static final long SCHEMA = 1;

    private final Map<String, Object> fields;
    private final String raw;

    public Event(Map<String, Object> fields) {
        this(fields, null);
    }

    private Event(Map<String, Object> fields, String raw) {
        this.fields = fields;
        this.raw = raw;
    }

    /** Parses one line of the stream. */
    public static Event parse(String line) {
        return new Event(Json.parseObject(line), line);
    }

    /** The line the event was read from (null for nested objects). */
    public String raw() {
        return raw;
    }

    public String type() {
        return str("type");
    }

    public Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }

    public String str(String key) {
        Object v = fields.get(key);
        return v == null ? "" : String.valueOf(v);
    }

    public long num(String key) {
        Object v = fields.get(key);
        return v instanceof Number ? ((Number) v).longValue() : 0;
    }

    public boolean has(String key) {
        return fields.containsKey(key);
    }

    /** A nested object as an event, or an empty one. */
    @SuppressWarnings("unchecked")
    public Event obj(String key) {
        Object v = fields.get(key);
        return new Event(v instanceof Map ? (Map<String, Object>) v : Collections.<String, Object>emptyMap());
    }

    @SuppressWarnings("unchecked")
    public List<Object> list(String key) {
        Object v = fields.get(key);
        return v instanceof List ? (List<Object>) v : Collections.emptyList();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
