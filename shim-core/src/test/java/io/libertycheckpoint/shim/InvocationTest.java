package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A goal's settings from the build script, the properties and the project, as one CLI call. */
class InvocationTest {
  @TempDir
  Path dir;

  final Map<String, Object> script = new LinkedHashMap<>();
  final Map<String, String> props = new HashMap<>();

  private List<String> args(String command) throws Exception {
    Project p = new Project(dir.toFile(), "Sample", "1.0-SNAPSHOT", () -> dir.resolve("target/sample.war").toFile());
    Settings t = Settings.bundled();
    return Invocation.of(t, t.goal(command), script::get, props::get, k -> null, p, BuildTool.MAVEN).arguments(false);
  }

  private String path(String rel) {
    return dir.resolve(rel).toString();
  }

  @Test
  void registryCredentialsGoInTheEnvironmentNotTheArguments() throws Exception {
    props.put("liberty.checkpoint.push", "true");
    props.put("liberty.checkpoint.creds", "ci:hunter2");
    props.put("liberty.checkpoint.tlsVerify", "false");
    Project p = new Project(dir.toFile(), "Sample", "1.0-SNAPSHOT", () -> dir.resolve("target/sample.war").toFile());
    Settings t = Settings.bundled();
    Invocation inv = Invocation.of(t, t.goal("checkpoint-image"), script::get, props::get, k -> null, p, BuildTool.MAVEN);
    assertThat(inv.arguments(true)).contains("--push", "--tls-verify=false").noneMatch(a -> a.contains("hunter2"));
    assertThat(inv.environment()).containsEntry(Invocation.CREDS_ENV, "ci:hunter2");
  }

  @Test
  void checkpointImageDefaultsComeFromTheProject() throws Exception {
    assertThat(args("checkpoint-image")).containsExactly("checkpoint-image", "--output", "json",
        "--app-archive=" + path("target/sample.war"), "--image=localhost/sample:1.0-SNAPSHOT-instanton",
        "--output-dir=" + path("target/liberty-checkpoint"));
    Files.createDirectories(dir.resolve("src/main/liberty/config"));
    assertThat(args("checkpoint-image")).contains("--config-directory=" + path("src/main/liberty/config"));
  }

  @Test
  void everyKindOfSetting() throws Exception {
    script.put("baseImage", "localhost/open-liberty:local-checkpoint");
    script.put("appArchive", new File("/abs/app.war"));
    script.put("serverXmlFile", "conf/server.xml");
    script.put("configDirectory", Paths.get("/abs/config"));
    script.put("labels", new LinkedHashMap<>(Map.of("b", "2", "a", "1")));
    script.put("env", Map.of("JAVA_OPTS", "-Xmx128m"));
    script.put("keepAppImage", true);
    script.put("timeout", " 10m ");
    props.put("liberty.checkpoint.labels", "c=3, a=9");
    props.put("liberty.checkpoint.phase", "beforeAppStart");
    assertThat(args("checkpoint-image")).containsExactly("checkpoint-image", "--output", "json",
        "--base-image=localhost/open-liberty:local-checkpoint", "--app-archive=/abs/app.war",
        "--server-xml-file=" + path("conf/server.xml"), "--config-directory=/abs/config",
        "--image=localhost/sample:1.0-SNAPSHOT-instanton", "--phase=beforeAppStart",
        "--label=a=9", "--label=b=2", "--label=c=3", "--env=JAVA_OPTS=-Xmx128m", "--keep-app-image", "--timeout=10m",
        "--output-dir=" + path("target/liberty-checkpoint"));
  }

  /** A build tool's up-to-date inputs: the files apart from the other values, the executable in neither. */
  @Test
  void inputsSplitFilesFromValues() throws Exception {
    script.put("serverXmlFile", "conf/server.xml");
    script.put("phase", "beforeAppStart");
    script.put("executable", "/opt/lc");
    Project p = new Project(dir.toFile(), "Sample", "1.0-SNAPSHOT", () -> dir.resolve("target/sample.war").toFile());
    Settings t = Settings.bundled();
    Invocation inv = Invocation.of(t, t.goal("checkpoint-image"), script::get, props::get, k -> null, p, BuildTool.GRADLE);
    assertThat(inv.inputFiles()).containsOnlyKeys("appArchive", "serverXmlFile")
        .containsEntry("serverXmlFile", dir.resolve("conf/server.xml").toFile());
    assertThat(inv.inputValues()).containsOnlyKeys("image", "phase").containsEntry("phase", "beforeAppStart");
  }

