package io.libertycheckpoint.maven;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The goal prefix {@code liberty}, which this plugin shares with io.openliberty.tools:liberty-maven-plugin.
 * Maven gives a prefix to the first plugin of the POM that has it and looks for the goal only
 * there, so in a POM with both plugins either {@code mvn liberty:checkpoint-image} or {@code mvn
 * liberty:dev} fails. {@link #rewrite} spells each {@code liberty:} goal of the command line with the
 * coordinates of the plugin that has it, before Maven resolves prefixes: this plugin's goals with
 * this plugin's, every other goal with liberty-maven-plugin's when the POM has that plugin. The
 * {@link PrefixParticipant} applies it when this plugin is a build extension.
 */
final class GoalPrefix {
  static final String PREFIX = "liberty";
  static final String GROUP = "io.libertycheckpoint";
  static final String ARTIFACT = "liberty-checkpoint-maven-plugin";
  static final String LIBERTY_GROUP = "io.openliberty.tools";
  static final String LIBERTY_ARTIFACT = "liberty-maven-plugin";

  private GoalPrefix() {}

  /**
   * The goals with every {@code liberty:<goal>[@execution]} spelled out. ours are this plugin's
   * goals; declared tells whether the POM declares this plugin (then its version comes from the
   * POM, else version is used); liberty whether it declares liberty-maven-plugin. Goals of
   * neither plugin, help and everything else stay as they are.
   */
  static List<String> rewrite(List<String> goals, Set<String> ours, boolean declared, String version, boolean liberty) {
    List<String> out = new ArrayList<>(goals.size());
    for (String g : goals) {
      out.add(rewrite(g, ours, declared, version, liberty));
    }
    return out;
  }

  static String rewrite(String task, Set<String> ours, boolean declared, String version, boolean liberty) {
    String[] parts = task.split(":", -1);
    if (parts.length != 2 || !PREFIX.equals(parts[0])) {
      return task;
    }
    String goal = parts[1];
    int at = goal.indexOf('@');
    String name = at < 0 ? goal : goal.substring(0, at);
    if ("help".equals(name) || name.isEmpty()) {
      return task;
    }
    if (ours.contains(name)) {
      return GROUP + ":" + ARTIFACT + (declared || version == null ? "" : ":" + version) + ":" + goal;
    }
    return liberty ? LIBERTY_GROUP + ":" + LIBERTY_ARTIFACT + ":" + goal : task;
  }

  /** True when a plugin of these coordinates is among the keys (groupId:artifactId). */
  static boolean has(Collection<String> pluginKeys, String group, String artifact) {
    return pluginKeys.contains(group + ":" + artifact);
  }
}
