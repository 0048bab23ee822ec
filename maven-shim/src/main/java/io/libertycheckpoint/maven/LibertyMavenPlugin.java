package io.libertycheckpoint.maven;

import io.libertycheckpoint.shim.LibertyServer;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.model.Plugin;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/**
 * Reads what io.openliberty.tools:liberty-maven-plugin knows about the project's Liberty server
 * from the POM: its plugin-level {@code <configuration>} (serverName, configDirectory,
 * serverXmlFile or the older configFile, bootstrapProperties, bootstrapPropertiesFile, jvmOptions,
 * jvmOptionsFile, serverEnvFile or serverEnv, copyDependencies), and the {@code liberty.bootstrap.*},
 * {@code liberty.jvm.*}, {@code liberty.env.*}, {@code liberty.var.*} and {@code liberty.defaultVar.*}
 * properties of the POM and the command line, with that plugin's precedence (its parameters over
 * the properties, the command line over the POM). Configuration inside an {@code <execution>} is
 * not read.
 */
final class LibertyMavenPlugin {
  static final String KEY = PrefixParticipant.LIBERTY_GROUP + ":" + PrefixParticipant.LIBERTY_ARTIFACT;
  static final String DEFAULT_LOCATION = "lib/global";

  private LibertyMavenPlugin() {}

  /** liberty-maven-plugin as the POM declares it (build plugins, else plugin management), or null. */
  static Plugin find(MavenProject project) {
    if (project.getBuild() == null) {
      return null;
    }
    Plugin p = project.getBuild().getPluginsAsMap().get(KEY);
    if (p == null && project.getBuild().getPluginManagement() != null) {
      p = project.getBuild().getPluginManagement().getPluginsAsMap().get(KEY);
    }
    return p;
  }

  /**
   * The server configuration, or null when the POM has no liberty-maven-plugin. artifacts are the
   * project's resolved dependencies (for copyDependencies); warn gets what cannot be used.
   */
  static LibertyServer read(MavenProject project, Properties commandLine, Set<Artifact> artifacts, Consumer<String> warn) {
    Plugin plugin = find(project);
    if (plugin == null) {
      return null;
    }
    LibertyServer s = new LibertyServer(KEY + ":" + (plugin.getVersion() == null ? "" : plugin.getVersion()));
    File base = project.getBasedir();
    Xpp3Dom conf = plugin.getConfiguration() instanceof Xpp3Dom ? (Xpp3Dom) plugin.getConfiguration() : new Xpp3Dom("configuration");
    s.serverName = text(conf, "serverName");
    s.configDirectory = file(base, text(conf, "configDirectory"));
    s.serverXmlFile = file(base, first(text(conf, "serverXmlFile"), text(conf, "configFile")));
    s.bootstrapPropertiesFile = file(base, text(conf, "bootstrapPropertiesFile"));
    s.jvmOptionsFile = file(base, text(conf, "jvmOptionsFile"));
    s.serverEnvFile = file(base, first(text(conf, "serverEnvFile"), text(conf, "serverEnv")));

    Properties props = new Properties();
    props.putAll(project.getProperties());
    props.putAll(commandLine);
    Map<String, String> bootstrap = prefixed(props, "liberty.bootstrap.");
    Xpp3Dom b = conf.getChild("bootstrapProperties");
    if (b != null) {
      for (Xpp3Dom c : b.getChildren()) {
        bootstrap.put(c.getName(), c.getValue() == null ? "" : c.getValue());
      }
    }
    s.bootstrapProperties.putAll(bootstrap);
    Set<String> jvm = new LinkedHashSet<>(prefixed(props, "liberty.jvm.").values());
    Xpp3Dom j = conf.getChild("jvmOptions");
    if (j != null) {
      for (Xpp3Dom c : j.getChildren()) {
        if (c.getValue() != null && !c.getValue().trim().isEmpty()) {
          jvm.add(c.getValue().trim());
        }
      }
    }
    s.jvmOptions.addAll(jvm);
    s.env.putAll(prefixed(props, "liberty.env."));
    s.vars.putAll(prefixed(props, "liberty.var."));
    s.defaultVars.putAll(prefixed(props, "liberty.defaultVar."));
    copyDependencies(conf.getChild("copyDependencies"), artifacts, s.files, warn);
    return s;
  }