  @Test
  void propertiesWinAndParse() throws Exception {
    script.put("image", "localhost/ignored:1");
    script.put("keepRunning", true);
    props.put("liberty.checkpoint.image", "localhost/x:1");
    props.put("liberty.checkpoint.ports", "9080, 127.0.0.1:9443:9443");
    props.put("liberty.checkpoint.keepRunning", "false");
    props.put("liberty.checkpoint.disableRecovery", "");
    assertThat(args("restore")).containsExactly("restore", "--output", "json", "--image=localhost/x:1",
        "--publish=9080", "--publish=127.0.0.1:9443:9443", "--disable-recovery");
    props.put("liberty.checkpoint.env", "JUSTAKEY");
    assertThatThrownBy(() -> args("restore")).isInstanceOf(ShimFailure.class)
        .hasMessage("-Dliberty.checkpoint.env=JUSTAKEY: 'JUSTAKEY' is not key=value (write -Dliberty.checkpoint.env=k1=v1,k2=v2)");
    props.remove("liberty.checkpoint.env");
    props.put("liberty.checkpoint.keepRunning", "yes");
    assertThatThrownBy(() -> args("restore")).hasMessage("-Dliberty.checkpoint.keepRunning=yes: not a boolean: use true or false");
  }

  @Test
  void baseImageTagsBaseImageFromItsOwnContainerfileAndDoctorTakesOnlyWhatIsSet() throws Exception {
    assertThat(args("build-base-image")).containsExactly("build-base-image", "--output", "json");
    script.put("baseImage", "localhost/open-liberty:local-checkpoint");
    script.put("image", "localhost/app:1"); // the application's: not the base image's
    script.put("containerfile", "Containerfile.app");
    script.put("baseContainerfile", "Dockerfile.local");
    script.put("contextDirectory", "beta-image");
    script.put("buildArgs", Map.of("LIBERTY_VERSION", "26.0.0.3"));
    assertThat(args("build-base-image")).containsExactly("build-base-image", "--output", "json",
        "--containerfile=Dockerfile.local", "--image=localhost/open-liberty:local-checkpoint",
        "--context=" + path("beta-image"), "--build-arg=LIBERTY_VERSION=26.0.0.3");
    assertThat(args("doctor")).containsExactly("doctor", "--output", "json", "--image=localhost/app:1");
  }

  @Test
  void theExecutableIsAPathOrANameOnPath() throws Exception {
    Settings t = Settings.bundled();
    Project p = new Project(dir.toFile(), "x", null, null);
    script.put("executable", "tools/liberty-checkpoint");
    assertThat(Invocation.of(t, t.goal("doctor"), script::get, props::get, k -> null, p, BuildTool.GRADLE).get("executable"))
        .isEqualTo(dir.resolve("tools/liberty-checkpoint").toFile());
    script.put("executable", "liberty-checkpoint-dev");
    assertThat(Invocation.of(t, t.goal("doctor"), script::get, props::get, k -> null, p, BuildTool.GRADLE).get("executable"))
        .isEqualTo("liberty-checkpoint-dev");
    assertThat(Invocation.of(t, t.goal("doctor"), script::get, props::get, k -> null, p, BuildTool.GRADLE).arguments(true))
        .containsExactly("doctor", "--output", "json", "--log-level", "debug");
  }

  @Test
  void theImageAliasIsUsedOnlyWhenNothingElseSetsTheImage() throws Exception {
    Settings t = Settings.bundled();
    Project p = new Project(dir.toFile(), "sample", "1.0", null);
    Map<String, String> commandLine = Map.of("image", "localhost/from-alias:2");
    assertThat(Invocation.of(t, t.goal("restore"), script::get, props::get, commandLine::get, p, BuildTool.MAVEN).get("image"))
        .isEqualTo("localhost/from-alias:2");
    script.put("image", "localhost/from-script:1");
    assertThat(Invocation.of(t, t.goal("restore"), script::get, props::get, commandLine::get, p, BuildTool.MAVEN).get("image"))
        .isEqualTo("localhost/from-script:1");
    script.remove("image");
    props.put("liberty.checkpoint.image", "localhost/from-property:1");
    assertThat(Invocation.of(t, t.goal("restore"), script::get, props::get, commandLine::get, p, BuildTool.MAVEN).get("image"))
        .isEqualTo("localhost/from-property:1");
    // build-base-image's image is baseImage's: the alias does not reach it.
    props.clear();
    assertThat(Invocation.of(t, t.goal("build-base-image"), script::get, props::get, commandLine::get, p, BuildTool.MAVEN)
        .arguments(false)).doesNotContain("--image=localhost/from-alias:2");
  }

