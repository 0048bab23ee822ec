package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which binaries a machine gets, and their resolution: checked against the pinned sum, extracted once, atomic, shared. */
class PlatformBinariesTest {
  static final byte[] CLI = "#!/bin/sh\necho cli\n".getBytes(StandardCharsets.UTF_8);
  static final byte[] PLUGIN = "#!/bin/sh\necho plugin\n".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path tmp;

  /** The os.name and os.arch values the JVMs of each platform report, and what os-maven-plugin (and so protoc's artifacts) call them. */
  @ParameterizedTest
  @CsvSource({
      "Linux, amd64, linux-x86_64, liberty-checkpoint",
      "Linux, x86_64, linux-x86_64, liberty-checkpoint",
      "Linux, aarch64, linux-aarch_64, liberty-checkpoint",
      "Mac OS X, x86_64, osx-x86_64, liberty-checkpoint",
      "Mac OS X, aarch64, osx-aarch_64, liberty-checkpoint",
      "Darwin, arm64, osx-aarch_64, liberty-checkpoint",
      "Windows 11, amd64, windows-x86_64, liberty-checkpoint.exe",
      "Windows Server 2022, x86_64, windows-x86_64, liberty-checkpoint.exe",
  })
  void everySupportedPlatformGetsItsClassifier(String osName, String osArch, String classifier, String cli) {
    PlatformBinaries b = new PlatformBinaries(allPlatforms(), osName, osArch);
    assertThat(b.classifier()).isEqualTo(classifier);
    assertThat(b.unsupported()).isNull();
    assertThat(b.cliName()).isEqualTo(cli);
    assertThat(PlatformBinaries.CLASSIFIERS).contains(classifier);
  }

  @ParameterizedTest
  @CsvSource({
      "Windows 11, aarch64, windows-aarch_64",
      "Linux, ppc64le, linux-ppc64le",
      "Linux, s390x, linux-s390x",
      "FreeBSD, amd64, freebsd-x86_64",
  })
  void anUnsupportedPlatformIsNamedWithWhatExists(String osName, String osArch, String classifier) throws Exception {
    PlatformBinaries b = new PlatformBinaries(allPlatforms(), osName, osArch);
    assertThat(b.classifier()).isEqualTo(classifier);
    assertThat(b.unsupported()).isEqualTo("liberty-checkpoint is built for linux-x86_64, linux-aarch_64, osx-x86_64, osx-aarch_64, windows-x86_64;"
        + " this machine is " + classifier + " (os.name " + osName + ", os.arch " + osArch + ")");
    assertThatThrownBy(() -> b.executable(c -> {
      throw new AssertionError("nothing to resolve");
    }, tmp)).hasMessageContaining("this machine is " + classifier);
  }

  /** The shim names the executable setting, spelled the build tool's way, when this machine has no binaries. */
  @Test
  void aMissingPlatformFailsTheGoalNamingTheExecutableSetting() throws Exception {
    String os = System.getProperty("os.name");
    try {
      System.setProperty("os.name", "Plan 9");
      Settings t = Settings.bundled();
      Invocation inv = Invocation.of(t, t.goal("doctor"), k -> null, k -> null, k -> null, new Project(tmp.toFile(), "s", "1", null), BuildTool.GRADLE);
      assertThatThrownBy(() -> new Shim(t, BuildTool.GRADLE, new Log() {
        @Override
        public void log(Level level, String line) {
        }

        @Override
        public boolean isDebug() {
          return false;
        }
      }, c -> {
        throw new AssertionError("nothing to resolve");
      }).run(inv, tmp.toFile(), () -> false))
          .hasMessageContaining("this machine is plan9-")
          .hasMessageContaining("set libertyCheckpoint { executable = '...' } or -Pliberty.checkpoint.executable=... to the liberty-checkpoint binary")
          .satisfies(f -> assertThat(((ShimFailure) f).kind()).isEqualTo(ShimFailure.Kind.CANNOT_RUN));
    } finally {
      System.setProperty("os.name", os);
    }
  }

  @Test
  void resolvesOnceExtractsCheckedAndExecutable() throws Exception {
    Path zip = zip(tmp.resolve("a.zip"), sums(sha(CLI)), true);
    PlatformBinaries b = new PlatformBinaries(pins("linux-x86_64", zip), "Linux", "amd64");
    AtomicInteger resolved = new AtomicInteger();
    PlatformBinaries.Resolver r = c -> {
      assertThat(c).isEqualTo("linux-x86_64");
      resolved.incrementAndGet();
      return zip.toFile();
    };
    Path cache = tmp.resolve("cache");
    Path cli = b.executable(r, cache);
    assertThat(cli).isEqualTo(cache.resolve("bin").resolve(b.key()).resolve("liberty-checkpoint"));
    assertThat(cli).hasBinaryContent(CLI).isExecutable();
    assertThat(cli.resolveSibling("liberty-checkpoint-plugin")).hasBinaryContent(PLUGIN).isExecutable();
    long modified = Files.getLastModifiedTime(cli).toMillis();
    Thread.sleep(20);
    assertThat(b.executable(r, cache)).isEqualTo(cli);
    assertThat(resolved).as("extracted binaries need no repository").hasValue(1);
    assertThat(Files.getLastModifiedTime(cli).toMillis()).as("not extracted again").isEqualTo(modified);
    Files.delete(cli.resolveSibling("liberty-checkpoint-plugin"));
    assertThat(b.executable(r, cache)).isEqualTo(cli);
    assertThat(resolved).hasValue(2);
    assertThat(cli.resolveSibling("liberty-checkpoint-plugin")).as("a damaged directory is replaced").hasBinaryContent(PLUGIN);
    assertThat(list(cache.resolve("bin"))).hasSize(1);
  }

