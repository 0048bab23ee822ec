package io.libertycheckpoint.maven;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one table of setting names (host/settings/testdata/settings.json, bundled in the jar). A
 * setting's key is the Maven parameter ({@code <appArchive>}) and the property suffix
 * ({@code -Dliberty.checkpoint.appArchive}); its flag is what the CLI takes.
 */
public final class Settings {

  /** Prefix of every user property: {@code -Dliberty.checkpoint.<key>}. */
  public static final String PROPERTY_PREFIX = "liberty.checkpoint.";

  /** One row of the table. */
  public static final class Setting {
    String key;
    String flag;
    String field;
    String doc;

    public String key() {
      return key;
    }

    public String flag() {
      return flag;
    }

    public String field() {
      return field;
    }

    public String doc() {
      return doc;
    }
  }

  private static final Settings BUNDLED = load();

  private final Map<String, Setting> byKey;

  Settings(Map<String, Setting> byKey) {
    this.byKey = Collections.unmodifiableMap(byKey);
  }

  /** The table bundled in the plugin jar. */
  public static Settings bundled() {
    return BUNDLED;
  }

  /** Parses a settings.json table. */
  public static Settings parse(Reader json) {
    Setting[] rows = new Gson().fromJson(json, Setting[].class);
    if (rows == null) {
      throw new JsonParseException("empty settings table");
    }
    Map<String, Setting> m = new LinkedHashMap<>();
    for (Setting s : rows) {
      m.put(s.key, s);
    }
    return new Settings(m);
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

  /** All settings, by key, in table order. */
  public Map<String, Setting> all() {
    return byKey;
  }

  /** The setting with this key; an unknown key is a bug in the plugin. */
  public Setting get(String key) {
    Setting s = byKey.get(key);
    if (s == null) {
      throw new IllegalArgumentException("unknown setting " + key + " (not in settings.json)");
    }
    return s;
  }

  /** The setting whose CLI flag this is. */
  public Optional<Setting> byFlag(String flag) {
    return byKey.values().stream().filter(s -> s.flag.equals(flag)).findFirst();
  }

  /** How a Maven user writes a setting: {@code <appArchive>} or {@code -Dliberty.checkpoint.appArchive}. */
  public static String mavenSpelling(String key) {
    return "<" + key + "> or -D" + PROPERTY_PREFIX + key;
  }
}