  @Test
  void theLibertyPluginsConfigurationIsTheDefault() throws Exception {
    Files.createDirectories(dir.resolve("liberty/conf"));
    Files.write(dir.resolve("liberty/conf/server.xml"), "<server/>".getBytes());
    Files.write(dir.resolve("server.env.in"), "A=1\n".getBytes());
    Files.write(dir.resolve("derby.jar"), "jar".getBytes());
    LibertyServer lmp = new LibertyServer("io.openliberty.tools:liberty-maven-plugin:3.12.0");
    lmp.serverName = "inventory";
    lmp.configDirectory = dir.resolve("liberty/conf").toFile();
    lmp.serverXmlFile = dir.resolve("liberty/conf/server.xml").toFile();
    lmp.bootstrapProperties.put("default.http.port", "9080");
    lmp.bootstrapProperties.put("path", "C:\\x");
    lmp.jvmOptions.add("-Xmx256m");
    lmp.serverEnvFile = dir.resolve("server.env.in").toFile();
    lmp.vars.put("app.greeting", "a \"b\" <c>");
    lmp.defaultVars.put("db.port", "1527");
    lmp.files.put("lib/global/derby.jar", dir.resolve("derby.jar").toFile());
    Settings t = Settings.bundled();
    Project p = new Project(dir.toFile(), "sample", "1.0", () -> dir.resolve("target/sample.war").toFile()).liberty(lmp);
    script.put("bootstrapProperties", Map.of("extra", "yes"));
    Invocation inv = Invocation.of(t, t.goal("checkpoint-image"), script::get, props::get, k -> null, p, BuildTool.MAVEN);
    assertThat(inv.get("serverName")).isEqualTo("inventory");
    assertThat(inv.get("bootstrapProperties")).isEqualTo(Map.of("default.http.port", "9080", "path", "C:\\x", "extra", "yes"));
    assertThat(inv.layout().entries()).containsOnlyKeys("bootstrap.properties", "jvm.options", "server.env",
        ConfigLayout.VARIABLES, "lib/global/derby.jar");

    File staged = dir.resolve("target/liberty-checkpoint/config").toFile();
    inv.stage(staged);
    assertThat(inv.arguments(false)).containsExactly("checkpoint-image", "--output", "json",
        "--app-archive=" + path("target/sample.war"), "--server-xml-file=" + path("liberty/conf/server.xml"),
        "--config-directory=" + staged, "--server-name=inventory", "--image=localhost/sample:1.0-instanton",
        "--output-dir=" + path("target/liberty-checkpoint"));
    assertThat(staged.toPath().resolve("server.xml")).hasContent("<server/>");
    assertThat(staged.toPath().resolve("bootstrap.properties")).hasContent(
        "# Written by liberty-checkpoint from the bootstrapProperties setting.\ndefault.http.port=9080\nextra=yes\npath=C:/x");
    assertThat(staged.toPath().resolve("jvm.options")).hasContent("# Written by liberty-checkpoint from the jvmOptions setting.\n-Xmx256m");
    assertThat(staged.toPath().resolve("server.env")).hasContent("A=1");
    assertThat(staged.toPath().resolve("lib/global/derby.jar")).hasContent("jar");
    assertThat(staged.toPath().resolve(ConfigLayout.VARIABLES)).content()
        .contains("<variable name=\"app.greeting\" value=\"a &quot;b&quot; &lt;c&gt;\"/>")
        .contains("<variable name=\"db.port\" defaultValue=\"1527\"/>");

    // Without anything to add, the configuration directory is given as it is.
    Invocation plain = Invocation.of(t, t.goal("checkpoint-image"), name -> null, props::get, k -> null,
        new Project(dir.toFile(), "sample", "1.0", null), BuildTool.MAVEN);
    assertThat(plain.layout().isEmpty()).isTrue();
  }

  @Test
  void defaultImageIsAValidLowercaseReference() {
    assertThat(Project.image("My_App", "2.0+build.7")).isEqualTo("localhost/my_app:2.0-build.7-instanton");
    assertThat(Project.image("My App", "unspecified")).isEqualTo("localhost/my-app:instanton");
    assertThat(Project.image("_", "1.0")).isEqualTo("localhost/app:1.0-instanton");
    assertThat(Project.image("x", "1+2")).isEqualTo("localhost/x:1-2-instanton");
  }
}
