package io.libertycheckpoint.shim;

import com.google.gson.Gson;
import com.google.gson.annotations.SerializedName;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one table of settings and goals (contract/settings.json, generated from host/settings and
 * bundled in the plugin jars), read with Gson: a setting's key is the Maven parameter, the Gradle
 * property and the suffix of {@code -D}/{@code -Pliberty.checkpoint.<key>}; its flag is what the
 * CLI takes.
 */
public final class Settings {
  /** How a value is written. */
  public enum Kind {
    @SerializedName("string") STRING, @SerializedName("path") PATH, @SerializedName("boolean") BOOLEAN,
    @SerializedName("map") MAP, @SerializedName("list") LIST
  }

  /** One setting: its flag ("" for the shims' own settings), the API field errors name, its short command-line alias ("" for none). */
  public static final class Setting {
    public String key = "";
    public String flag = "";
    public String field = "";
    public Kind kind;
    public String doc = "";
    public String alias = "";
    String maven = "";
    String gradle = "";
  }

  /** One goal: a CLI command the build tools run, the settings it takes and those it defaults from the project. */
  public static final class Goal {
    public String command;
    public String maven;
    public String gradle;
    public String doc;
    public List<String> defaults = new ArrayList<>();
    private List<Setting> settings = new ArrayList<>();
    /** The goal's settings by key, with the flag each fills ("" for the shims' own). */
    public final transient Map<String, String> flags = new LinkedHashMap<>();
  }

  private static final Settings BUNDLED = load();

  /** The prefix of every property: liberty.checkpoint. */
  public String propertyPrefix;
  private List<Setting> settings = new ArrayList<>();
  private List<Goal> goals = new ArrayList<>();
  private final transient Map<String, Setting> byKey = new LinkedHashMap<>();

  static Settings parse(Reader json) {
    Settings t = new Gson().fromJson(json, Settings.class);
    t.settings.forEach(s -> t.byKey.put(s.key, s));
    t.goals.forEach(g -> g.settings.forEach(b -> g.flags.put(b.key, b.flag)));
    return t;
  }

  static Settings parse(String json) {
    return parse(new StringReader(json));
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
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
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

  public Collection<Goal> goals() {
    return Collections.unmodifiableCollection(goals);
  }

  /** The goal that runs a CLI command, or null. */
  public Goal goal(String command) {
    return goals.stream().filter(g -> g.command.equals(command)).findFirst().orElse(null);
  }

  /** The names of liberty.checkpoint.* properties that name no setting (typos). */
  public List<String> unknownProperties(Collection<String> names) {
    return names.stream().filter(n -> n.startsWith(propertyPrefix) && !byKey.containsKey(n.substring(propertyPrefix.length())))
        .sorted().collect(Collectors.toList());
  }
}