  /**
   * copyDependencies: each dependency (groupId, optional artifactId ending in * for a prefix,
   * optional version) matches the project's resolved compile, runtime, system and provided
   * dependencies, with what they pull in, as liberty-maven-plugin copies them; into location
   * (default lib/global, relative to the server directory), without the version when stripVersion.
   */
  static void copyDependencies(Xpp3Dom copy, Set<Artifact> artifacts, Map<String, File> files, Consumer<String> warn) {
    if (copy == null) {
      return;
    }
    String location = first(text(copy, "location"), DEFAULT_LOCATION);
    boolean strip = Boolean.parseBoolean(text(copy, "stripVersion"));
    for (Xpp3Dom c : copy.getChildren()) {
      if ("dependency".equals(c.getName())) {
        copy(c, location, strip, artifacts, files, warn);
      } else if ("dependencyGroup".equals(c.getName())) {
        String groupLocation = first(text(c, "location"), location);
        boolean groupStrip = text(c, "stripVersion") != null ? Boolean.parseBoolean(text(c, "stripVersion")) : strip;
        for (Xpp3Dom d : c.getChildren("dependency")) {
          copy(d, groupLocation, groupStrip, artifacts, files, warn);
        }
      }
    }
  }

  private static void copy(Xpp3Dom dep, String location, boolean strip, Set<Artifact> artifacts, Map<String, File> files, Consumer<String> warn) {
    String group = text(dep, "groupId");
    String artifact = text(dep, "artifactId");
    String version = text(dep, "version");
    String spec = group + ":" + (artifact == null ? "*" : artifact) + (version == null ? "" : ":" + version);
    if (group == null) {
      warn.accept("liberty-maven-plugin's copyDependencies names a dependency without a groupId; left out");
      return;
    }
    if (new File(location).isAbsolute()) {
      warn.accept("copyDependencies " + spec + ": location " + location + " is outside the server directory, so it cannot go into the image; left out");
      return;
    }
    List<Artifact> matched = new ArrayList<>();
    for (Artifact a : artifacts) {
      if (copied(a) && a.getGroupId().equals(group) && matches(artifact, a.getArtifactId()) && (version == null || version.equals(a.getVersion()))) {
        matched.add(a);
      }
    }
    if (matched.isEmpty()) {
      warn.accept("copyDependencies " + spec + " matches none of the project's dependencies (declare it in <dependencies>, scope provided, so the image gets it); left out");
      return;
    }
    Set<Artifact> all = new LinkedHashSet<>(matched);
    for (Artifact a : artifacts) {
      for (Artifact m : matched) {
        List<String> trail = a.getDependencyTrail();
        if (copied(a) && trail != null && trail.contains(m.getId())) {
          all.add(a);
        }
      }
    }
    for (Artifact a : all) {
      if (a.getFile() == null || !a.getFile().isFile()) {
        warn.accept("copyDependencies: " + a.getId() + " has no file (was it resolved?); left out");
        continue;
      }
      String ext = a.getArtifactHandler() != null ? a.getArtifactHandler().getExtension() : a.getType();
      String name = strip ? a.getArtifactId() + "." + ext : a.getFile().getName();
      files.put(location.replace('\\', '/').replaceAll("/+$", "") + "/" + name, a.getFile());
    }
  }

  /** The scopes liberty-maven-plugin copies from: not test. */
  private static boolean copied(Artifact a) {
    return !Artifact.SCOPE_TEST.equals(a.getScope());
  }

  private static boolean matches(String pattern, String artifactId) {
    if (pattern == null || pattern.equals("*")) {
      return true;
    }
    return pattern.endsWith("*") ? artifactId.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(artifactId);
  }

  private static Map<String, String> prefixed(Properties props, String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : new java.util.TreeSet<>(props.stringPropertyNames())) {
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        out.put(name.substring(prefix.length()), props.getProperty(name));
      }
    }
    return out;
  }

  private static String text(Xpp3Dom parent, String name) {
    Xpp3Dom c = parent.getChild(name);
    if (c == null || c.getValue() == null || c.getValue().trim().isEmpty()) {
      return null;
    }
    return c.getValue().trim();
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  private static File file(File base, String path) {
    if (path == null) {
      return null;
    }
    File f = new File(path);
    return f.isAbsolute() ? f : new File(base, path);
  }
}
