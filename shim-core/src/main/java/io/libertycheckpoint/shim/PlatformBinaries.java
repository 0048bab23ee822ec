package io.libertycheckpoint.shim;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Scanner;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The liberty-checkpoint CLI and its plugin for the machine the build runs on: the one place that
 * picks, fetches and checks them.
 *
 * <p>They are published per platform, as protoc and grpc-java publish theirs: the classifier
 * artifacts {@value #GROUP_ID}:{@value #ARTIFACT_ID}:&lt;version&gt;:{@value #TYPE}:&lt;classifier&gt;,
 * classifiers spelled as os-maven-plugin detects them ({@link #CLASSIFIERS}). A zip: the tool is two
 * executables that must sit side by side. The build tool resolves the one for this machine through
 * its own repository system ({@link Resolver}); this class checks it against the sha256 the plugin
 * jar pins for it ({@value #PINS}, written when the jar was built from the same zips) and extracts
 * it once into {@code <cache>/bin/<sha256>/}, where the cache is $LCP_CACHE_DIR, else
 * $XDG_CACHE_HOME/liberty-checkpoint, else ~/.cache/liberty-checkpoint: into a temporary directory,
 * made executable and renamed into place in one step, so concurrent builds never see half a file.
 * Once extracted, no repository is asked again.
 */
public final class PlatformBinaries {
  public static final String GROUP_ID = "io.libertycheckpoint";
  public static final String ARTIFACT_ID = "liberty-checkpoint-binaries";
  public static final String TYPE = "zip";
  /** The sha256 of each platform's zip, in the plugin jar: {@code <sha256>  <classifier>.zip} lines. */
  public static final String PINS = "META-INF/liberty-checkpoint/SHA256SUMS";
  /** The platforms liberty-checkpoint is built for (make cross), as os-maven-plugin names them. */
  public static final List<String> CLASSIFIERS = Collections.unmodifiableList(
      Arrays.asList("linux-x86_64", "linux-aarch_64", "osx-x86_64", "osx-aarch_64", "windows-x86_64"));
  /** The zip's list of its files (sha256sum's output), kept in the extracted directory. */
  static final String SUMS = "SHA256SUMS";
  private static final Object EXTRACTING = new Object();

  /** Resolves the artifact of a classifier through the build tool's repositories; the message of a failure names it. */
  public interface Resolver {
    File resolve(String classifier) throws IOException;
  }

  private final Map<String, String> pins;
  private final String classifier;
  private final String describe;

  PlatformBinaries(Map<String, String> pins, String osName, String osArch) {
    this.pins = pins;
    this.classifier = classifier(osName, osArch);
    this.describe = classifier + " (os.name " + osName + ", os.arch " + osArch + ")";
  }

  /** For this machine, with the sums pinned in the jar that holds this class. */
  public static PlatformBinaries ofJar() throws IOException {
    try (InputStream in = PlatformBinaries.class.getClassLoader().getResourceAsStream(PINS)) {
      if (in == null) {
        throw new IOException("the plugin jar has no " + PINS + ": it was built without the binaries' checksums (make maven-shim / make gradle-shim)");
      }
      return new PlatformBinaries(parsePins(text(in)), System.getProperty("os.name"), System.getProperty("os.arch"));
    }
  }

  /** The classifier of a machine as os-maven-plugin's os.detected.name and .arch: osx-aarch_64, linux-x86_64, ... */
  public static String classifier(String osName, String osArch) {
    String n = osName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
    String os = n.startsWith("linux") ? "linux" : n.matches("(macosx|osx|darwin).*") ? "osx" : n.startsWith("windows") ? "windows" : n;
    String a = osArch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "");
    String arch = a.matches("x8664|x86_64|amd64|em64t|ia32e|x64") ? "x86_64" : a.matches("aarch64|arm64") ? "aarch_64" : a;
    return (os.isEmpty() ? "unknown" : os) + "-" + (arch.isEmpty() ? "unknown" : arch);
  }

  /** This machine's classifier. */
  public String classifier() {
    return classifier;
  }

  /** The CLI's file name on this machine (with .exe on Windows). */
  String cliName() {
    return "liberty-checkpoint" + (classifier.startsWith("windows-") ? ".exe" : "");
  }

  /** Why no binaries exist for this machine, or null. */
  public String unsupported() {
    return pins.containsKey(classifier) ? null
        : "liberty-checkpoint is built for " + String.join(", ", pins.keySet()) + "; this machine is " + describe;
  }

  /** The pinned sha256 of this machine's zip: the tool's identity for up-to-date checks. */
  public String key() throws IOException {
    if (unsupported() != null) {
      throw new IOException(unsupported());
    }
    return pins.get(classifier);
  }

  /** The CLI under cacheRoot/bin/&lt;key&gt;/, with its plugin beside it; resolved and extracted first if it is not there yet. */
  @SuppressWarnings("try") // the FileLock is held for the block, never referenced
  public Path executable(Resolver resolver, Path cacheRoot) throws IOException {
    Path binRoot = cacheRoot.resolve("bin");
    Path dir = binRoot.resolve(key());
    if (complete(dir)) {
      return dir.resolve(cliName());
    }
    File zip = resolver.resolve(classifier);
    String got = sha256(Files.readAllBytes(zip.toPath()));
    if (!got.equals(key())) {
      throw new IOException(zip + " has sha256 " + got + " but this plugin was built with " + key()
          + " for " + classifier + ": the artifact is damaged or not the one of this plugin's version");
    }
    Files.createDirectories(binRoot);
    // One extraction at a time, across threads (a FileLock is per JVM) and across builds (the
    // FileLock): without it, a build that found a damaged directory could delete the one another
    // build had just renamed into place.
    synchronized (EXTRACTING) {
      try (FileChannel ch = FileChannel.open(binRoot.resolveSibling("bin.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        if (!complete(dir)) {
          deleteTree(dir); // only a rename creates it: this one was damaged after the fact
          extractInto(zip, binRoot, dir);
        }
      }
    }
    return dir.resolve(cliName());
  }

  /** Extracts the (pinned) zip into a temporary directory under binRoot and renames it to dir. */
  private void extractInto(File zip, Path binRoot, Path dir) throws IOException {
    Path tmp = Files.createTempDirectory(binRoot, ".extract-");
    try {
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip.toPath()))) {
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
          if (e.isDirectory() || !e.getName().matches("[^/\\\\.][^/\\\\]*")) {
            throw new IOException(zip + " holds " + e.getName() + ": not a liberty-checkpoint binaries zip");
          }
          Files.copy(in, tmp.resolve(e.getName()));
          tmp.resolve(e.getName()).toFile().setExecutable(true, false);
        }
      }
      if (!complete(tmp)) {
        throw new IOException(zip + " lacks a file its " + SUMS + " lists, or the " + SUMS + " that lists " + cliName());
      }
      tmp.toFile().setExecutable(true, false);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(tmp);
    }
  }

  /** The cache root, from the environment. */
  public static Path cacheRoot(Map<String, String> env) {
    String lcp = env.get("LCP_CACHE_DIR");
    String xdg = env.get("XDG_CACHE_HOME");
    if (lcp != null && !lcp.isEmpty()) {
      return Paths.get(lcp);
    }
    return xdg != null && !xdg.isEmpty() ? Paths.get(xdg, "liberty-checkpoint")
        : Paths.get(System.getProperty("user.home"), ".cache", "liberty-checkpoint");
  }

  /** The pins: {@code <sha256>  <classifier>.zip} lines, by classifier. */
  static Map<String, String> parsePins(String text) throws IOException {
    Map<String, String> pins = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : sums(text, PINS).entrySet()) {
      if (!e.getKey().endsWith("." + TYPE)) {
        throw new IOException("bad line in the plugin jar's " + PINS + ": " + e.getKey() + " is not a ." + TYPE);
      }
      pins.put(e.getKey().substring(0, e.getKey().length() - TYPE.length() - 1), e.getValue());
    }
    return pins;
  }

  /** sha256sum's output, {@code <hex>  <name>} per line, by name. */
  private static Map<String, String> sums(String text, String what) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    for (String line : text.trim().isEmpty() ? new String[0] : text.trim().split("\\s*\n\\s*")) {
      String[] parts = line.split("\\s+\\*?", 2);
      if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}") || !parts[1].matches("[^/\\\\.][^/\\\\]*")) {
        throw new IOException("bad line in " + what + ": " + line);
      }
      files.put(parts[1], parts[0]);
    }
    return files;
  }

  /** True when dir holds a SUMS that lists the CLI, and every file it lists, executable. */
  private boolean complete(Path dir) {
    try {
      Map<String, String> files = sums(new String(Files.readAllBytes(dir.resolve(SUMS)), StandardCharsets.UTF_8), SUMS);
      return files.containsKey(cliName()) && files.keySet().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)) && Files.isExecutable(dir.resolve(f)));
    } catch (IOException missingOrDamaged) {
      return false;
    }
  }

  private static String text(InputStream in) {
    try (Scanner s = new Scanner(in, "UTF-8")) {
      return s.useDelimiter("\\A").hasNext() ? s.next() : "";
    }
  }

  static String sha256(byte[] b) {
    try {
      return String.format("%064x", new BigInteger(1, MessageDigest.getInstance("SHA-256").digest(b)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Removes a file or a directory with everything in it; nothing when it does not exist. */
  static void deleteTree(Path p) throws IOException {
    if (Files.exists(p)) {
      try (Stream<Path> walk = Files.walk(p)) {
        for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(q);
        }
      }
    }
  }
}
