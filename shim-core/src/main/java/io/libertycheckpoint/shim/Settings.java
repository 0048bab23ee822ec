package io.libertycheckpoint.shim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table of settings and goals (contract/settings.json, generated from host/settings and
 * bundled in the plugin jars): a setting's key is the Maven parameter, the Gradle property and the
 * suffix of {@code -D}/{@code -Pliberty.checkpoint.<key>}; its flag is what the CLI takes.
 */
public final class Settings {
  /** How a value is written. */
  public enum Kind { STRING, PATH, BOOLEAN, MAP, LIST }

  /** One setting. */
  public static final class Setting {
    public final String key;
    /** The CLI flag; "" for the shims' own settings. */
    public final String flag;
    /** The API field errors name. */
    public final String field;
    public final Kind kind;
    public final String doc;
    /** The short command-line property it also answers to (-Dimage, -Pimage); "" for none. */
    public final String alias;
    final String maven;
    final String gradle;

    Setting(Map<String, Object> m) {
      key = str(m, "key");
      alias = str(m, "alias");
      flag = str(m, "flag");
      field = str(m, "field");
      kind = Kind.valueOf(str(m, "kind").toUpperCase(Locale.ROOT));
      doc = str(m, "doc");
      maven = str(m, "maven");
      gradle = str(m, "gradle");
    }
  }

  /** One goal: a CLI command the build tools run, and the settings it takes. */
  public static final class Goal {
    public final String command;
    public final String maven;
    public final String gradle;
    public final String doc;
    /** The settings defaulted from the project: appArchive, configDirectory, image. */
    public final List<String> defaults;
    /** The goal's settings by key, with the flag each fills ("" for the shims' own). */
    public final Map<String, String> flags = new LinkedHashMap<>();

    @SuppressWarnings("unchecked")
    Goal(Map<String, Object> m) {
      command = str(m, "command");
      maven = str(m, "maven");
      gradle = str(m, "gradle");
      doc = str(m, "doc");
      List<String> d = new ArrayList<>();
      for (Object o : list(m, "defaults")) {
        d.add(String.valueOf(o));
      }
      defaults = Collections.unmodifiableList(d);
      for (Object o : list(m, "settings")) {
        Map<String, Object> b = (Map<String, Object>) o;
        flags.put(str(b, "key"), str(b, "flag"));
      }
    }

    /** The key of the setting that fills a flag of this goal's command, or null. */
    public String keyOf(String flag) {
      for (Map.Entry<String, String> e : flags.entrySet()) {
        if (!flag.isEmpty() && e.getValue().equals(flag)) {
          return e.getKey();
        }
      }
      return null;
    }
  }

  private static final Settings BUNDLED = load();

  /** The prefix of every property: liberty.checkpoint. */
  public final String propertyPrefix;
  private final Map<String, Setting> byKey = new LinkedHashMap<>();
  private final Map<String, Goal> goals = new LinkedHashMap<>();

  @SuppressWarnings("unchecked")
  Settings(String json) {
    Map<String, Object> t = Json.parseObject(json);
    propertyPrefix = str(t, "propertyPrefix");
    for (Object o : list(t, "settings")) {
      Setting s = new Setting((Map<String, Object>) o);
      byKey.put(s.key, s);
    }
    for (Object o : list(t, "goals")) {
      Goal g = new Goal((Map<String, Object>) o);
      goals.put(g.command, g);
    }
  }

  /** The table bundled in the plugin jar. */
  public static Settings bundled() {
    return BUNDLED;
  }

  private static Settings load() {
    try (InputStream in = Settings.class.getResourceAsStream("settings.json")) {
      if (in == null) {
        throw new IllegalStateException("settings.json is missing from the plugin jar");
      }
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      PlatformBinaries.copy(in, b);
      return new Settings(new String(b.toByteArray(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the bundled settings.json", e);
    }
  }

  public Collection<Setting> all() {
    return Collections.unmodifiableCollection(byKey.values());
  }

  /** The setting with this key; an unknown key is a bug in the plugin. */
  public Setting get(String key) {
    Setting s = byKey.get(key);
    if (s == null) {
      throw new IllegalArgumentException("unknown setting " + key + " (not in settings.json)");
    }
    return s;
  }

  /** The setting whose CLI flag this is, or null. */
  public Setting byFlag(String flag) {
    for (Setting s : byKey.values()) {
      if (!s.flag.isEmpty() && s.flag.equals(flag)) {
        return s;
      }
    }
    return null;
  }

  public Collection<Goal> goals() {
    return Collections.unmodifiableCollection(goals.values());
  }

  /** The goal that runs a CLI command, or null. */
  public Goal goal(String command) {
    return goals.get(command);
  }

  /** The names of liberty.checkpoint.* properties that name no setting (typos). */
  public List<String> unknownProperties(Collection<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.startsWith(propertyPrefix) && !byKey.containsKey(n.substring(propertyPrefix.length()))) {
        out.add(n);
      }
    }
    Collections.sort(out);
    return out;
  }

  private static String str(Map<String, Object> m, String k) {
    Object v = m.get(k);
    return v == null ? "" : String.valueOf(v);
  }

  private static List<?> list(Map<String, Object> m, String k) {
    Object v = m.get(k);
    return v instanceof List ? (List<?>) v : Collections.emptyList();
  }
}
