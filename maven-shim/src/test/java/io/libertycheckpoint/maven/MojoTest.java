package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.ShimFailure;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each goal hands its parameters and the project model to shim-core, and its failures to Maven. */
class MojoTest {
  @TempDir
  Path project;

  private <T extends AbstractCheckpointMojo> T project(T mojo) {
    mojo.project = new MavenProject();
    mojo.project.setFile(project.resolve("pom.xml").toFile());
    mojo.project.setArtifactId("Sample");
    mojo.project.setVersion("1.0-SNAPSHOT");
    mojo.project.getBuild().setDirectory(project.resolve("target").toString());
    mojo.project.getBuild().setFinalName("sample-1.0");
    mojo.project.setPackaging("war");
    return mojo;
  }

  private static List<String> args(AbstractCheckpointMojo m) throws ShimFailure {
    return m.invocation(Settings.bundled()).arguments(false);
  }

  @Test
  void checkpointImageDefaultsComeFromTheProjectAndMapsMergeTheirProperty() throws Exception {
    Files.createDirectories(project.resolve("src/main/liberty/config"));
    CheckpointImageMojo m = project(new CheckpointImageMojo());
    m.labels = Map.of("b", "2", "a", "1");
    m.userProperties.setProperty("liberty.checkpoint.labels", "c=3, a=9");
    m.userProperties.setProperty("liberty.checkpoint.phase", "ignored: Maven sets the parameter from it");
    m.keepAppImage = true;
    assertThat(args(m)).containsExactly("checkpoint-image", "--output", "json",
        "--app-archive=" + project.resolve("target/sample-1.0.war"), "--config-directory=" + project.resolve("src/main/liberty/config"),
        "--image=localhost/sample:1.0-SNAPSHOT-instanton", "--label=a=9", "--label=b=2", "--label=c=3", "--keep-app-image",
        "--output-dir=" + project.resolve("target/liberty-checkpoint"));
    m.project.setPackaging("jar");
    assertThat(args(m)).as("other packagings set appArchive themselves").noneMatch(a -> a.startsWith("--app-archive"));
  }

  @Test
  void whatTheToolReportsFailsTheBuildWhatKeepsItFromRunningIsAnExecutionError() throws Exception {
    CheckpointDoctorMojo d = project(new CheckpointDoctorMojo());
    d.executable = new File(project.toFile(), "no/such/liberty-checkpoint");
    assertThatThrownBy(d::execute).isInstanceOf(MojoExecutionException.class)
        .hasMessageContaining("<executable> or -Dliberty.checkpoint.executable: " + d.executable + " does not exist");
    CheckpointRestoreMojo r = project(new CheckpointRestoreMojo());
    r.userProperties.setProperty("liberty.checkpoint.env", "JUSTAKEY");
    assertThatThrownBy(r::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("'JUSTAKEY' is not key=value");
    d.executable = script("echo '{\"error\":{\"code\":\"FailedPrecondition\",\"message\":\"crun on hybrid cgroups\"}}'; exit 1");
    assertThatThrownBy(d::execute).isInstanceOf(MojoFailureException.class)
        .hasMessage("liberty:checkpoint-doctor failed: crun on hybrid cgroups (FailedPrecondition)");
    d.executable = script("echo '{\"error\":{\"code\":\"Canceled\",\"message\":\"cancelled\"}}'; exit 130");
    assertThatThrownBy(d::execute).isInstanceOf(MojoExecutionException.class).hasMessageContaining("was cancelled");
  }

  private File script(String body) throws Exception {
    Path p = Files.createTempFile(project, "cli", ".sh");
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    assertThat(p.toFile().setExecutable(true)).isTrue();
    return p.toFile();
  }
}
