package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the bundled binaries: once, verified, executable, atomic. */
class BundledExecutableTest {
  @TempDir
  Path cache;

  /** A bundle held in memory, counting how often files are opened. */
  static final class Bundle implements BundledExecutable.Source {
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final AtomicInteger opens = new AtomicInteger();

    Bundle with(String name, String content) {
      files.put(name, content.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Bundle sums() throws Exception {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        b.append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(f.getValue())))
            .append("  ").append(f.getKey()).append('\n');
      }
      files.put(BundledExecutable.SUMS, b.toString().getBytes(StandardCharsets.UTF_8));
      return this;
    }

    @Override
    public java.io.InputStream open(String name) throws IOException {
      byte[] b = files.get(name);
      if (b == null) {
        throw new IOException("no " + name);
      }
      if (!name.equals(BundledExecutable.SUMS)) {
        opens.incrementAndGet();
      }
      return new ByteArrayInputStream(b);
    }
  }

  private static List<Path> leftovers(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".extract-")).toList();
    }
  }

  @Test
  void extractsOnceIntoADirectoryNamedByTheChecksum() throws Exception {
    Bundle b = new Bundle().with("liberty-checkpoint", "cli").with("liberty-checkpoint-plugin", "plugin").sums();
    Path cli = BundledExecutable.extract(cache, b);
    String key = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.files.get("SHA256SUMS")));
    assertThat(cli).isEqualTo(cache.resolve(key).resolve("liberty-checkpoint"));
    assertThat(cli.resolveSibling("liberty-checkpoint-plugin")).hasContent("plugin");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli))).isEqualTo("rwxr-xr-x");
    assertThat(b.opens).hasValue(2);
    assertThat(BundledExecutable.extract(cache, b)).isEqualTo(cli);
    assertThat(b.opens).as("the second run reuses the extracted files").hasValue(2);
    assertThat(leftovers(cache)).isEmpty();
  }

  @Test
  void anotherBundleGetsAnotherDirectory() throws Exception {
    Path one = BundledExecutable.extract(cache, new Bundle().with("liberty-checkpoint", "v1").sums());
    Path two = BundledExecutable.extract(cache, new Bundle().with("liberty-checkpoint", "v2").sums());
    assertThat(one.getParent()).isNotEqualTo(two.getParent());
    assertThat(two).hasContent("v2");
  }

  @Test
  void damagedFileIsRefusedAndNothingIsLeft() throws Exception {
    Bundle b = new Bundle().with("liberty-checkpoint", "cli").sums();
    b.files.put("liberty-checkpoint", "tampered".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> BundledExecutable.extract(cache, b)).isInstanceOf(IOException.class)
        .hasMessageContaining("bundled liberty-checkpoint has SHA-256").hasMessageContaining("damaged");
    try (Stream<Path> s = Files.list(cache)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void sumsMustListTheCliAndPlainNames() throws Exception {
    assertThatThrownBy(() -> BundledExecutable.extract(cache, new Bundle().with("other", "x").sums()))
        .hasMessageContaining("does not list liberty-checkpoint");
    assertThatThrownBy(() -> BundledExecutable.parseSums("abc  liberty-checkpoint\n")).hasMessageContaining("bad line");
    assertThatThrownBy(() -> BundledExecutable.parseSums("a".repeat(64) + "  ../evil\n")).hasMessageContaining("bad line");
  }

  @Test
  void concurrentBuildsAgreeOnOneDirectory() throws Exception {
    Bundle b = new Bundle().with("liberty-checkpoint", "x".repeat(1 << 20)).with("liberty-checkpoint-plugin", "y").sums();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<Path> c = () -> BundledExecutable.extract(cache, b);
        results.add(pool.submit(c));
      }
      Path first = results.get(0).get();
      for (Future<Path> f : results) {
        assertThat(f.get()).isEqualTo(first);
      }
      assertThat(Files.size(first)).isEqualTo(1 << 20);
    } finally {
      pool.shutdownNow();
    }
    assertThat(leftovers(cache)).isEmpty();
  }

  @Test
  void platformCheck() {
    assertThat(BundledExecutable.supported("Linux", "amd64")).isTrue();
    assertThat(BundledExecutable.supported("Linux", "x86_64")).isTrue();
    assertThat(BundledExecutable.unsupportedReason("Linux", "amd64")).isNull();
    assertThat(BundledExecutable.unsupportedReason("Mac OS X", "aarch64"))
        .contains("linux-amd64 only").contains("Mac OS X/aarch64")
        .contains("<executable> or -Dliberty.checkpoint.executable");
    assertThat(BundledExecutable.supported("Linux", "aarch64")).isFalse();
    assertThat(BundledExecutable.supported("Windows 11", "amd64")).isFalse();
  }

  /** The jar's real bundle (the binaries the build put in): extracts and runs. */
  @Test
  void theBuildsOwnBundleExtractsAndRuns() throws Exception {
    Path cli = BundledExecutable.extract(cache, BundledExecutable::openBundled);
    assertThat(cli.resolveSibling("liberty-checkpoint-plugin")).isExecutable();
    Process p = new ProcessBuilder(cli.toString(), "version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(out).startsWith("liberty-checkpoint ");
  }
}
