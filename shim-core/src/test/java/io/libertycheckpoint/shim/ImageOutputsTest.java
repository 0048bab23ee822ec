package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** image.id and image.json after a build, image.digest after a push, as Jib leaves its files. */
class ImageOutputsTest {
  @TempDir
  Path dir;

  @Test
  void writesTheIdAndASummaryThenThePushAddsTheDigest() throws Exception {
    Event result = Golden.last(Golden.streams().get(0));
    File out = dir.resolve("liberty-checkpoint").toFile();
    ImageOutputs.write(out, result);
    assertThat(new File(out, "image.id")).hasContent("sha256:9c8b7a6d5e4f");
    Map<String, Object> json = read(new String(java.nio.file.Files.readAllBytes(new File(out, "image.json").toPath())));
    assertThat(json).containsEntry("image", "localhost/sample:1.0-instanton").containsEntry("imageId", "sha256:9c8b7a6d5e4f")
        .containsEntry("phase", "afterAppStart").containsEntry("imageSizeBytes", 412345678L)
        .containsEntry("checkpointSizeBytes", 58000000L).containsEntry("imagePushed", false).doesNotContainKey("imageDigest");
    assertThat(json.get("tags")).asList().containsExactly("1.0-instanton");
    assertThat(out.list()).containsExactlyInAnyOrder("image.id", "image.json");

    ImageOutputs.recordPush(out, "sha256:0123");
    assertThat(new File(out, "image.digest")).hasContent("sha256:0123");
    json = read(new String(java.nio.file.Files.readAllBytes(new File(out, "image.json").toPath())));
    assertThat(json).containsEntry("imageDigest", "sha256:0123").containsEntry("imagePushed", true)
        .containsEntry("imageId", "sha256:9c8b7a6d5e4f");

    // A new build: the digest was the old image's.
    ImageOutputs.write(out, result);
    assertThat(out.list()).containsExactlyInAnyOrder("image.id", "image.json");
    // A build starts by removing them: a failed one leaves none.
    ImageOutputs.clear(out);
    assertThat(out.list()).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(String json) {
    return new com.google.gson.GsonBuilder().setObjectToNumberStrategy(com.google.gson.ToNumberPolicy.LONG_OR_DOUBLE).create()
        .fromJson(json, Map.class);
  }

  @Test
  void tagsOfAReference() {
    assertThat(ImageOutputs.tags("localhost/app:1.0")).containsExactly("1.0");
    assertThat(ImageOutputs.tags("localhost:5000/app")).containsExactly("latest");
    assertThat(ImageOutputs.tags("app@sha256:abc")).isEmpty();
  }
}
