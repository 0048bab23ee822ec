package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each goal maps its settings and the project model to one CLI call. */
class MojoArgumentsTest {
  @TempDir
  Path project;

  private static <T extends AbstractCheckpointMojo> T project(T mojo, File basedir) {
    mojo.basedir = basedir;
    mojo.artifactId = "Sample";
    mojo.projectVersion = "1.0-SNAPSHOT";
    mojo.userProperties = new Properties();
    return mojo;
  }

  private CheckpointImageMojo imageMojo() {
    CheckpointImageMojo m = project(new CheckpointImageMojo(), project.toFile());
    m.buildDirectory = project.resolve("target").toFile();
    m.finalName = "sample-1.0";
    m.packaging = "war";
    return m;
  }

  @Test
  void checkpointImageDefaultsComeFromTheProject() throws Exception {
    Files.createDirectories(project.resolve("src/main/liberty/config"));
    assertThat(imageMojo().command().arguments()).containsExactly(
        "checkpoint-image", "--output", "json",
        "--app-archive", project.resolve("target/sample-1.0.war").toString(),
        "--config-directory", project.resolve("src/main/liberty/config").toString(),
        "--image", "localhost/sample:1.0-SNAPSHOT-instanton");
  }

  @Test
  void checkpointImageWithoutConfigDirectoryOrWarLeavesThemToTheTool() throws Exception {
    CheckpointImageMojo m = imageMojo();
    m.packaging = "jar";
    assertThat(m.command().arguments()).containsExactly(
        "checkpoint-image", "--output", "json", "--image", "localhost/sample:1.0-SNAPSHOT-instanton");
    m.packaging = "ear";
    assertThat(m.command().arguments()).contains("--app-archive", project.resolve("target/sample-1.0.ear").toString());
  }

  @Test
  void checkpointImageEverySetting() throws Exception {
    CheckpointImageMojo m = imageMojo();
    m.baseImage = "localhost/open-liberty:local-checkpoint";
    m.appArchive = new File("/abs/app.war");
    m.serverXmlFile = new File("/abs/server.xml");
    m.configDirectory = new File("/abs/config");
    m.serverName = "s1";
    m.containerfile = new File("/abs/Containerfile");
    m.image = "localhost/x:2";
    m.phase = "beforeAppStart";
    m.labels = new TreeMap<>(Map.of("b", "2", "a", "1"));
    m.env = Map.of("JAVA_OPTS", "-Xmx128m");
    m.keepAppImage = true;
    m.seccompProfile = new File("/abs/seccomp.json");
    m.podmanUrl = "unix:///run/podman/podman.sock";
    m.timeout = "10m";
    m.userProperties.setProperty("liberty.checkpoint.labels", "c=3, a=9");
    assertThat(m.cliCommand().arguments()).containsExactly(
        "checkpoint-image", "--output", "json",
        "--base-image", "localhost/open-liberty:local-checkpoint",
        "--app-archive", "/abs/app.war",
        "--server-xml-file", "/abs/server.xml",
        "--config-directory", "/abs/config",
        "--server-name", "s1",
        "--containerfile", "/abs/Containerfile",
        "--image", "localhost/x:2",
        "--phase", "beforeAppStart",
        "--label", "a=9", "--label", "b=2", "--label", "c=3",
        "--env", "JAVA_OPTS=-Xmx128m",
        "--keep-app-image",
        "--seccomp-profile", "/abs/seccomp.json",
        "--podman-url", "unix:///run/podman/podman.sock",
        "--timeout", "10m");
  }

  @Test
  void mapPropertyMustBeKeyValue() {
    CheckpointImageMojo m = imageMojo();
    m.userProperties.setProperty("liberty.checkpoint.env", "JUSTAKEY");
    assertThatThrownBy(m::command).isInstanceOf(MojoExecutionException.class)
        .hasMessageContaining("-Dliberty.checkpoint.env: \"JUSTAKEY\" is not key=value");
  }

