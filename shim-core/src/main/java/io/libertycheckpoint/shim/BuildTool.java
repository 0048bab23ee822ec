package io.libertycheckpoint.shim;

import io.libertycheckpoint.shim.Settings.Goal;
import io.libertycheckpoint.shim.Settings.Setting;

/**
 * How a build tool's user spells things: a setting (in a build script), a goal and
 * the command that runs it, the property option and the debug switch. The settings table holds each
 * setting's Maven and Gradle spelling; this is the rest.
 */
public enum BuildTool {
  MAVEN("-D", "mvn -X",
      "make the plugin's repositories reach it (Maven Central, or your mirror of it; mvn -X shows where Maven looked)"),
  GRADLE("-P", "gradle --debug",
      "declare a repository that has it in the project: repositories { mavenCentral() } (or your mirror of it)");

  /** -D or -P. */
  final String propertyOption;
  final String debug;
  /** How to let the build resolve liberty-checkpoint's binaries (PlatformBinaries). */
  final String binariesFix;

  BuildTool(String propertyOption, String debug, String binariesFix) {
    this.propertyOption = propertyOption;
    this.debug = debug;
    this.binariesFix = binariesFix;
  }

  /** How the build names the goal: liberty:checkpoint-image, checkpointImage. */
  public String goalName(Goal g) {
    return this == MAVEN ? "liberty:" + g.maven : g.gradle;
  }

  /** Both ways to set a setting: {@code <appArchive> or -Dliberty.checkpoint.appArchive}. */
  public String spelling(Setting s) {
    return this == MAVEN ? s.maven : s.gradle;
  }

  /** The command that runs a goal: mvn liberty:checkpoint-doctor, gradle checkpointDoctor. */
  String call(Goal g) {
    return (this == MAVEN ? "mvn " : "gradle ") + goalName(g);
  }

  /** -Dliberty.checkpoint.key=value */
  String property(Settings table, String key, String value) {
    return propertyOption + table.propertyPrefix + key + "=" + value;
  }
}
