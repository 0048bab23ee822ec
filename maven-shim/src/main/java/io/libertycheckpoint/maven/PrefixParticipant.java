package io.libertycheckpoint.maven;

import io.libertycheckpoint.shim.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import javax.inject.Named;
import javax.inject.Singleton;
import org.apache.maven.AbstractMavenLifecycleParticipant;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.model.Build;
import org.apache.maven.model.Plugin;
import org.apache.maven.project.MavenProject;
import org.slf4j.LoggerFactory;

/**
 * The goal prefix {@code liberty}, which this plugin shares with io.openliberty.tools:liberty-maven-plugin.
 * Maven gives a prefix to the first plugin of the POM that has it and looks for the goal only
 * there, so in a POM with both plugins either {@code mvn liberty:checkpoint-image} or {@code mvn
 * liberty:dev} fails. After Maven read the projects and before it resolves the command line's
 * goals, this spells each {@code liberty:} goal with the coordinates of the plugin that has it
 * ({@link #rewrite}). Maven loads it when this plugin is declared with {@code
 * <extensions>true</extensions>}, or listed in {@code .mvn/extensions.xml} (a core extension); it is
 * a JSR-330 component, listed in META-INF/sisu/javax.inject.Named.
 */
@Named("liberty-checkpoint-prefix")
@Singleton
public class PrefixParticipant extends AbstractMavenLifecycleParticipant {
  /** Set in the session's data once it ran, so the goals can tell that the extension is active. */
  static final String ACTIVE = "io.libertycheckpoint.maven.PrefixParticipant.active";
  static final String PREFIX = "liberty";
  static final String GROUP = "io.libertycheckpoint";
  static final String ARTIFACT = "liberty-checkpoint-maven-plugin";
  static final String LIBERTY_GROUP = "io.openliberty.tools";
  static final String LIBERTY_ARTIFACT = "liberty-maven-plugin";

  @Override
  public void afterProjectsRead(MavenSession session) {
    MavenProject top = session.getTopLevelProject() != null ? session.getTopLevelProject() : session.getCurrentProject();
    List<String> goals = session.getGoals();
    if (top == null || goals == null || goals.isEmpty()) {
      return;
    }
    Set<String> keys = pluginKeys(top);
    Set<String> ours = new LinkedHashSet<>();
    Settings.bundled().goals().forEach(g -> ours.add(g.maven));
    List<String> rewritten = rewrite(goals, ours, keys.contains(GROUP + ":" + ARTIFACT), version(), keys.contains(LibertyMavenPlugin.KEY));
    if (session.getRepositorySession() != null) {
      session.getRepositorySession().getData().set(ACTIVE, Boolean.TRUE);
    }
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < goals.size(); i++) {
      if (!goals.get(i).equals(rewritten.get(i))) {
        changed.add(goals.get(i) + " -> " + rewritten.get(i));
      }
    }
    if (!changed.isEmpty()) {
      session.getRequest().setGoals(rewritten);
      LoggerFactory.getLogger(PrefixParticipant.class).info("liberty-checkpoint: goal prefix liberty: " + String.join(", ", changed));
    }
  }

  /**
   * The goals with every {@code liberty:<goal>[@execution]} spelled out. ours are this plugin's
   * goals; declared tells whether the POM declares this plugin (then its version comes from the
   * POM, else version is used); liberty whether it declares liberty-maven-plugin. Goals of
   * neither plugin, help and everything else stay as they are.
   */
  static List<String> rewrite(List<String> goals, Set<String> ours, boolean declared, String version, boolean liberty) {
    List<String> out = new ArrayList<>(goals.size());
    for (String task : goals) {
      String[] parts = task.split(":", -1);
      String name = parts.length == 2 ? parts[1].replaceFirst("@.*", "") : "";
      if (parts.length != 2 || !PREFIX.equals(parts[0]) || "help".equals(name) || name.isEmpty()) {
        out.add(task);
      } else if (ours.contains(name)) {
        out.add(GROUP + ":" + ARTIFACT + (declared || version == null ? "" : ":" + version) + ":" + parts[1]);
      } else {
        out.add(liberty ? LibertyMavenPlugin.KEY + ":" + parts[1] : task);
      }
    }
    return out;
  }

  /** groupId:artifactId of the project's build plugins and managed plugins. */
  static Set<String> pluginKeys(MavenProject p) {
    Set<String> keys = new LinkedHashSet<>();
    Build b = p.getBuild();
    List<Plugin> plugins = new ArrayList<>(b == null ? new ArrayList<>() : b.getPlugins());
    if (b != null && b.getPluginManagement() != null) {
      plugins.addAll(b.getPluginManagement().getPlugins());
    }
    plugins.forEach(plugin -> keys.add(plugin.getGroupId() + ":" + plugin.getArtifactId()));
    return keys;
  }

  /** This plugin's version, from the jar's pom.properties (null when it cannot be told). */
  static String version() {
    try (InputStream in = PrefixParticipant.class.getResourceAsStream("/META-INF/maven/" + GROUP + "/" + ARTIFACT + "/pom.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