  @Test
  void restoreDefaultsToTheProjectsImage() throws Exception {
    CheckpointRestoreMojo m = project(new CheckpointRestoreMojo(), project.toFile());
    m.ports = List.of("9080", "127.0.0.1:9443:9443");
    m.readyUrl = "/sample/";
    m.disableRecovery = true;
    assertThat(m.command().arguments()).containsExactly(
        "restore", "--output", "json",
        "--image", "localhost/sample:1.0-SNAPSHOT-instanton",
        "--publish", "9080", "--publish", "127.0.0.1:9443:9443",
        "--ready-url", "/sample/",
        "--disable-recovery");
  }

  @Test
  void baseImageAndDoctorPassOnlyWhatIsSet() throws Exception {
    CheckpointBaseImageMojo b = project(new CheckpointBaseImageMojo(), project.toFile());
    assertThat(b.command().arguments()).containsExactly("build-base-image", "--output", "json");
    b.contextDirectory = new File("/abs/beta-image");
    b.containerfile = "Dockerfile.local";
    b.image = "localhost/open-liberty:local-checkpoint";
    b.buildArgs = Map.of("LIBERTY_VERSION", "26.0.0.3");
    assertThat(b.command().arguments()).containsExactly("build-base-image", "--output", "json",
        "--context", "/abs/beta-image", "--containerfile", "Dockerfile.local",
        "--image", "localhost/open-liberty:local-checkpoint", "--build-arg", "LIBERTY_VERSION=26.0.0.3");

    CheckpointDoctorMojo d = project(new CheckpointDoctorMojo(), project.toFile());
    assertThat(d.command().arguments()).containsExactly("doctor", "--output", "json");
    d.image = "localhost/sample:1.0-instanton";
    assertThat(d.command().arguments()).containsExactly("doctor", "--output", "json", "--image", "localhost/sample:1.0-instanton");
  }

  @Test
  void defaultImageIsAValidLowercaseReference() {
    CheckpointRestoreMojo m = project(new CheckpointRestoreMojo(), project.toFile());
    m.artifactId = "My_App";
    m.projectVersion = "2.0+build.7";
    assertThat(m.defaultImage()).isEqualTo("localhost/my_app:2.0-build.7-instanton");
  }

  /** Every goal with every setting it has set: used by SettingsContractTest. */
  static List<CliCommand> allGoalsFullyConfigured() throws Exception {
    File dir = Files.createTempDirectory("lcp-args").toFile();
    CheckpointImageMojo i = project(new CheckpointImageMojo(), dir);
    i.baseImage = "b"; i.appArchive = dir; i.serverXmlFile = dir; i.configDirectory = dir; i.serverName = "s";
    i.containerfile = dir; i.image = "i"; i.phase = "p"; i.labels = Map.of("a", "b"); i.env = Map.of("A", "b");
    i.keepAppImage = true; i.seccompProfile = dir;
    CheckpointBaseImageMojo b = project(new CheckpointBaseImageMojo(), dir);
    b.contextDirectory = dir; b.containerfile = "c"; b.image = "i"; b.buildArgs = Map.of("A", "b"); b.labels = Map.of("a", "b");
    CheckpointRestoreMojo r = project(new CheckpointRestoreMojo(), dir);
    r.image = "i"; r.ports = List.of("9080"); r.env = Map.of("A", "b"); r.readyUrl = "/"; r.readyLog = "x";
    r.disableRecovery = true; r.keepRunning = true; r.containerName = "c"; r.seccompProfile = dir;
    CheckpointDoctorMojo d = project(new CheckpointDoctorMojo(), dir);
    d.image = "i";
    List<CliCommand> out = new java.util.ArrayList<>();
    for (AbstractCheckpointMojo m : List.of(i, b, r, d)) {
      m.podmanUrl = "unix:///x";
      m.timeout = "1m";
      out.add(m.cliCommand());
    }
    return out;
  }
}
