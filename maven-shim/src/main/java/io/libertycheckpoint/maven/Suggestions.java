package io.libertycheckpoint.maven;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * Turns the tool's errors into build failures that teach, spelled the Maven way (in the manner of
 * Jib's HelpfulSuggestions): the tool's own message and fix, the setting as {@code <appArchive>} /
 * {@code -Dliberty.checkpoint.appArchive}, and CLI commands in a fix rewritten as the goal to run.
 *
 * <p>An error the tool reported (bad settings, a failed operation, failing doctor checks, a cold
 * start where a restore was expected) fails the build: {@link MojoFailureException}. Not being able
 * to run the tool at all, or a tool that died without saying why, is a {@link
 * MojoExecutionException}.
 */
public final class Suggestions {
  /** CLI commands that a goal runs, for rewriting "run liberty-checkpoint doctor --image x". */
  static final Map<String, String> GOALS = Map.of(
      "checkpoint-image", "checkpoint-image",
      "build-base-image", "checkpoint-base-image",
      "restore", "checkpoint-restore",
      "doctor", "checkpoint-doctor");

  private static final Pattern CLI_CALL =
      Pattern.compile("liberty-checkpoint ([a-z-]+)((?: --[a-z-]+(?:[ =](?!--)[^\\s,;)]+)?)*)");
  private static final Pattern FLAG = Pattern.compile("--([a-z-]+)(?:[ =]((?!--)[^\\s,;)]+))?");

  private final Settings settings;

  public Suggestions() {
    this(Settings.bundled());
  }

  Suggestions(Settings settings) {
    this.settings = settings;
  }

  /** The build failure for an error event. */
  public MojoFailureException failure(String goal, Event error) {
    String key = error.str("setting");
    Settings.Setting setting = key.isEmpty() ? settingNamedIn(error.str("message")) : settings.all().get(key);
    StringBuilder b = new StringBuilder();
    b.append(goal).append(" failed: ").append(mavenize(error.str("message"), setting));
    if (!error.str("code").isEmpty()) {
      b.append(" (").append(error.str("code")).append(')');
    }
    if (setting != null) {
      b.append("\n  setting: ").append(Settings.mavenSpelling(setting.key()));
    } else if (!error.str("field").isEmpty()) {
      b.append("\n  field: ").append(error.str("field"));
    }
    if (!error.str("fix").isEmpty()) {
      String fix = error.str("fix").replace("see --help for the flags",
          "see the goal's parameters: mvn liberty:help -Ddetail=true -Dgoal=" + goal.substring(goal.indexOf(':') + 1));
      b.append("\n  fix: ").append(mavenize(fix, setting));
    }
    List<String> tail = error.strings("logTail");
    if (!tail.isEmpty()) {
      b.append("\n  last log lines:");
      tail.forEach(l -> b.append("\n    ").append(l));
    }
    return new MojoFailureException(b.toString());
  }

  /** The one setting whose flag a message names (flag parsing errors carry no field), or null. */
  Settings.Setting settingNamedIn(String message) {
    Settings.Setting found = null;
    Matcher m = FLAG.matcher(message);
    while (m.find()) {
      Settings.Setting s = settings.byFlag("--" + m.group(1)).orElse(null);
      if (s != null) {
        if (found != null && found != s) {
          return null;
        }
        found = s;
      }
    }
    return found;
  }

  /** The tool stopped without a result or an error event. */
  public MojoExecutionException died(String goal, CliRunner.Outcome o) {
    StringBuilder b = new StringBuilder();
    b.append(goal).append(": liberty-checkpoint exited with code ").append(o.exitCode)
        .append(" without reporting a result or an error");
    if (!o.stderrTail.isEmpty()) {
      b.append("\n  its last output:");
      o.stderrTail.forEach(l -> b.append("\n    ").append(l));
    }
    b.append("\n  fix: run the build again with -X to see everything the tool printed; if <executable> is set, check that it is liberty-checkpoint");
    return new MojoExecutionException(b.toString());
  }

  /** The executable could not be started. */
  public MojoExecutionException cannotStart(String goal, String executable, Exception cause) {
    return new MojoExecutionException(goal + ": cannot run " + executable + ": " + cause.getMessage()
        + "\n  fix: set " + Settings.mavenSpelling("executable")
        + " to a liberty-checkpoint binary, or leave it unset to use the one this plugin carries", cause);
  }

  /**
   * Rewrites CLI spellings in a message or fix: the failing setting's flag and API field become
   * {@code <key>}, "liberty-checkpoint doctor --image x" becomes "mvn liberty:checkpoint-doctor
   * -Dliberty.checkpoint.image=x", and "--log-level debug" becomes "mvn -X".
   */
  String mavenize(String text, Settings.Setting setting) {
    if (text.isEmpty()) {
      return text;
    }
    String s = text.replace("run with --log-level debug", "run Maven with -X").replace("--log-level debug", "mvn -X");
    Matcher m = CLI_CALL.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Optional<String> goalCall = goalCall(m.group(1), m.group(2));
      m.appendReplacement(out, Matcher.quoteReplacement(goalCall.orElse(m.group())));
    }
    m.appendTail(out);
    s = out.toString();
    if (setting != null) {
      s = s.replaceAll("(?<![\\w-])" + Pattern.quote(setting.flag()) + "(?![\\w-])", Matcher.quoteReplacement("<" + setting.key() + ">"));
      if (setting.field().matches(".*[_.].*")) {
        s = s.replaceAll("(?<![\\w.])" + Pattern.quote(setting.field()) + "(?![\\w])", Matcher.quoteReplacement("<" + setting.key() + ">"));
      }
    }
    return s;
  }

  private Optional<String> goalCall(String command, String flags) {
    String goal = GOALS.get(command);
    if (goal == null) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder("mvn liberty:").append(goal);
    Matcher f = FLAG.matcher(flags);
    while (f.find()) {
      Optional<Settings.Setting> s = settings.byFlag("--" + f.group(1));
      if (s.isEmpty()) {
        return Optional.empty();
      }
      b.append(" -D").append(Settings.PROPERTY_PREFIX).append(s.get().key()).append('=')
          .append(f.group(2) == null ? "true" : f.group(2));
    }
    return Optional.of(b.toString());
  }
}
