package io.libertycheckpoint.shim;

import java.io.File;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A project's Liberty server configuration as its Liberty build plugin has it: liberty-maven-plugin's
 * {@code <configuration>} (and its {@code liberty.bootstrap.*}, {@code liberty.jvm.*}, {@code
 * liberty.env.*}, {@code liberty.var.*} properties), or liberty-gradle-plugin's {@code liberty {
 * server { ... } }}. Each adapter reads it; shim-core takes the settings of the same names from it
 * when the user did not set them ({@link Project#defaultOf}) and lays out the files the image's
 * {@code /config} gets from the rest ({@link ConfigLayout}), so a project keeps one copy of its
 * Liberty configuration. Serializable: Gradle's configuration cache stores it with the task.
 */
public final class LibertyServer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Where it was read from, for the build log: io.openliberty.tools:liberty-maven-plugin:3.12.0. */
  public final String source;
  public String serverName;
  public File configDirectory;
  public File serverXmlFile;
  public File bootstrapPropertiesFile;
  public File jvmOptionsFile;
  public File serverEnvFile;
  /** bootstrap.properties entries (the plugin's bootstrapProperties over liberty.bootstrap.*). */
  public final Map<String, String> bootstrapProperties = new LinkedHashMap<>();
  /** jvm.options lines (liberty.jvm.* values, then the plugin's jvmOptions). */
  public final List<String> jvmOptions = new ArrayList<>();
  /** server.env entries (liberty.env.*, liberty-gradle-plugin's env). */
  public final Map<String, String> env = new LinkedHashMap<>();
  /** Server variables (liberty.var.*, var) and their defaults (liberty.defaultVar.*, defaultVar). */
  public final Map<String, String> vars = new LinkedHashMap<>();
  public final Map<String, String> defaultVars = new LinkedHashMap<>();
  /** Files copied into the server directory (copyDependencies): path relative to it -> file. */
  public final Map<String, File> files = new LinkedHashMap<>();

  public LibertyServer(String source) {
    this.source = source;
  }

  /** What the build log says was taken from the Liberty plugin. */
  String describe() {
    List<String> parts = new ArrayList<>();
    Object[] named = {"serverName", serverName, "configDirectory", configDirectory, "serverXmlFile", serverXmlFile,
        "bootstrapPropertiesFile", bootstrapPropertiesFile, "jvmOptionsFile", jvmOptionsFile, "serverEnvFile", serverEnvFile,
        "bootstrap properties", bootstrapProperties.size(), "JVM options", jvmOptions.size(), "server.env entries", env.size(),
        "variables", vars.size() + defaultVars.size(), "dependencies to copy", files.size()};
    for (int i = 0; i < named.length; i += 2) {
      if (named[i + 1] instanceof Integer && (Integer) named[i + 1] > 0) {
        parts.add(named[i + 1] + " " + named[i]);
      } else if (named[i + 1] != null && !(named[i + 1] instanceof Integer)) {
        parts.add(named[i] + " " + named[i + 1]);
      }
    }
    return parts.isEmpty() ? "nothing this plugin uses" : String.join(", ", parts);
  }
}
