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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes {@code mvn liberty:checkpoint-image} and {@code mvn liberty:dev} both work in a POM that
 * also has liberty-maven-plugin, in any order: Maven calls it after reading the projects and before
 * it resolves the command line's goals, and it spells each {@code liberty:} goal with the coordinates
 * of the plugin that has it ({@link GoalPrefix}). Maven loads it when this plugin is declared with
 * {@code <extensions>true</extensions>}, or listed in {@code .mvn/extensions.xml} (a core extension);
 * it is a JSR-330 component, listed in META-INF/sisu/javax.inject.Named.
 */
@Named("liberty-checkpoint-prefix")
@Singleton
public class PrefixParticipant extends AbstractMavenLifecycleParticipant {
  /** Set in the session's data once it ran, so the goals can tell that the extension is active. */
  static final String ACTIVE = "io.libertycheckpoint.maven.PrefixParticipant.active";

  private static final Logger LOG = LoggerFactory.getLogger(PrefixParticipant.class);

  @Override
  public void afterProjectsRead(MavenSession session) {
    MavenProject top = session.getTopLevelProject() != null ? session.getTopLevelProject() : session.getCurrentProject();
    List<String> goals = session.getGoals();
    if (top == null || goals == null || goals.isEmpty()) {
      return;
    }
    Set<String> keys = pluginKeys(top);
    boolean declared = GoalPrefix.has(keys, GoalPrefix.GROUP, GoalPrefix.ARTIFACT);
    boolean liberty = GoalPrefix.has(keys, GoalPrefix.LIBERTY_GROUP, GoalPrefix.LIBERTY_ARTIFACT);
    List<String> rewritten = GoalPrefix.rewrite(goals, ourGoals(), declared, version(), liberty);
    if (session.getRepositorySession() != null) {
      session.getRepositorySession().getData().set(ACTIVE, Boolean.TRUE);
    }
    if (rewritten.equals(goals)) {
      return;
    }
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < goals.size(); i++) {
      if (!goals.get(i).equals(rewritten.get(i))) {
        changed.add(goals.get(i) + " -> " + rewritten.get(i));
      }
    }
    session.getRequest().setGoals(rewritten);
    log("liberty-checkpoint: goal prefix liberty: " + String.join(", ", changed));
  }

  private static void log(String line) {
    LOG.info(line);
  }

  /** groupId:artifactId of the project's build plugins and managed plugins. */
  static Set<String> pluginKeys(MavenProject p) {
    Set<String> keys = new LinkedHashSet<>();
    Build b = p.getBuild();
    if (b == null) {
      return keys;
    }
    for (Plugin plugin : b.getPlugins()) {
      keys.add(plugin.getGroupId() + ":" + plugin.getArtifactId());
    }
    if (b.getPluginManagement() != null) {
      for (Plugin plugin : b.getPluginManagement().getPlugins()) {
        keys.add(plugin.getGroupId() + ":" + plugin.getArtifactId());
      }
    }
    return keys;
  }

  /** This plugin's goals: the settings table's, which the goals are generated from. */
  static Set<String> ourGoals() {
    Set<String> out = new LinkedHashSet<>();
    for (Settings.Goal g : Settings.bundled().goals()) {
      out.add(g.maven);
    }
    return out;
  }

  /** This plugin's version, from the jar's pom.properties (null when it cannot be told). */
  static String version() {
    String res = "/META-INF/maven/" + GoalPrefix.GROUP + "/" + GoalPrefix.ARTIFACT + "/pom.properties";
    try (InputStream in = PrefixParticipant.class.getResourceAsStream(res)) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      return null;
    }
  }
}
