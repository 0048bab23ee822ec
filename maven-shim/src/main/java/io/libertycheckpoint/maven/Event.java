package io.libertycheckpoint.maven;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One line of the CLI's {@code --output json} stream (host/render/EVENTS.md): an object with a
 * {@code type} ({@code start}, {@code progress}, {@code log}, {@code check}, {@code result},
 * {@code error}) and that type's fields. Unknown types and fields are kept and ignored, as the
 * contract asks; missing fields read as empty.
 */
public final class Event {
  private final JsonObject json;

  private Event(JsonObject json) {
    this.json = json;
  }

  /** Parses one line; empty when the line is not a JSON object with a type. */
  public static Optional<Event> parse(String line) {
    String s = line.strip();
    if (!s.startsWith("{")) {
      return Optional.empty();
    }
    try {
      JsonElement e = JsonParser.parseString(s);
      if (!e.isJsonObject() || !e.getAsJsonObject().has("type")) {
        return Optional.empty();
      }
      return Optional.of(new Event(e.getAsJsonObject()));
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  public String type() {
    return str("type");
  }

  /** A string field, or "" when absent. */
  public String str(String name) {
    return str(json, name);
  }

  /** A number field, or 0 when absent. */
  public long num(String name) {
    return num(json, name);
  }

  /** An object field (restore, doctor), or an empty one. */
  public Event obj(String name) {
    JsonElement e = json.get(name);
    return new Event(e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject());
  }

  public boolean has(String name) {
    return json.has(name) && !json.get(name).isJsonNull();
  }

  /** An array of strings (logTail), or an empty list. */
  public List<String> strings(String name) {
    List<String> out = new ArrayList<>();
    JsonElement e = json.get(name);
    if (e != null && e.isJsonArray()) {
      e.getAsJsonArray().forEach(x -> out.add(x.isJsonPrimitive() ? x.getAsString() : x.toString()));
    }
    return out;
  }

  /** An object of strings (published ports), in order. */
  public Map<String, String> stringMap(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonElement e = json.get(name);
    if (e != null && e.isJsonObject()) {
      e.getAsJsonObject().entrySet().forEach(x -> out.put(x.getKey(), x.getValue().getAsString()));
    }
    return out;
  }

  /** The timings of a result, as name and milliseconds. */
  public Map<String, Long> timings() {
    Map<String, Long> out = new LinkedHashMap<>();
    JsonElement e = json.get("timings");
    if (e != null && e.isJsonArray()) {
      e.getAsJsonArray().forEach(t -> {
        if (t.isJsonObject()) {
          out.put(str(t.getAsJsonObject(), "name"), num(t.getAsJsonObject(), "ms"));
        }
      });
    }
    return out;
  }

  private static String str(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
  }

  private static long num(JsonObject o, String name) {
    JsonElement e = o.get(name);
    try {
      return e != null && e.isJsonPrimitive() ? e.getAsLong() : 0;
    } catch (NumberFormatException ex) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return json.toString();
  }
}
