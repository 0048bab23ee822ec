package io.libertycheckpoint.shim;

import java.io.File;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What the shims default settings from: the project's directory, name, version and archive, and
 * the Liberty server configuration of its Liberty build plugin, when it has one.
 */
public final class Project {
  /** Where the Liberty configuration of a project lives, as liberty-maven-plugin has it. */
  public static final String CONFIG_DIRECTORY = "src/main/liberty/config";

  final File dir;
  private final String name;
  private final String version;
  private final Callable<File> archive;
  private LibertyServer liberty;
  private File buildDir;

  /** archive gives the project's war or ear (null when it has none); it is asked only when needed. */
  public Project(File dir, String name, String version, Callable<File> archive) {
    this.dir = dir;
    this.name = name;
    this.version = version;
    this.archive = archive;
    this.buildDir = new File(dir, "target");
  }

  /** The Liberty plugin's server configuration (null: the project has no Liberty plugin). */
  public Project liberty(LibertyServer server) {
    liberty = server;
    return this;
  }

  public LibertyServer liberty() {
    return liberty;
  }

  /** The build's output directory (target, build): the shims write under liberty-checkpoint/ there. */
  public Project buildDir(File dir) {
    buildDir = dir;
    return this;
  }

  /** {@code <build directory>/liberty-checkpoint}: the image's id and summary, the staged configuration. */
  public File outputDir() {
    return outputDir(buildDir);
  }

  /** The output directory of a build directory. */
  public static File outputDir(File buildDir) {
    return new File(buildDir, "liberty-checkpoint");
  }

  /** The default of a setting the goal defaults from the project, or null. */
  Object defaultOf(String key) throws ShimFailure {
    switch (key) {
      case "appArchive":
        try {
          return archive == null ? null : archive.call();
        } catch (Exception e) {
          throw new ShimFailure(ShimFailure.Kind.CANNOT_RUN, "cannot find the project's archive: " + e, e);
        }
      case "configDirectory":
        File config = liberty != null && liberty.configDirectory != null ? liberty.configDirectory : new File(dir, CONFIG_DIRECTORY);
        return config.isDirectory() ? config : null;
      case "serverXmlFile":
        return liberty == null ? null : liberty.serverXmlFile;
      case "serverName":
        return liberty == null ? null : liberty.serverName;
      case "bootstrapProperties":
        return liberty == null || liberty.bootstrapProperties.isEmpty() ? null : liberty.bootstrapProperties;
      case "jvmOptions":
        return liberty == null || liberty.jvmOptions.isEmpty() ? null : liberty.jvmOptions;
      case "image":
        return image(name, version);
      case "outputDirectory":
        return outputDir();
      default:
        return null;
    }
  }

  /** localhost/&lt;name&gt;:&lt;version&gt;-instanton (:instanton without a version), as a valid reference. */
  public static String image(String name, String version) {
    String repo = (name == null ? "" : name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
    String tag = "instanton";
    if (version != null && !version.isEmpty() && !"unspecified".equals(version)) {
      tag = (version.replaceAll("[^A-Za-z0-9_.-]+", "-") + "-instanton").replaceAll("^[.-]+", "");
      tag = tag.length() > 128 ? tag.substring(tag.length() - 128) : tag;
    }
    return "localhost/" + (repo.isEmpty() ? "app" : repo) + ":" + tag;
  }
}
