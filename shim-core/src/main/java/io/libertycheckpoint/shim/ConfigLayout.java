package io.libertycheckpoint.shim;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files a Liberty server's configuration directory gets besides the user's configuration
 * directory, as liberty-maven-plugin and liberty-gradle-plugin write them into the server they
 * create: {@code bootstrap.properties} from the bootstrapProperties setting (else the plugin's
 * bootstrapPropertiesFile), {@code jvm.options} from jvmOptions (else jvmOptionsFile), {@code
 * server.env} from the plugin's env entries (else serverEnvFile), the plugin's variables in {@code
 * configDropins/overrides/liberty-plugin-variable-config.xml}, and the dependencies it copies
 * (copyDependencies, into lib/global or their location). Like those plugins, these files win over
 * the configuration directory's files of the same name. Each entry is a path relative to the
 * configuration directory and either the text to write or the file to copy.
 */
public final class ConfigLayout {
  /** The name liberty-maven-plugin gives the variables file; Liberty reads it after server.xml. */
  static final String VARIABLES = "configDropins/overrides/liberty-plugin-variable-config.xml";

  private final Map<String, Object> entries = new TreeMap<>();

  ConfigLayout() {}

  /** The layout of a goal's resolved settings and the project's Liberty plugin configuration (may be null). */
  static ConfigLayout of(Map<String, Object> values, LibertyServer liberty) {
    ConfigLayout l = new ConfigLayout();
    Object bootstrap = values.get("bootstrapProperties");
    if (bootstrap instanceof Map) {
      StringBuilder b = new StringBuilder("# Written by liberty-checkpoint from the bootstrapProperties setting.\n");
      ((Map<?, ?>) bootstrap).forEach((k, v) -> b.append(k).append('=').append(String.valueOf(v).replace('\\', '/')).append('\n'));
      l.entries.put("bootstrap.properties", b.toString());
    } else if (liberty != null && liberty.bootstrapPropertiesFile != null) {
      l.entries.put("bootstrap.properties", liberty.bootstrapPropertiesFile);
    }
    Object jvm = values.get("jvmOptions");
    if (jvm instanceof List) {
      StringBuilder b = new StringBuilder("# Written by liberty-checkpoint from the jvmOptions setting.\n");
      for (Object o : (List<?>) jvm) {
        b.append(o).append('\n');
      }
      l.entries.put("jvm.options", b.toString());
    } else if (liberty != null && liberty.jvmOptionsFile != null) {
      l.entries.put("jvm.options", liberty.jvmOptionsFile);
    }
    if (liberty == null) {
      return l;
    }
    if (!liberty.env.isEmpty()) {
      StringBuilder b = new StringBuilder("# Written by liberty-checkpoint from " + liberty.source + ".\n");
      liberty.env.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
      l.entries.put("server.env", b.toString());
    } else if (liberty.serverEnvFile != null) {
      l.entries.put("server.env", liberty.serverEnvFile);
    }
    if (!liberty.vars.isEmpty() || !liberty.defaultVars.isEmpty()) {
      StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Written by liberty-checkpoint from "
          + xml(liberty.source) + ". -->\n<server>\n");
      liberty.vars.forEach((k, v) -> b.append("  <variable name=\"").append(xml(k)).append("\" value=\"").append(xml(v)).append("\"/>\n"));
      liberty.defaultVars.forEach((k, v) -> b.append("  <variable name=\"").append(xml(k)).append("\" defaultValue=\"").append(xml(v))
          .append("\"/>\n"));
      l.entries.put(VARIABLES, b.append("</server>\n").toString());
    }
    l.entries.putAll(liberty.files);
    return l;
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Path under the configuration directory -> its text (String) or the file to copy (File). */
  public Map<String, Object> entries() {
    return Collections.unmodifiableMap(entries);
  }

  /**
   * Makes dir the configuration directory: emptied, then the files of config (the user's
   * configuration directory; null for none), then the layout's entries over them.
   */
  void stage(File config, File dir) throws IOException {
    Path out = dir.toPath();
    PlatformBinaries.deleteTree(out);
    Files.createDirectories(out);
    if (config != null && config.isDirectory()) {
      Path in = config.toPath();
      try (Stream<Path> walk = Files.walk(in)) {
        for (Path f : (Iterable<Path>) walk::iterator) {
          Path target = out.resolve(in.relativize(f).toString());
          if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(target);
          } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    for (Map.Entry<String, Object> e : entries.entrySet()) {
      Path target = out.resolve(e.getKey()).normalize();
      if (!target.startsWith(out)) {
        throw new IOException(e.getKey() + " lies outside the server's configuration directory");
      }
      Files.createDirectories(target.getParent());
      if (e.getValue() instanceof File && !((File) e.getValue()).isFile()) {
        throw new IOException(e.getValue() + " does not exist");
      } else if (e.getValue() instanceof File) {
        Files.copy(((File) e.getValue()).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.write(target, String.valueOf(e.getValue()).getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
