package io.libertycheckpoint.shim;

import java.io.ByteArrayOutputStream;
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
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The linux-amd64 {@code liberty-checkpoint} and {@code liberty-checkpoint-plugin} that ship in the
 * plugin jar ({@value #RESOURCE_DIR}, with a SHA256SUMS index). They are extracted once into
 * {@code <cache>/bin/<sha256 of SHA256SUMS>/}, where the cache is $LCP_CACHE_DIR, else
 * $XDG_CACHE_HOME/liberty-checkpoint, else ~/.cache/liberty-checkpoint (where the base image
 * scripts cache too): written to a temporary directory, checked against SHA256SUMS, made
 * executable and renamed into place in one step, so concurrent builds never see half a file.
 */
public final class BundledTool {
  /** Where the binaries live inside the jar. */
  public static final String RESOURCE_DIR = "META-INF/liberty-checkpoint/linux-amd64/";
  static final String CLI = "liberty-checkpoint";
  static final String SUMS = "SHA256SUMS";

  /** Opens a bundled file by name. */
  interface Source {
    InputStream open(String name) throws IOException;
  }

  private final Source source;

  BundledTool(Source source) {
    this.source = source;
  }

  /** The binaries in the jar that holds this class. */
  public static BundledTool ofJar() {
    return new BundledTool(name -> BundledTool.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name));
  }

  /** Why the bundled binaries cannot run here, or null. */
  static String unsupported(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    boolean ok = os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    return ok ? null : "the bundled liberty-checkpoint runs on linux-amd64 only, and this is " + osName + "/" + osArch;
  }

  /** The cache root, from the environment. */
  static Path cacheRoot(Map<String, String> env) {
    String lcp = env.get("LCP_CACHE_DIR");
    String xdg = env.get("XDG_CACHE_HOME");
    if (lcp != null && !lcp.isEmpty()) {
      return Paths.get(lcp);
    }
    return xdg != null && !xdg.isEmpty() ? Paths.get(xdg, "liberty-checkpoint")
        : Paths.get(System.getProperty("user.home"), ".cache", "liberty-checkpoint");
  }

  /** The checksum that names the extraction: sha256 of SHA256SUMS (the tool's identity for up-to-date checks). */
  public String key() throws IOException {
    return hex(sha256().digest(read(SUMS)));
  }

  private static final Object EXTRACTING = new Object();

  /** The CLI under cacheRoot/bin/&lt;key&gt;/, extracted first if needed; the plugin sits beside it. */
  @SuppressWarnings("try") // the lock is held by the try block, not used in it (javac -Xlint:try; gradle-shim builds with -Werror)
  Path extract(Path cacheRoot) throws IOException {
    byte[] sumsFile = read(SUMS);
    Map<String, String> sums = parseSums(new String(sumsFile, StandardCharsets.UTF_8));
    Path binRoot = cacheRoot.resolve("bin");
    Path dir = binRoot.resolve(hex(sha256().digest(sumsFile)));
    if (complete(dir, sums)) {
      return dir.resolve(CLI);
    }
    Files.createDirectories(binRoot);
    // One extraction at a time, across threads (a FileLock is per JVM) and across builds (the
    // FileLock): without it, a build that found a damaged directory could delete the one another
    // build had just renamed into place.
    synchronized (EXTRACTING) {
      try (FileChannel ch = FileChannel.open(binRoot.resolveSibling("bin.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        if (complete(dir, sums)) {
          return dir.resolve(CLI);
        }
        if (Files.exists(dir)) {
          deleteTree(dir); // only a rename creates it: this one was damaged after the fact
        }
        extractInto(binRoot, dir, sums);
      }
    }
    return dir.resolve(CLI);
  }

  private void extractInto(Path binRoot, Path dir, Map<String, String> sums) throws IOException {
    Path tmp = Files.createTempDirectory(binRoot, ".extract-");
    try {
      for (Map.Entry<String, String> f : sums.entrySet()) {
        Path target = tmp.resolve(f.getKey());
        MessageDigest md = sha256();
        try (InputStream in = open(f.getKey()); OutputStream out = new DigestOutputStream(Files.newOutputStream(target), md)) {
          copy(in, out);
        }
        String got = hex(md.digest());
        if (!got.equals(f.getValue())) {
          throw new IOException("the plugin jar is damaged: bundled " + f.getKey() + " has sha256 " + got + ", " + SUMS + " says " + f.getValue());
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(tmp);
    }
  }

  /** sha256sum output, "&lt;hex&gt;  &lt;name&gt;" per line; it must list the CLI. */
  static Map<String, String> parseSums(String text) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+\\*?", 2);
      if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}") || parts[1].contains("/") || parts[1].startsWith(".")) {
        throw new IOException("bad line in the plugin jar's " + SUMS + ": " + line);
      }
      files.put(parts[1], parts[0]);
    }
    if (!files.containsKey(CLI)) {
      throw new IOException("the plugin jar's " + SUMS + " does not list " + CLI);
    }
    return files;
  }

  private static boolean complete(Path dir, Map<String, String> sums) {
    for (String name : sums.keySet()) {
      if (!Files.isRegularFile(dir.resolve(name)) || !Files.isExecutable(dir.resolve(name))) {
        return false;
      }
    }
    return true;
  }

  private InputStream open(String name) throws IOException {
    InputStream in = source.open(name);
    if (in == null) {
      throw new IOException("the plugin jar has no " + RESOURCE_DIR + name + ": it was built without the Go binaries (make maven-shim / make gradle-shim)");
    }
    return in;
  }

  private byte[] read(String name) throws IOException {
    try (InputStream in = open(name)) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      copy(in, b);
      return b.toByteArray();
    }
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
