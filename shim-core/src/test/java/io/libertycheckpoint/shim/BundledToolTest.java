package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the bundled binaries: once, by checksum, verified, atomic, shared. */
class BundledToolTest {
  static final byte[] CLI = "#!/bin/sh\necho cli\n".getBytes(StandardCharsets.UTF_8);
  static final byte[] PLUGIN = "#!/bin/sh\necho plugin\n".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path cache;

  /** A bundle like the jar's; the CLI's sum can be wrong on purpose. */
  static BundledTool bundle(String cliSum) {
    Map<String, byte[]> files = new HashMap<>();
    files.put("liberty-checkpoint", CLI);
    files.put("liberty-checkpoint-plugin", PLUGIN);
    files.put("SHA256SUMS", (cliSum + "  liberty-checkpoint\n" + sha(PLUGIN) + "  liberty-checkpoint-plugin\n").getBytes(StandardCharsets.UTF_8));
    return new BundledTool(name -> files.containsKey(name) ? new ByteArrayInputStream(files.get(name)) : null);
  }

  static String sha(byte[] b) {
    try {
      return BundledTool.hex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<Path> bin() throws Exception {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(cache.resolve("bin"))) {
      s.forEach(out::add);
    }
    return out;
  }

  @Test
  void extractsOnceIntoADirectoryNamedByTheChecksum() throws Exception {
    BundledTool tool = bundle(sha(CLI));
    Path cli = tool.extract(cache);
    assertThat(cli).isEqualTo(cache.resolve("bin").resolve(tool.key()).resolve("liberty-checkpoint"));
    assertThat(tool.key()).hasSize(64);
    assertThat(cli).hasBinaryContent(CLI).isExecutable();
    assertThat(cli.resolveSibling("liberty-checkpoint-plugin")).hasBinaryContent(PLUGIN).isExecutable();
    long modified = Files.getLastModifiedTime(cli).toMillis();
    Thread.sleep(20);
    assertThat(tool.extract(cache)).isEqualTo(cli);
    assertThat(Files.getLastModifiedTime(cli).toMillis()).as("not extracted again").isEqualTo(modified);
    Files.delete(cli.resolveSibling("liberty-checkpoint-plugin"));
    assertThat(tool.extract(cache)).isEqualTo(cli);
    assertThat(cli.resolveSibling("liberty-checkpoint-plugin")).as("a damaged directory is replaced").hasBinaryContent(PLUGIN);
    assertThat(bin()).hasSize(1);
  }

  @Test
  void aWrongChecksumOrAMissingBundleFailsAndLeavesNothing() throws Exception {
    assertThatThrownBy(() -> bundle(sha("other".getBytes(StandardCharsets.UTF_8))).extract(cache))
        .hasMessageContaining("the plugin jar is damaged: bundled liberty-checkpoint has sha256");
    assertThat(bin()).isEmpty();
    assertThatThrownBy(() -> new BundledTool(name -> null).extract(cache)).hasMessageContaining("built without the Go binaries");
    assertThatThrownBy(() -> BundledTool.parseSums(sha(CLI) + "  ../escape\n")).hasMessageContaining("bad line");
    assertThatThrownBy(() -> BundledTool.parseSums(sha(CLI) + "  liberty-checkpoint-plugin\n")).hasMessageContaining("does not list liberty-checkpoint");
  }

  @Test
  void concurrentBuildsShareOneExtraction() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(pool.submit(() -> bundle(sha(CLI)).extract(cache)));
      }
      Set<Path> paths = new HashSet<>();
      for (Future<Path> f : results) {
        paths.add(f.get());
      }
      assertThat(paths).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(bin()).as("no temporary directories left").hasSize(1);
  }

  @Test
  void cacheRootAndPlatforms() {
    Map<String, String> env = new HashMap<>();
    assertThat(BundledTool.cacheRoot(env)).isEqualTo(Paths.get(System.getProperty("user.home"), ".cache", "liberty-checkpoint"));
    env.put("XDG_CACHE_HOME", "/xdg");
    assertThat(BundledTool.cacheRoot(env)).isEqualTo(Paths.get("/xdg/liberty-checkpoint"));
    env.put("LCP_CACHE_DIR", "/lcp");
    assertThat(BundledTool.cacheRoot(env)).as("the same cache as the base image scripts").isEqualTo(Paths.get("/lcp"));
    assertThat(BundledTool.unsupported("Linux", "amd64")).isNull();
    assertThat(BundledTool.unsupported("Linux", "x86_64")).isNull();
    assertThat(BundledTool.unsupported("Linux", "aarch64")).contains("linux-amd64 only");
    assertThat(BundledTool.unsupported("Mac OS X", "x86_64")).isNotNull();
  }
}
