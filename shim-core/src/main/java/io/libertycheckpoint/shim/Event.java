package io.libertycheckpoint.shim;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the CLI's {@code --output json} stream: the protojson form of the proto's {@code
 * Event} (contract/EVENTS.md), read with Gson (shaded). Its kind is the name of its one field
 * besides {@code elapsedMs}; the accessors read that field's object. Missing fields read as empty or
 * 0, numbers may be JSON strings (protojson writes 64-bit numbers so), and kinds and fields this
 * reader does not know are ignored.
 */
public final class Event {
  /** The event schema this reader understands ({@code accepted.schema}). */
  public static final long SCHEMA = 2;

  private static final List<String> KINDS = Arrays.asList("accepted", "progress", "log", "check", "result", "error");

  private final String kind;
  private final JsonObject fields;
  private final String raw;

  private Event(String kind, JsonElement fields, String raw) {
    this.kind = kind;
    this.fields = fields != null && fields.isJsonObject() ? fields.getAsJsonObject() : new JsonObject();
    this.raw = raw;
  }

  /** Parses one line; throws IllegalArgumentException when it is not a JSON object. */
  public static Event parse(String line) {
    JsonElement e;
    try {
      e = JsonParser.parseString(line);
    } catch (JsonParseException ex) {
      throw new IllegalArgumentException("not JSON: " + line, ex);
    }
    if (!e.isJsonObject()) {
      throw new IllegalArgumentException("not a JSON object: " + line);
    }
    JsonObject m = e.getAsJsonObject();
    for (String k : KINDS) {
      if (m.has(k) && m.get(k).isJsonObject()) {
        return new Event(k, m.get(k), line);
      }
    }
    // Schema 1 lines were flat objects with a "type"; only their schema number is read.
    return new Event(m.has("type") ? "schema1" : "", m, line);
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
    JsonElement v = fields.get(name);
    return v != null && v.isJsonPrimitive() ? v.getAsString() : "";
  }

  /** A number, also when written as a string; 0 when missing. */
  public long num(String name) {
    try {
      return str(name).isEmpty() ? 0 : fields.get(name).getAsLong();
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
    return new Event("", fields.get(name), null);
  }

  /** An array of objects. */
  public List<Event> list(String name) {
    List<Event> out = new ArrayList<>();
    array(name).forEach(o -> out.add(new Event("", o, null)));
    return out;
  }

  /** An array of strings. */
  public List<String> strings(String name) {
    List<String> out = new ArrayList<>();
    array(name).forEach(o -> out.add(o.isJsonPrimitive() ? o.getAsString() : o.toString()));
    return out;
  }

  /** An object of strings (a proto map), in order. */
  public Map<String, String> stringMap(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    obj(name).fields.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : ""));
    return out;
  }

  private Iterable<JsonElement> array(String name) {
    JsonElement v = fields.get(name);
    return v != null && v.isJsonArray() ? v.getAsJsonArray() : new ArrayList<>();
  }

  @Override
  public String toString() {
    return raw != null ? raw : fields.toString();
  }
}
