package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * mvn liberty:dev in a project that has liberty-maven-plugin first and this plugin as a build
 * extension: the goal is liberty-maven-plugin's dev mode, which starts its server (Open Liberty's
 * kernel from Maven Central) and, typed q, stops it and ends. On the build's Maven and on Maven 3.9.
 */
class DevModeIT {
  @Test
  void devModeOnTheBuildsMaven() throws Exception {
    devMode("mvn", "maven");
  }

  @Test
  void devModeOnMaven39() throws Exception {
    devMode(ItWork.prop("lcp.it.maven39").resolve("bin/mvn").toString(), "maven-3.9");
  }

  private static void devMode(String mvn, String name) throws Exception {
    Path dir = ItWork.project("dev", "dev-" + name);
    Path settings = ItWork.settings();
    // -Ddebug=false: no debug port (dev mode's default, 7777, would clash between runs).
    Process maven = new ProcessBuilder(mvn, "-B", "-ntp", "-s", settings.toString(), "-Dmaven.repo.local=" + ItWork.prop("lcp.it.localRepo"),
        "-Dlcp.it.pluginVersion=" + System.getProperty("lcp.it.pluginVersion"), "-Ddebug=false", "liberty:dev")
        .directory(dir.toFile()).redirectErrorStream(true).start();
    ItWork.Output out = ItWork.follow(maven, "Liberty is running in dev mode.");
    String wlp = dir.resolve("target/liberty/wlp").toString();
    try {
      out.seen().get(240, TimeUnit.SECONDS);
      assertThat(out.text()).contains("[INFO] liberty-checkpoint: goal prefix liberty: liberty:dev -> io.openliberty.tools:liberty-maven-plugin:dev")
          .contains(":3.12.0:dev (default-cli) @ dev ---")
          .contains("CWWKF0011I: The devServer server is ready to run a smarter planet.");
      OutputStream in = maven.getOutputStream();
      in.write("q\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertThat(maven.waitFor(120, TimeUnit.SECONDS)).as("dev mode ends when told q").isTrue();
      out.ended().get(10, TimeUnit.SECONDS);
      assertThat(maven.exitValue()).as(out.text()).isZero();
      assertThat(out.text()).contains("Server devServer stopped.").contains("BUILD SUCCESS");
      assertThat(ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(wlp)))
          .as("no server of this project is left").isEmpty();
    } finally {
      maven.destroyForcibly();
      // When the test failed before q: the server this run started, by its installation's path.
      ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(wlp)).forEach(ProcessHandle::destroyForcibly);
    }
  }
}
