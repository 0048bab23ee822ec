package io.libertycheckpoint.shim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the CLI's {@code --output json} stream: the protojson form of the proto's {@code
 * Event} (contract/EVENTS.md). Its kind is the name of its one field besides {@code elapsedMs};
 * the accessors read that field's object. Missing fields read as empty or 0, numbers may be JSON
 * strings (protojson writes 64-bit numbers so), and kinds and fields this reader does not know
 * are ignored.
 */
public final class Event {
  /** The event schema this reader understands ({@code accepted.schema}). */
  public static final long SCHEMA = 2;

  private static final List<String> KINDS = Arrays.asList("accepted", "progress", "log", "check", "result", "error");

  private final String kind;
  private final Map<String, Object> fields;
  private final String raw;

  private Event(String kind, Map<String, Object> fields, String raw) {
    this.kind = kind;
    this.fields = fields;
    this.raw = raw;
  }

  /** Parses one line; throws IllegalArgumentException when it is not a JSON object. */
  public static Event parse(String line) {
    Map<String, Object> m = Json.parseObject(line);
    for (String k : KINDS) {
      if (m.get(k) instanceof Map) {
        return new Event(k, object(m.get(k)), line);
      }
    }
    // Schema 1 lines were flat objects with a "type"; only their schema number is read.
    return new Event(m.containsKey("type") ? "schema1" : "", m, line);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Collections.<String, Object>emptyMap();
  }

  /** accepted, progress, log, check, result or error; "" for a kind this reader does not know. */
  public String kind() {
    return kind;
  }

  /** The line the event was read from (null for nested objects). */
  public String raw() {
    return raw;
  }

  /** The schema the stream says it speaks (on its first event), or 0. */
  public long schema() {
    return "accepted".equals(kind) || "schema1".equals(kind) ? num("schema") : 0;
  }

  public String str(String name) {
    Object v = fields.get(name);
    return v == null || v instanceof Map || v instanceof List ? "" : String.valueOf(v);
  }

  /** A number, also when written as a string; 0 when missing. */
  public long num(String name) {
    Object v = fields.get(name);
    if (v instanceof Number) {
      return ((Number) v).longValue();
    }
    try {
      return v instanceof String ? Long.parseLong((String) v) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** An enum's value without its prefix, in lower case: STATE_DONE is done, VERDICT_COLD_START cold_start. */
  public String name(String field) {
    String v = str(field);
    return v.substring(v.indexOf('_') + 1).toLowerCase(Locale.ROOT);
  }

  /** A nested object, or an empty one. */
  public Event obj(String name) {
    return new Event("", object(fields.get(name)), null);
  }

  /** An array of objects. */
  public List<Event> list(String name) {
    List<Event> out = new ArrayList<>();
    for (Object o : array(name)) {
      out.add(new Event("", object(o), null));
    }
    return out;
  }

  /** An array of strings. */
  public List<String> strings(String name) {
    List<String> out = new ArrayList<>();
    for (Object o : array(name)) {
      out.add(String.valueOf(o));
    }
    return out;
  }

  /** An object of strings (a proto map), in order. */
  public Map<String, String> stringMap(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : object(fields.get(name)).entrySet()) {
      out.put(e.getKey(), String.valueOf(e.getValue()));
    }
    return out;
  }

  private List<?> array(String name) {
    Object v = fields.get(name);
    return v instanceof List ? (List<?>) v : Collections.emptyList();
  }

  @Override
  public String toString() {
    return raw != null ? raw : fields.toString();
  }
}
