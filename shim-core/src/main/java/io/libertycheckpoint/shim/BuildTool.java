package io.libertycheckpoint.shim;

import io.libertycheckpoint.shim.Settings.Goal;
import io.libertycheckpoint.shim.Settings.Setting;

/**
 * How a build tool's user spells things: a setting (in a message, in a build script), a goal and
 * how to run it, the property option and the debug switch. The table gives each setting's Maven
 * and Gradle spelling; this is the rest.
 */
public enum BuildTool {
  MAVEN("-D", "mvn -X", "run Maven with -X") {
    @Override
    public String goalName(Goal g) {
      return "liberty:" + g.maven;
    }

    @Override
    public String spelling(Setting s) {
      return s.maven;
    }

    @Override
    String inline(Setting s) {
      return "<" + s.key + ">";
    }

    @Override
    String help(Goal g) {
      return "see the goal's parameters: mvn liberty:help -Ddetail=true -Dgoal=" + g.maven;
    }
  },
  GRADLE("-P", "gradle --debug", "run Gradle with --debug") {
    @Override
    public String goalName(Goal g) {
      return g.gradle;
    }

    @Override
    public String spelling(Setting s) {
      return s.gradle;
    }

    @Override
    String inline(Setting s) {
      return s.key;
    }

    @Override
    String help(Goal g) {
      return "see the settings: gradle help --task " + g.gradle + " and contract/SETTINGS.md";
    }
  };

  /** -D or -P. */
  final String propertyOption;
  final String debug;
  final String debugRun;

  BuildTool(String propertyOption, String debug, String debugRun) {
    this.propertyOption = propertyOption;
    this.debug = debug;
    this.debugRun = debugRun;
  }

  /** How the build names the goal: liberty:checkpoint-image, checkpointImage. */
  public abstract String goalName(Goal g);

  /** Both ways to set a setting: {@code <appArchive> or -Dliberty.checkpoint.appArchive}. */
  public abstract String spelling(Setting s);

  /** The setting named in a sentence: {@code <appArchive>}, {@code appArchive}. */
  abstract String inline(Setting s);

  /** Where to read about a goal's settings. */
  abstract String help(Goal g);

  /** The command that runs a goal: mvn liberty:checkpoint-doctor, gradle checkpointDoctor. */
  String call(Goal g) {
    return this == MAVEN ? "mvn " + goalName(g) : "gradle " + goalName(g);
  }

  /** -Dliberty.checkpoint.key=value */
  String property(Settings table, String key, String value) {
    return propertyOption + table.propertyPrefix + key + "=" + value;
  }
}