  @Test
  void anArtifactOtherThanThePinnedOneIsRefusedAndLeavesNothing() throws Exception {
    Path pinned = zip(tmp.resolve("pinned.zip"), sums(sha(CLI)), true);
    Path other = zip(tmp.resolve("other.zip"), sums(sha(CLI)), false);
    PlatformBinaries b = new PlatformBinaries(pins("osx-aarch_64", pinned), "Mac OS X", "aarch64");
    Path cache = tmp.resolve("cache");
    assertThatThrownBy(() -> b.executable(c -> other.toFile(), cache))
        .hasMessageContaining("other.zip has sha256 " + sha(Files.readAllBytes(other)) + " but this plugin was built with " + b.key() + " for osx-aarch_64");
    assertThat(cache.resolve("bin")).doesNotExist();

    // A pinned zip that lacks a file its own SHA256SUMS lists (the plugin): refused, nothing left.
    Path bad = zip(tmp.resolve("bad.zip"), sums(sha(CLI)), false);
    PlatformBinaries b2 = new PlatformBinaries(pins("osx-aarch_64", bad), "Mac OS X", "aarch64");
    assertThatThrownBy(() -> b2.executable(c -> bad.toFile(), cache)).hasMessageContaining("lacks a file its SHA256SUMS lists");
    assertThat(list(cache.resolve("bin"))).isEmpty();
    assertThatThrownBy(() -> PlatformBinaries.parsePins(sha(CLI) + "  ../escape.zip\n")).hasMessageContaining("bad line");
    assertThatThrownBy(() -> PlatformBinaries.parsePins(sha(CLI) + "  linux-x86_64.jar\n")).hasMessageContaining("is not a .zip");
  }

  @Test
  void concurrentBuildsShareOneExtraction() throws Exception {
    Path zip = zip(tmp.resolve("a.zip"), sums(sha(CLI)), true);
    Path cache = tmp.resolve("cache");
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(pool.submit(() -> new PlatformBinaries(pins("linux-aarch_64", zip), "Linux", "aarch64").executable(c -> zip.toFile(), cache)));
      }
      Set<Path> paths = new HashSet<>();
      for (Future<Path> f : results) {
        paths.add(f.get());
      }
      assertThat(paths).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(list(cache.resolve("bin"))).as("no temporary directories left").hasSize(1);
  }

  @Test
  void cacheRoot() {
    Map<String, String> env = new HashMap<>();
    assertThat(PlatformBinaries.cacheRoot(env)).isEqualTo(Paths.get(System.getProperty("user.home"), ".cache", "liberty-checkpoint"));
    env.put("XDG_CACHE_HOME", "/xdg");
    assertThat(PlatformBinaries.cacheRoot(env)).isEqualTo(Paths.get("/xdg/liberty-checkpoint"));
    env.put("LCP_CACHE_DIR", "/lcp");
    assertThat(PlatformBinaries.cacheRoot(env)).as("the same cache as the base image scripts").isEqualTo(Paths.get("/lcp"));
  }

  private static Map<String, String> allPlatforms() {
    Map<String, String> pins = new LinkedHashMap<>();
    for (String c : PlatformBinaries.CLASSIFIERS) {
      pins.put(c, sha(c.getBytes(StandardCharsets.UTF_8)));
    }
    return pins;
  }

  private static Map<String, String> pins(String classifier, Path zip) throws IOException {
    Map<String, String> pins = new LinkedHashMap<>();
    pins.put(classifier, sha(Files.readAllBytes(zip)));
    return pins;
  }

  private static String sums(String cliSum) {
    return cliSum + "  liberty-checkpoint\n" + sha(PLUGIN) + "  liberty-checkpoint-plugin\n";
  }

  /** A zip as hack/bundle.sh makes it; withPlugin false leaves the plugin out. */
  private static Path zip(Path at, String sums, boolean withPlugin) throws IOException {
    try (OutputStream f = Files.newOutputStream(at); ZipOutputStream z = new ZipOutputStream(f)) {
      put(z, "liberty-checkpoint", CLI);
      if (withPlugin) {
        put(z, "liberty-checkpoint-plugin", PLUGIN);
      }
      put(z, "SHA256SUMS", sums.getBytes(StandardCharsets.UTF_8));
    }
    return at;
  }

  private static void put(ZipOutputStream z, String name, byte[] b) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(b);
    z.closeEntry();
  }

  static String sha(byte[] b) {
    return PlatformBinaries.sha256(b);
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(out::add);
    }
    return out;
  }
}
