package io.libertycheckpoint.maven;

import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The arguments of one {@code liberty-checkpoint <command> --output json ...} call, built from
 * settings by key; the flag for each key comes from the settings table, so a goal cannot spell a
 * flag differently from the CLI. Unset (null, empty, false) settings are left out: the CLI applies
 * its own defaults.
 */
public final class CliCommand {
  private final String command;
  private final Settings settings;
  private final List<String> args = new ArrayList<>();

  public CliCommand(String command) {
    this(command, Settings.bundled());
  }

  CliCommand(String command, Settings settings) {
    this.command = command;
    this.settings = settings;
  }

  public String command() {
    return command;
  }

  /** --flag value, when value is set. */
  public CliCommand set(String key, String value) {
    String flag = settings.get(key).flag();
    if (value != null && !value.isBlank()) {
      args.add(flag);
      args.add(value.trim());
    }
    return this;
  }

  /** --flag /absolute/path, when the file is set. */
  public CliCommand set(String key, File value) {
    return set(key, value == null ? null : value.getAbsolutePath());
  }

  /** --flag, when on. */
  public CliCommand set(String key, boolean on) {
    String flag = settings.get(key).flag();
    if (on) {
      args.add(flag);
    }
    return this;
  }

  /** --flag key=value for each entry, sorted by key. */
  public CliCommand set(String key, Map<String, String> values) {
    String flag = settings.get(key).flag();
    if (values != null) {
      for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
        args.add(flag);
        args.add(e.getKey() + "=" + (e.getValue() == null ? "" : e.getValue()));
      }
    }
    return this;
  }

  /** --flag value for each value. */
  public CliCommand set(String key, Collection<String> values) {
    String flag = settings.get(key).flag();
    if (values != null) {
      for (String v : values) {
        if (v != null && !v.isBlank()) {
          args.add(flag);
          args.add(v.trim());
        }
      }
    }
    return this;
  }

  /** A flag that is no setting (--log-level, --verbose). */
  public CliCommand raw(String... more) {
    Collections.addAll(args, more);
    return this;
  }

  /** The full command line after the executable. */
  public List<String> arguments() {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.add("--output");
    all.add("json");
    all.addAll(args);
    return all;
  }

  @Override
  public String toString() {
    return String.join(" ", arguments());
  }
}
