package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libertycheckpoint.shim.Settings.Goal;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The table in the jar is contract/settings.json, and its goals say which flag each setting fills. */
class SettingsTest {
  @Test
  void bundledTableIsTheContract() throws Exception {
    Settings repo = Golden.table();
    assertThat(Settings.bundled().all()).extracting(s -> s.key + " " + s.flag + " " + s.kind)
        .containsExactlyElementsOf(repo.all().stream().map(s -> s.key + " " + s.flag + " " + s.kind)::iterator);
    assertThat(Settings.bundled().goals()).extracting(g -> g.command).containsExactly("checkpoint-image", "build-base-image", "restore", "push", "doctor", "kube");
  }

  @Test
  void goalsBindTheirFlags() {
    Settings t = Settings.bundled();
    Goal base = t.goal("build-base-image");
    assertThat(base.flags).containsEntry("baseImage", "--image").containsEntry("baseContainerfile", "--containerfile");
    assertThat(t.goal("checkpoint-image").flags).containsEntry("image", "--image");
    assertThat(t.goal("checkpoint-image").defaults).containsExactly("appArchive", "configDirectory", "serverXmlFile", "serverName",
        "image", "bootstrapProperties", "jvmOptions", "outputDirectory");
    // The Liberty plugins' inline configuration is checkpoint-image's alone; skip is every goal's.
    assertThat(t.goal("checkpoint-image").flags).containsKeys("bootstrapProperties", "jvmOptions", "skip");
    assertThat(t.goal("restore").flags).doesNotContainKeys("bootstrapProperties", "jvmOptions").containsKey("skip");
    assertThat(t.get("image").alias).isEqualTo("image");
    assertThat(t.get("baseImage").alias).isEmpty();
    assertThat(t.goal("doctor").flags).doesNotContainValue("--publish");
    assertThat(t.get("executable").flag).isEmpty();
    assertThat(t.unknownProperties(Arrays.asList("liberty.checkpoint.imag", "liberty.checkpoint.image", "other.x")))
        .containsExactly("liberty.checkpoint.imag");
  }
}
