package io.libertycheckpoint.gradle.tool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
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
 * The linux-amd64 {@code liberty-checkpoint} and {@code liberty-checkpoint-plugin} binaries that
 * ship inside the plugin jar, extracted once into a cache directory named by their checksum
 * ({@code ~/.cache/liberty-checkpoint/bin/<sha256>/}). Extraction writes a temporary directory,
 * checks every file against SHA256SUMS and renames the directory into place, so concurrent builds
 * never see a half-written binary.
 */
public final class BundledTool {
    /** Where the binaries live inside the jar. */
    public static final String RESOURCE_DIR = "META-INF/liberty-checkpoint/linux-amd64/";
    public static final String CLI = "liberty-checkpoint";
    public static final String PLUGIN = "liberty-checkpoint-plugin";
    public static final String SUMS = "SHA256SUMS";

    private final ClassLoader loader;

    public BundledTool(ClassLoader loader) {
        this.loader = loader;
    }

    /** True for the one platform the bundled binaries run on. */
    public static boolean supported(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /**
     * The cache root: $LCP_CACHE_DIR, else $XDG_CACHE_HOME/liberty-checkpoint, else
     * ~/.cache/liberty-checkpoint (the same place beta-image/local/rootfs.sh caches its rootfs).
     */
    public static Path defaultCacheRoot() {
        String lcp = System.getenv("LCP_CACHE_DIR");
        if (lcp != null && !lcp.isEmpty()) {
            return Paths.get(lcp);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Paths.get(xdg, "liberty-checkpoint");
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "liberty-checkpoint");
    }

    /** The expected sha256 of each bundled file, from SHA256SUMS. */
    public Map<String, String> sums() {
        byte[] raw = read(SUMS);
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : new String(raw, StandardCharsets.UTF_8).split("\n")) {
            line = line.trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+\\*?", 2);
            if (parts.length != 2 || parts[0].length() != 64) {
                throw broken("bad line in " + SUMS + ": " + line);
            }
            m.put(parts[1], parts[0]);
        }
        if (!m.containsKey(CLI) || !m.containsKey(PLUGIN)) {
            throw broken(SUMS + " does not list " + CLI + " and " + PLUGIN);
        }
        return m;
    }

    /** The checksum that names the cache directory: sha256 of SHA256SUMS. */
    public String key() {
        return hex(sha256().digest(read(SUMS)));
    }

    /**
     * Returns the extracted CLI under {@code cacheRoot/bin/<key>/}, extracting it first if needed.
     * The plugin binary sits next to it, where the CLI looks for it.
     */
    public Path extract(Path cacheRoot) {
        Map<String, String> sums = sums();
        Path binRoot = cacheRoot.resolve("bin");
        Path dir = binRoot.resolve(key());
        if (complete(dir, sums)) {
            return dir.resolve(CLI);
        }
        try {
            Files.createDirectories(binRoot);
            if (complete(dir, sums)) {
                return dir.resolve(CLI); // another build extracted it meanwhile
            }
            if (Files.exists(dir)) {
                // Only an atomic rename creates it, so this one was damaged after the fact: start over.
                deleteTree(dir);
            }
            Path tmp = Files.createTempDirectory(binRoot, ".extract-");
            try {
                for (Map.Entry<String, String> e : sums.entrySet()) {
                    Path target = tmp.resolve(e.getKey());
                    MessageDigest md = sha256();
                    try (InputStream in = open(e.getKey());
                            OutputStream out = new DigestOutputStream(Files.newOutputStream(target), md)) {
                        copy(in, out);
                    }
                    String got = hex(md.digest());
                    if (!got.equals(e.getValue())) {
                        throw broken(e.getKey() + " has sha256 " + got + ", " + SUMS + " says " + e.getValue());
                    }
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    // another build extracted the same binaries first
                } catch (IOException maybeRaced) {
                    if (!complete(dir, sums)) {
                        throw maybeRaced;
                    }
                }
            } finally {
                if (Files.exists(tmp)) {
                    deleteTree(tmp);
                }
            }
        } catch (IOException e) {
            throw ToolFailure.of("Unavailable", "cannot extract the bundled liberty-checkpoint binaries into " + binRoot
                    + ": " + e, "executable", "make " + cacheRoot + " writable (or set $LCP_CACHE_DIR), or point executable at a liberty-checkpoint binary");
        }
        if (!complete(dir, sums)) {
            throw broken("extraction into " + dir + " did not complete");
        }
        return dir.resolve(CLI);
    }

    private static boolean complete(Path dir, Map<String, String> sums) {
        for (String name : sums.keySet()) {
            Path f = dir.resolve(name);
            if (!Files.isRegularFile(f) || !Files.isExecutable(f)) {
                return false;
            }
        }
        return true;
    }

    private InputStream open(String name) {
        InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name);
        if (in == null) {
            throw broken(RESOURCE_DIR + name + " is missing from the plugin jar");
        }
        return in;
    }

    private byte[] read(String name) {
        try (InputStream in = open(name)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            copy(in, b);
            return b.toByteArray();
        } catch (IOException e) {
            throw broken("cannot read " + name + ": " + e);
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
    }

    private static ToolFailure broken(String what) {
        return ToolFailure.of("Internal", "the plugin jar's bundled binaries are broken: " + what, "executable",
                "rebuild the plugin (make gradle-shim), or point executable at a liberty-checkpoint binary");
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
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }
}
