package io.libertycheckpoint.shim;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a built InstantOn image leaves in the build directory for the steps after it, as Jib
 * leaves jib-image.id, jib-image.json and jib-image.digest: in {@code target/liberty-checkpoint/}
 * (Maven) or {@code build/liberty-checkpoint/} (Gradle),
 * <ul>
 *   <li>{@code image.id}: the image id ({@code sha256:...}), one line;</li>
 *   <li>{@code image.json}: a summary: {@code image}, {@code imageId}, {@code tags}, {@code
 *       phase}, {@code imageSizeBytes}, {@code checkpointSizeBytes}, {@code imagePushed}, and
 *       {@code imageDigest} once the image is pushed;</li>
 *   <li>{@code image.digest}: the registry digest ({@code sha256:...}): written when the image is
 *       pushed ({@link #recordPush}), since a local image has no registry digest.</li>
 * </ul>
 * Each file is written whole under a temporary name and renamed into place, so a reader never sees
 * half a file; a build of a new image first removes the old image's files ({@link #clear}), so a
 * failed build leaves none.
 */
public final class ImageOutputs {
  public static final String ID = "image.id";
  public static final String JSON = "image.json";
  public static final String DIGEST = "image.digest";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private ImageOutputs() {}

  /** The files every run of a command writes: checkpoint-image's image.id and image.json (image.digest comes with a push). */
  public static List<File> files(File dir, String command) {
    return "checkpoint-image".equals(command) ? Arrays.asList(new File(dir, ID), new File(dir, JSON)) : Collections.<File>emptyList();
  }

  /** Removes the files of an earlier build: a build that fails must not leave the last image's id behind. */
  public static void clear(File dir) throws IOException {
    for (String name : new String[] {ID, JSON, DIGEST}) {
      Files.deleteIfExists(new File(dir, name).toPath());
    }
  }

  /** Writes image.id and image.json for a checkpoint-image result event; removes a stale image.digest. */
  public static void write(File dir, Event result) throws IOException {
    Map<String, Object> summary = new LinkedHashMap<>();
    String image = result.str("image");
    summary.put("image", image);
    summary.put("imageId", result.str("imageId"));
    summary.put("tags", tags(image));
    summary.put("phase", result.str("phase"));
    summary.put("imageSizeBytes", result.num("imageSizeBytes"));
    summary.put("checkpointSizeBytes", result.num("checkpointSizeBytes"));
    summary.put("imagePushed", false);
    Files.deleteIfExists(new File(dir, DIGEST).toPath());
    put(dir, ID, result.str("imageId") + "\n");
    put(dir, JSON, GSON.toJson(summary) + "\n");
  }

  /**
   * Records a push of the image: image.digest, and imageDigest and imagePushed in image.json. For
   * the push goal; the digest is the registry's ({@code sha256:...}).
   */
  public static void recordPush(File dir, String digest) throws IOException {
    File json = new File(dir, JSON);
    JsonObject summary = json.isFile() ? JsonParser.parseString(new String(Files.readAllBytes(json.toPath()), StandardCharsets.UTF_8))
        .getAsJsonObject() : new JsonObject();
    summary.addProperty("imageDigest", digest);
    summary.addProperty("imagePushed", true);
    put(dir, DIGEST, digest + "\n");
    put(dir, JSON, GSON.toJson(summary) + "\n");
  }

  /** The tag of a reference (latest when it has none), as a one-element list. */
  static List<String> tags(String image) {
    String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    if (image.contains("@") && colon <= slash) {
      return Collections.emptyList();
    }
    return new ArrayList<>(Collections.singletonList(colon > slash ? name.substring(colon + 1) : "latest"));
  }

  private static void put(File dir, String name, String text) throws IOException {
    Files.createDirectories(dir.toPath());
    Path tmp = Files.createTempFile(dir.toPath(), "." + name, ".tmp");
    try {
      Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
      Files.move(tmp, new File(dir, name).toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
