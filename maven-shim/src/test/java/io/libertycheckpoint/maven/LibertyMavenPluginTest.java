package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.libertycheckpoint.shim.LibertyServer;
import java.io.File;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginManagement;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3DomBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What liberty-maven-plugin's POM configuration and properties give the image. */
class LibertyMavenPluginTest {
  @TempDir
  Path dir;

  private MavenProject project(String configuration, boolean managed) throws Exception {
    Plugin lmp = new Plugin();
    lmp.setGroupId("io.openliberty.tools");
    lmp.setArtifactId("liberty-maven-plugin");
    lmp.setVersion("3.12.0");
    lmp.setConfiguration(Xpp3DomBuilder.build(new StringReader("<configuration>" + configuration + "</configuration>")));
    Model m = new Model();
    m.setBuild(new Build());
    if (managed) {
      m.getBuild().setPluginManagement(new PluginManagement());
      m.getBuild().getPluginManagement().addPlugin(lmp);
    } else {
      m.getBuild().addPlugin(lmp);
    }
    m.getProperties().setProperty("liberty.bootstrap.a", "from-property");
    m.getProperties().setProperty("liberty.bootstrap.b", "from-property");
    m.getProperties().setProperty("liberty.jvm.heap", "-Xmx128m");
    m.getProperties().setProperty("liberty.var.v", "pom");
    MavenProject p = new MavenProject(m);
    p.setFile(dir.resolve("pom.xml").toFile());
    return p;
  }

  private Artifact artifact(String group, String id, String version, String scope, String... trail) throws Exception {
    DefaultArtifact a = new DefaultArtifact(group, id, version, scope, "jar", null, new DefaultArtifactHandler("jar"));
    Path f = Files.createDirectories(dir.resolve("repo")).resolve(id + "-" + version + ".jar");
    Files.writeString(f, id);
    a.setFile(f.toFile());
    List<String> t = new ArrayList<>(List.of(trail));
    t.add(a.getId());
    a.setDependencyTrail(t);
    return a;
  }

  @Test
  void readsTheConfigurationWithLibertyMavenPluginsPrecedence() throws Exception {
    MavenProject p = project("<serverName>inventory</serverName><configDirectory>src/main/liberty/server</configDirectory>"
        + "<configFile>conf/server.xml</configFile><serverEnv>conf/server.env</serverEnv>"
        + "<bootstrapProperties><b>from-parameter</b><c>3</c></bootstrapProperties>"
        + "<jvmOptions><param>-Xmx256m</param><param>-Xmx128m</param></jvmOptions>", false);
    Properties commandLine = new Properties();
    commandLine.setProperty("liberty.var.v", "command-line");
    List<String> warnings = new ArrayList<>();
    LibertyServer s = LibertyMavenPlugin.read(p, commandLine, Set.of(), warnings::add);
    assertThat(s.source).isEqualTo("io.openliberty.tools:liberty-maven-plugin:3.12.0");
    assertThat(s.serverName).isEqualTo("inventory");
    assertThat(s.configDirectory).isEqualTo(dir.resolve("src/main/liberty/server").toFile());
    assertThat(s.serverXmlFile).isEqualTo(dir.resolve("conf/server.xml").toFile());
    assertThat(s.serverEnvFile).isEqualTo(dir.resolve("conf/server.env").toFile());
    assertThat(s.bootstrapProperties).containsExactly(
        org.assertj.core.api.Assertions.entry("a", "from-property"), org.assertj.core.api.Assertions.entry("b", "from-parameter"),
        org.assertj.core.api.Assertions.entry("c", "3"));
    assertThat(s.jvmOptions).containsExactly("-Xmx128m", "-Xmx256m");
    assertThat(s.vars).containsEntry("v", "command-line");
    assertThat(warnings).isEmpty();
  }

  @Test
  void pluginManagementCountsAndAProjectWithoutThePluginHasNothing() throws Exception {
    assertThat(LibertyMavenPlugin.read(project("<serverName>managed</serverName>", true), new Properties(), Set.of(), w -> {}).serverName)
        .isEqualTo("managed");
    Model bare = new Model();
    bare.setBuild(new Build());
    assertThat(LibertyMavenPlugin.read(new MavenProject(bare), new Properties(), Set.of(), w -> {})).isNull();
  }

  @Test
  void copyDependenciesCopiesWhatMatchesWithWhatItPullsIn() throws Exception {
    MavenProject p = project("<copyDependencies><location>lib/global</location><stripVersion>true</stripVersion>"
        + "<dependency><groupId>org.apache.derby</groupId><artifactId>derby*</artifactId></dependency>"
        + "<dependencyGroup><location>lib/other</location><dependency><groupId>com.example</groupId></dependency></dependencyGroup>"
        + "<dependency><groupId>not.there</groupId><version>1.0</version></dependency>"
        + "<dependencyGroup><location>/abs</location><dependency><groupId>com.example</groupId></dependency></dependencyGroup>"
        + "</copyDependencies>", false);
    Artifact derby = artifact("org.apache.derby", "derby", "10.15.2.0", Artifact.SCOPE_PROVIDED);
    Set<Artifact> artifacts = new LinkedHashSet<>(List.of(derby,
        artifact("org.apache.derby", "derbyshared", "10.15.2.0", Artifact.SCOPE_PROVIDED, derby.getId()),
        artifact("org.apache.derby", "derbyclient", "10.15.2.0", Artifact.SCOPE_TEST),
        artifact("com.example", "lib", "2.0", Artifact.SCOPE_COMPILE),
        artifact("other", "pulled-in", "1.1", Artifact.SCOPE_RUNTIME, "com.example:lib:jar:2.0")));
    List<String> warnings = new ArrayList<>();
    LibertyServer s = LibertyMavenPlugin.read(p, new Properties(), artifacts, warnings::add);
    assertThat(s.files.keySet()).containsExactly("lib/global/derby.jar", "lib/global/derbyshared.jar", "lib/other/lib.jar",
        "lib/other/pulled-in.jar"); // the group takes copyDependencies' stripVersion
    assertThat(s.files.get("lib/global/derby.jar")).isEqualTo(derby.getFile());
    assertThat(warnings).containsExactly(
        "copyDependencies not.there:*:1.0 matches none of the project's dependencies (declare it in <dependencies>, scope provided, so the image gets it); left out",
        "copyDependencies com.example:*: location /abs is outside the server directory, so it cannot go into the image; left out");
  }

  @Test
  void theGoalPrefix() {
    Set<String> ours = Set.of("checkpoint-image", "checkpoint-doctor");
    assertThat(PrefixParticipant.rewrite(List.of("clean", "package", "liberty:dev", "liberty:checkpoint-image@x", "liberty:help",
        "io.openliberty.tools:liberty-maven-plugin:run", "other:goal"), ours, true, "1.0", true))
        .containsExactly("clean", "package", "io.openliberty.tools:liberty-maven-plugin:dev",
            "io.libertycheckpoint:liberty-checkpoint-maven-plugin:checkpoint-image@x", "liberty:help",
            "io.openliberty.tools:liberty-maven-plugin:run", "other:goal");
    // Not declared in the POM (a core extension): this plugin's own version; no liberty-maven-plugin: its goals stay.
    assertThat(PrefixParticipant.rewrite(List.of("liberty:checkpoint-doctor", "liberty:dev"), ours, false, "1.0", false))
        .containsExactly("io.libertycheckpoint:liberty-checkpoint-maven-plugin:1.0:checkpoint-doctor", "liberty:dev");
  }
}
