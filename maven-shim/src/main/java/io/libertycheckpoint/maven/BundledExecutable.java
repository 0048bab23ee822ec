package io.libertycheckpoint.maven;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The liberty-checkpoint binaries this plugin carries (linux-amd64): whatever files the build put
 * in the jar, listed with their SHA-256 in SHA256SUMS. They are extracted once into
 * {@code $XDG_CACHE_HOME/liberty-checkpoint/bin/<sha256 of SHA256SUMS>/} (default
 * {@code ~/.cache}), checked against their checksums, made executable, and moved into place in one
 * atomic rename, so concurrent builds never see half a directory.
 */
public final class BundledExecutable {
  /** The CLI's file name; the plugin binary sits beside it, where the CLI looks for it. */
  public static final String CLI = "liberty-checkpoint";

  static final String BUNDLE = "bundle/linux-amd64/";
  static final String SUMS = "SHA256SUMS";

  /** Opens a bundled file by name. */
  @FunctionalInterface
  interface Source {
    InputStream open(String name) throws IOException;
  }

  private BundledExecutable() {}

  /** True where the bundled binaries run. */
  public static boolean supported(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  /** Why this platform needs {@code <executable>}, or null when the bundled binaries run here. */
  public static String unsupportedReason(String osName, String osArch) {
    if (supported(osName, osArch)) {
      return null;
    }
    return "this plugin carries liberty-checkpoint for linux-amd64 only, and this is " + osName + "/" + osArch
        + "\n  fix: build liberty-checkpoint and liberty-checkpoint-plugin for this platform (they must sit side by side)"
        + " and set " + Settings.mavenSpelling("executable") + " to the liberty-checkpoint binary";
  }

  /** The cache root: $XDG_CACHE_HOME/liberty-checkpoint/bin, else ~/.cache/liberty-checkpoint/bin. */
  public static Path cacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && Paths.get(xdg).isAbsolute()
        ? Paths.get(xdg)
        : Paths.get(System.getProperty("user.home"), ".cache");
    return base.resolve("liberty-checkpoint").resolve("bin");
  }

  /** Extracts the jar's binaries (once) and returns the CLI's path. */
  public static Path extract() throws IOException {
    return extract(cacheRoot(), BundledExecutable::openBundled);
  }

  /** Opens a file of the jar's bundle. */
  static InputStream openBundled(String name) throws IOException {
    InputStream in = BundledExecutable.class.getResourceAsStream(BUNDLE + name);
    if (in == null) {
      throw new IOException("the plugin jar has no " + BUNDLE + name + ": it was built without the Go binaries (make maven-shim)");
    }
    return in;
  }

  static Path extract(Path root, Source source) throws IOException {
    byte[] sums;
    try (InputStream in = source.open(SUMS)) {
      sums = in.readAllBytes();
    }
    Map<String, String> files = parseSums(new String(sums, StandardCharsets.UTF_8));
    if (!files.containsKey(CLI)) {
      throw new IOException("the plugin jar's " + SUMS + " does not list " + CLI);
    }
    Path dir = root.resolve(HexFormat.of().formatHex(sha256().digest(sums)));
    if (complete(dir, files)) {
      return dir.resolve(CLI);
    }
    Files.createDirectories(root);
    Path tmp = Files.createTempDirectory(root, ".extract-");
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path target = tmp.resolve(f.getKey());
        MessageDigest digest = sha256();
        try (InputStream in = source.open(f.getKey());
            OutputStream out = new DigestOutputStream(Files.newOutputStream(target), digest)) {
          in.transferTo(out);
        }
        String got = HexFormat.of().formatHex(digest.digest());
        if (!got.equals(f.getValue())) {
          throw new IOException("bundled " + f.getKey() + " has SHA-256 " + got + ", expected " + f.getValue()
              + ": the plugin jar is damaged; download it again");
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        // another build got there first (the target exists and is not empty)
        if (!complete(dir, files)) {
          throw new IOException("cannot move the extracted binaries to " + dir + " (" + raced + "); remove that directory and retry", raced);
        }
      }
      return dir.resolve(CLI);
    } finally {
      deleteTree(tmp);
    }
  }

  /** Parses sha256sum output: "<hex>  <name>" per line. */
  static Map<String, String> parseSums(String text) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+\\*?", 2);
      if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}") || parts[1].contains("/") || parts[1].startsWith(".")) {
        throw new IOException("bad line in the plugin jar's " + SUMS + ": " + line);
      }
      files.put(parts[1], parts[0]);
    }
    return files;
  }

  private static boolean complete(Path dir, Map<String, String> files) {
    return files.keySet().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)) && Files.isExecutable(dir.resolve(f)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.deleteIfExists(x);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
