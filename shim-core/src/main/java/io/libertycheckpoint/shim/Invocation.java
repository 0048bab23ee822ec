package io.libertycheckpoint.shim;

import io.libertycheckpoint.shim.Settings.Goal;
import io.libertycheckpoint.shim.Settings.Kind;
import io.libertycheckpoint.shim.Settings.Setting;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One goal's settings, resolved for a run, and the CLI call they make. A value comes from the
 * build script (Maven parameter, Gradle extension) or from its property {@code
 * liberty.checkpoint.<key>} (which wins; a map property adds to the script's map, key by key), else
 * from the setting's command-line alias ({@code -Dimage}, {@code -Pimage}, as Jib has it), else
 * from the project for the settings the goal defaults (the Liberty plugin's configuration, the
 * archive, the image name; a map default is the base the other values add to). Paths are absolute,
 * resolved against the project directory. Unset settings are left out: the CLI applies its own
 * defaults.
 */
public final class Invocation {
  private final Settings table;
  private final Goal goal;
  private final Map<String, Object> values = new LinkedHashMap<>();
  private Project project;
  private ConfigLayout layout = new ConfigLayout();

  private Invocation(Settings table, Goal goal) {
    this.table = table;
    this.goal = goal;
  }

  /**
   * Resolves a goal's settings. script gives the build script's value of a key (String, File, Path,
   * Boolean, Map, Collection or null), property its property's text or null, alias the text of a
   * setting's command-line alias (only the command line's: {@code -Dimage}, {@code -Pimage}) or null.
   */
  public static Invocation of(Settings table, Goal goal, Function<String, Object> script, Function<String, String> property,
      Function<String, String> alias, Project project, BuildTool tool) throws ShimFailure {
    Invocation inv = new Invocation(table, goal);
    inv.project = project;
    for (String key : goal.flags.keySet()) {
      Setting s = table.get(key);
      String prop = property.apply(table.propertyPrefix + key);
      Object v = inv.value(s, script.apply(key), prop, tool);
      if (v == null && !s.alias.isEmpty()) {
        v = inv.value(s, null, alias.apply(s.alias), tool);
      }
      if (goal.defaults.contains(key)) {
        Object d = project.defaultOf(key);
        if (v == null) {
          v = d;
        } else if (v instanceof Map && d instanceof Map) {
          Map<String, String> merged = new TreeMap<>(stringMap((Map<?, ?>) d));
          merged.putAll(stringMap((Map<?, ?>) v));
          v = merged;
        }
      }
      if (v instanceof File && !((File) v).isAbsolute()) {
        v = new File(project.dir, v.toString());
      }
      if (v != null) {
        inv.values.put(key, v);
      }
    }
    if (goal.flags.containsKey("configDirectory")) {
      inv.layout = ConfigLayout.of(inv.values, project.liberty());
    }
    return inv;
  }

  private static Map<String, String> stringMap(Map<?, ?> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    return out;
  }

  private Object value(Setting s, Object script, String prop, BuildTool tool) throws ShimFailure {
    switch (s.kind) {
      case MAP:
        Map<String, String> m = new TreeMap<>(script instanceof Map ? stringMap((Map<?, ?>) script) : new TreeMap<>());
        for (String pair : prop == null ? new String[0] : prop.split(",")) {
          int eq = pair.indexOf('=');
          if (pair.trim().isEmpty()) {
            continue;
          }
          if (eq <= 0) {
            throw badProperty(s, prop, tool, "'" + pair.trim() + "' is not key=value (write " + tool.property(table, s.key, "k1=v1,k2=v2") + ")");
          }
          m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return m.isEmpty() ? null : m;
      case LIST:
        List<String> l = new ArrayList<>();
        for (Object o : prop != null ? Arrays.asList(prop.split(",")) : script instanceof Collection ? (Collection<?>) script
            : new ArrayList<>()) {
          if (o != null && !String.valueOf(o).trim().isEmpty()) {
            l.add(String.valueOf(o).trim());
          }
        }
        return l.isEmpty() ? null : l;
      case BOOLEAN:
        String b = (prop != null ? prop : script == null ? "false" : String.valueOf(script)).trim().toLowerCase(Locale.ROOT);
        if (!b.isEmpty() && !b.equals("true") && !b.equals("false")) {
          throw badProperty(s, b, tool, "not a boolean: use true or false");
        }
        return b.equals("false") ? null : Boolean.TRUE;
      default:
        Object v = prop != null ? prop : script;
        String text = v == null ? "" : v.toString().trim();
        if (text.isEmpty()) {
          return null;
        }
        if (v instanceof Path || v instanceof File) {
          return v instanceof Path ? ((Path) v).toFile() : v;
        }
        boolean bareCommand = "executable".equals(s.key) && !text.contains("/"); // looked up on PATH
        return s.kind == Kind.PATH && !bareCommand ? new File(text) : text;
    }
  }

  private ShimFailure badProperty(Setting s, String value, BuildTool tool, String why) {
    return new ShimFailure(ShimFailure.Kind.BAD_INPUT, tool.property(table, s.key, value) + ": " + why, null);
  }

  public Goal goal() {
    return goal;
  }

  /** The resolved value of a setting (String, File, Boolean.TRUE, Map, List), or null when unset. */
  public Object get(String key) {
    return values.get(key);
  }

  /**
   * The resolved files as a build tool's up-to-date inputs: path settings, and the files the layout
   * adds to /config as {@code config:<path>}. The executable is left out ({@link #tool} is its input), and so is the output directory.
   */
  public Map<String, File> inputFiles() {
    Map<String, File> out = new TreeMap<>();
    inputs(true).forEach((k, v) -> out.put(k, (File) v));
    return out;
  }

  /** The other resolved settings and layout entries, as text: a build tool's up-to-date inputs. */
  public Map<String, String> inputValues() {
    Map<String, String> out = new TreeMap<>();
    inputs(false).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private Map<String, Object> inputs(boolean files) {
    Map<String, Object> out = new TreeMap<>();
    values.forEach((k, v) -> {
      if (v instanceof File == files && !"executable".equals(k) && !"outputDirectory".equals(k)) {
        out.put(k, v);
      }
    });
    layout.entries().forEach((path, v) -> {
      if (v instanceof File == files) {
        out.put("config:" + path, v);
      }
    });
    return out;
  }

  /** Which tool runs, for up-to-date checks: the configured executable, else the pinned sha256 of this machine's binaries. */
  public String tool() throws IOException {
    if (values.get("executable") != null) {
      return "executable:" + values.get("executable");
    }
    PlatformBinaries b = PlatformBinaries.ofJar();
    return b.unsupported() != null ? "unsupported:" + b.classifier() : "binaries:" + b.key();
  }

  /** The project the settings were resolved for. */
  public Project project() {
    return project;
  }

  /**
   * The files the image's /config gets besides the configuration directory (bootstrap.properties,
   * jvm.options, server.env, variables, copied dependencies); empty when there are none.
   */
  public ConfigLayout layout() {
    return layout;
  }

  /**
   * Lays out the configuration the image gets when the settings need more than the configuration
   * directory: the directory's files and the layout's, in dir, which then is the configuration
   * directory the CLI is given. Nothing happens for an empty layout.
   */
  public void stage(File dir) throws IOException {
    if (layout.isEmpty()) {
      return;
    }
    Object config = values.get("configDirectory");
    layout.stage(config instanceof File ? (File) config : null, dir);
    values.put("configDirectory", dir);
  }

  /** The setting that holds registry credentials: passed in {@link #CREDS_ENV}, never as an argument (ps and the build log show those). */
  static final String CREDS = "creds";
  /** The environment variable the CLI reads credentials from when --creds is not given. */
  public static final String CREDS_ENV = "LCP_REGISTRY_CREDS";

  /** Variables to add to the tool's environment: the registry credentials, when set. */
  public Map<String, String> environment() {
    Object creds = values.get(CREDS);
    return creds == null ? java.util.Collections.emptyMap() : java.util.Collections.singletonMap(CREDS_ENV, creds.toString());
  }

  /** The arguments after the executable: command, --output json, then --flag=value per setting. */
  public List<String> arguments(boolean debug) {
    List<String> args = new ArrayList<>();
    args.add(goal.command);
    args.add("--output");
    args.add("json");
    if (debug) {
      args.add("--log-level");
      args.add("debug");
    }
    for (Map.Entry<String, String> b : goal.flags.entrySet()) {
      Object v = values.get(b.getKey());
      String flag = b.getValue();
      if (flag.isEmpty() || v == null || CREDS.equals(b.getKey())) {
        continue;
      }
      if (v instanceof Boolean) {
        args.add(flag);
      } else if (v instanceof Map) {
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          args.add(flag + "=" + e.getKey() + "=" + e.getValue());
        }
      } else if (v instanceof List) {
        for (Object o : (List<?>) v) {
          args.add(flag + "=" + o);
        }
      } else {
        args.add(flag + "=" + (v instanceof File ? ((File) v).getAbsolutePath() : v));
      }
    }
    return args;
  }
}
