package io.libertycheckpoint.shim;

import io.libertycheckpoint.shim.Settings.Goal;
import io.libertycheckpoint.shim.Settings.Setting;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failure texts that teach, in the manner of Jib's HelpfulSuggestions: the tool's own message and
 * fix, with the setting spelled the build tool's way, the failing setting's flag and API field
 * named by its key, and CLI commands in a fix rewritten into the goal or task to run.
 */
final class Suggestions {
  private static final Pattern CLI_CALL =
      Pattern.compile("liberty-checkpoint ([a-z-]+)((?: --[a-z-]+(?:[ =](?!--)[^\\s,;)]+)?)*)");
  private static final Pattern FLAG = Pattern.compile("--([a-z-]+)(?:[ =]((?!--)[^\\s,;)]+))?");

  private final Settings table;
  private final BuildTool tool;
  private final Goal goal;

  Suggestions(Settings table, BuildTool tool, Goal goal) {
    this.table = table;
    this.tool = tool;
    this.goal = goal;
  }

  /** The build failure for an error event. */
  ShimFailure failure(Event error) {
    String code = error.str("code");
    Setting s = setting(error);
    StringBuilder b = new StringBuilder(tool.goalName(goal)).append(" failed: ").append(rewrite(error.str("message"), s));
    if (!code.isEmpty()) {
      b.append(" (").append(code).append(')');
    }
    if (s != null) {
      b.append("\n  setting: ").append(tool.spelling(s));
    } else if (!error.str("field").isEmpty()) {
      b.append("\n  field: ").append(error.str("field"));
    }
    if (!error.str("fix").isEmpty()) {
      b.append("\n  fix: ").append(rewrite(error.str("fix").replace("see --help for the flags", tool.help(goal)), s));
    }
    tail(b, error.strings("logTail"));
    ShimFailure.Kind kind = "Canceled".equals(code) ? ShimFailure.Kind.CANCELLED
        : "InvalidArgument".equals(code) || "NotFound".equals(code) ? ShimFailure.Kind.BAD_INPUT : ShimFailure.Kind.FAILED;
    return new ShimFailure(kind, b.toString(), null);
  }

  static void tail(StringBuilder b, Iterable<String> lines) {
    String head = "\n  last log lines:";
    for (String l : lines) {
      b.append(head).append("\n    ").append(l);
      head = "";
    }
  }

  /**
   * The setting at fault, as this goal takes it: the error's, else the one setting whose flag the
   * message names (flag parsing errors carry no field).
   */
  Setting setting(Event error) {
    String flag = error.str("flag");
    for (Setting s : table.all()) {
      flag = flag.isEmpty() && s.key.equals(error.str("setting")) ? s.flag : flag;
    }
    Matcher m = FLAG.matcher(error.str("message"));
    while (flag.isEmpty() && m.find()) {
      String named = "--" + m.group(1);
      while (table.byFlag(named) != null && m.find()) {
        if (table.byFlag("--" + m.group(1)) != null && !named.equals("--" + m.group(1))) {
          return null; // two settings named: no telling which
        }
      }
      flag = table.byFlag(named) != null ? named : "";
    }
    String key = goal.keyOf(flag);
    return key != null ? table.get(key) : table.byFlag(flag);
  }

  /**
   * Rewrites CLI spellings: the failing setting's flag, API field and key become its name, a CLI call
   * becomes the goal's ("liberty-checkpoint doctor --image x" is "mvn liberty:checkpoint-doctor
   * -Dliberty.checkpoint.image=x"), and "--log-level debug" the build tool's debug switch.
   */
  String rewrite(String text, Setting s) {
    String out = text.replace("run with --log-level debug", tool.debugRun).replace("--log-level debug", tool.debug);
    Matcher m = CLI_CALL.matcher(out);
    StringBuffer b = new StringBuffer();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(call(m.group(1), m.group(2), m.group())));
    }
    m.appendTail(b);
    out = b.toString();
    if (s != null) {
      Setting asGoal = table.byFlag(goal.flags.getOrDefault(s.key, ""));
      for (Setting spelled : new Setting[] {s, asGoal}) {
        if (spelled != null && !spelled.flag.isEmpty()) {
          out = out.replaceAll("(?<![\\w-])" + Pattern.quote(spelled.flag) + "(?![\\w-])", Matcher.quoteReplacement(tool.inline(s)));
        }
        if (spelled != null && spelled.field.matches(".*[_.].*")) {
          out = out.replaceAll("(?<![\\w.])" + Pattern.quote(spelled.field) + "(?!\\w)", Matcher.quoteReplacement(tool.inline(s)));
        }
        // The CLI's JSON events name settings by their keys (configDirectory): a camelCase key
        // is unambiguous in prose, and becomes the build tool's spelling too.
        if (spelled != null && spelled.key.matches(".*[a-z][A-Z].*")) {
          out = out.replaceAll("(?<![\\w.<-])" + Pattern.quote(spelled.key) + "(?![\\w>])", Matcher.quoteReplacement(tool.inline(s)));
        }
      }
    }
    return out;
  }

  /** A CLI call as the goal that runs that command, or as it was when there is none. */
  private String call(String command, String flags, String as) {
    Goal g = table.goal(command);
    if (g == null) {
      return as;
    }
    StringBuilder b = new StringBuilder(tool.call(g));
    Matcher f = FLAG.matcher(flags);
    while (f.find()) {
      String key = g.keyOf("--" + f.group(1));
      if (key == null) {
        return as;
      }
      b.append(' ').append(tool.property(table, key, f.group(2) == null ? "true" : f.group(2)));
    }
    return b.toString();
  }
}
