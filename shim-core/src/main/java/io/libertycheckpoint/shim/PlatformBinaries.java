package io.libertycheckpoint.shim;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The liberty-checkpoint CLI and its plugin for the machine the build runs on: the one place that
 * picks, fetches and checks them.
 *
 * <p>They are published per platform, as protoc and grpc-java publish theirs: the classifier
 * artifacts {@value #GROUP_ID}:{@value #ARTIFACT_ID}:&lt;version&gt;:{@value #TYPE}:&lt;classifier&gt;,
 * classifiers spelled as os-maven-plugin detects them ({@link #CLASSIFIERS}). A zip, not an exe:
 * the tool is two executables that must sit side by side, and zipped they are 16 MB instead of
 * 38 MB. The build tool resolves the one for this machine through its own repository system
 * ({@link Resolver}); this class checks it against the sha256 the plugin jar pins for it
 * ({@value #PINS}, written when the jar was built from the same zips) and extracts it once into
 * {@code <cache>/bin/<sha256>/}, where the cache is $LCP_CACHE_DIR, else
 * $XDG_CACHE_HOME/liberty-checkpoint, else ~/.cache/liberty-checkpoint: written to a temporary
 * directory, each file checked against the zip's own SHA256SUMS, made executable and renamed into
 * place in one step, so concurrent builds never see half a file. Once extracted, no repository is
 * asked again.
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
  static final String SUMS = "SHA256SUMS";

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
      return new PlatformBinaries(parsePins(new String(readAll(in), StandardCharsets.UTF_8)), System.getProperty("os.name"), System.getProperty("os.arch"));
    }
  }

  /** os-maven-plugin's os.detected.name: linux, osx, windows, or the name in lower case. */
  static String os(String osName) {
    String n = osName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
    if (n.startsWith("linux")) {
      return "linux";
    }
    if (n.startsWith("macosx") || n.startsWith("osx") || n.startsWith("darwin")) {
      return "osx";
    }
    if (n.startsWith("windows")) {
      return "windows";
    }
    return n.isEmpty() ? "unknown" : n;
  }

  /** os-maven-plugin's os.detected.arch: x86_64, aarch_64, or the name in lower case. */
  static String arch(String osArch) {
    String a = osArch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "");
    switch (a) {
      case "x8664":
      case "x86_64":
      case "amd64":
      case "em64t":
      case "ia32e":
      case "x64":
        return "x86_64";
      case "aarch64":
      case "arm64":
        return "aarch_64";
      default:
        return a.isEmpty() ? "unknown" : a;
    }
  }

  /** The classifier of a machine: osx-aarch_64, linux-x86_64, ... */
  public static String classifier(String osName, String osArch) {
    return os(osName) + "-" + arch(osArch);
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
    if (pins.containsKey(classifier)) {
      return null;
    }
    return "liberty-checkpoint is built for " + String.join(", ", pins.keySet()) + "; this machine is " + describe;
  }

  /** The pinned sha256 of this machine's zip: the tool's identity for up-to-date checks. */
  public String key() throws IOException {
    String why = unsupported();
    if (why != null) {
      throw new IOException(why);
    }
    return pins.get(classifier);
  }

  /** The artifact's coordinates for this machine. */
  public String coordinates(String version) {
    return GROUP_ID + ":" + ARTIFACT_ID + ":" + version + ":" + TYPE + ":" + classifier;
  }

  /**
   * The CLI under cacheRoot/bin/&lt;key&gt;/, with its plugin beside it; resolved and extracted first
   * if it is not there yet.
   */
  @SuppressWarnings("try") // the FileLock is held for the block, never referenced
  public Path executable(Resolver resolver, Path cacheRoot) throws IOException {
    String key = key();
    Path binRoot = cacheRoot.resolve("bin");
    Path dir = binRoot.resolve(key);
    if (complete(dir)) {
      return dir.resolve(cliName());
    }
    File zip = resolver.resolve(classifier);
    String got = hex(digest(zip.toPath()));
    if (!got.equals(key)) {
      throw new IOException(zip + " has sha256 " + got + " but this plugin was built with " + key
          + " for " + classifier + ": the artifact is damaged or not the one of this plugin's version");
    }
    Files.createDirectories(binRoot);
    // One extraction at a time, across threads (a FileLock is per JVM) and across builds (the
    // FileLock): without it, a build that found a damaged directory could delete the one another
    // build had just renamed into place.
    synchronized (EXTRACTING) {
      try (FileChannel ch = FileChannel.open(binRoot.resolveSibling("bin.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        if (complete(dir)) {
          return dir.resolve(cliName());
        }
        if (Files.exists(dir)) {
          deleteTree(dir); // only a rename creates it: this one was damaged after the fact
        }
        extractInto(zip, binRoot, dir);
      }
    }
    return dir.resolve(cliName());
  }

  private static final Object EXTRACTING = new Object();

  /** Extracts zip into a temporary directory under binRoot, checks it and renames it to dir. */
  private void extractInto(File zip, Path binRoot, Path dir) throws IOException {
    Path tmp = Files.createTempDirectory(binRoot, ".extract-");
    try {
      Map<String, byte[]> unchecked = new LinkedHashMap<>();
      Map<String, String> written = new LinkedHashMap<>();
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip.toPath()))) {
        for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
          String name = e.getName();
          if (e.isDirectory() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IOException(zip + " holds " + name + ": not a liberty-checkpoint binaries zip");
          }
          if (name.equals(SUMS)) {
            unchecked.put(name, readAll(in));
            continue;
          }
          MessageDigest md = sha256();
          try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp.resolve(name)), md)) {
            copy(in, out);
          }
          written.put(name, hex(md.digest()));
        }
      }
      if (!unchecked.containsKey(SUMS)) {
        throw new IOException(zip + " has no " + SUMS);
      }
      Map<String, String> sums = parseSums(new String(unchecked.get(SUMS), StandardCharsets.UTF_8), cliName());
      for (String name : written.keySet()) {
        if (!sums.containsKey(name)) {
          throw new IOException(zip + " holds " + name + ", which its " + SUMS + " does not list");
        }
      }
      for (Map.Entry<String, String> f : sums.entrySet()) {
        String sum = written.get(f.getKey());
        if (sum == null) {
          throw new IOException(zip + " lacks " + f.getKey() + ", which its " + SUMS + " lists");
        }
        if (!sum.equals(f.getValue())) {
          throw new IOException(zip + " is damaged: " + f.getKey() + " has sha256 " + sum + ", its " + SUMS + " says " + f.getValue());
        }
        executable(tmp.resolve(f.getKey()), "rwxr-xr-x");
      }
      Files.write(tmp.resolve(SUMS), unchecked.get(SUMS));
      executable(tmp, "rwxr-xr-x");
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

  /** The pins: {@code <sha256>  <classifier>.zip} lines. */
  static Map<String, String> parsePins(String text) throws IOException {
    Map<String, String> pins = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : parseLines(text, PINS).entrySet()) {
      if (!e.getKey().endsWith("." + TYPE)) {
        throw new IOException("bad line in the plugin jar's " + PINS + ": " + e.getKey() + " is not a ." + TYPE);
      }
      pins.put(e.getKey().substring(0, e.getKey().length() - TYPE.length() - 1), e.getValue());
    }
    return pins;
  }

  /** sha256sum output, "&lt;hex&gt;  &lt;name&gt;" per line; it must list the CLI. */
  static Map<String, String> parseSums(String text, String cli) throws IOException {
    Map<String, String> files = parseLines(text, SUMS);
    if (!files.containsKey(cli)) {
      throw new IOException("the binaries' " + SUMS + " does not list " + cli);
    }
    return files;
  }

  private static Map<String, String> parseLines(String text, String what) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+\\*?", 2);
      if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}") || parts[1].contains("/") || parts[1].contains("\\") || parts[1].startsWith(".")) {
        throw new IOException("bad line in " + what + ": " + line);
      }
      files.put(parts[1], parts[0]);
    }
    return files;
  }

  private boolean complete(Path dir) {
    Path sums = dir.resolve(SUMS);
    Map<String, String> files;
    try {
      files = parseSums(new String(Files.readAllBytes(sums), StandardCharsets.UTF_8), cliName());
    } catch (IOException missingOrDamaged) {
      return false;
    }
    for (String name : files.keySet()) {
      if (!Files.isRegularFile(dir.resolve(name)) || !Files.isExecutable(dir.resolve(name))) {
        return false;
      }
    }
    return true;
  }

  private static void executable(Path p, String perms) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    } catch (UnsupportedOperationException windows) {
      p.toFile().setExecutable(true, false);
    }
  }

  private static byte[] digest(Path file) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      copy(in, new ByteArrayOutputStream() {
        @Override
        public void write(byte[] b, int off, int len) {
          // the digest is all we want
        }
      });
    }
    return md.digest();
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    copy(in, b);
    return b.toByteArray();
  }

  static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder(b.length * 2);
    for (byte x : b) {
      s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return s.toString();
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(q);
      }
    }
  }
}
