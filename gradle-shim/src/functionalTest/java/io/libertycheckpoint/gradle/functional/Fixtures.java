package io.libertycheckpoint.gradle.functional;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.gradle.testkit.runner.GradleRunner;

/**
 * What the functional tests share: fixture projects copied into build/functional/&lt;test&gt;, a
 * GradleRunner on the TestKit-ready installation (see gradleTestInstallation in build.gradle) with
 * the plugin's classes plus one set of bundled binaries on the plugin classpath.
 */
final class Fixtures {
    private Fixtures() {
    }

    static String prop(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new IllegalStateException("system property " + name + " is not set: run the tests with gradle functionalTest");
        }
        return v;
    }

    static File repoRoot() {
        return new File(prop("lcp.repoRoot"));
    }

    /** A fresh copy of src/functionalTest/projects/&lt;name&gt; (or any directory) for one test. */
    static File copyProject(File from, String testName) throws IOException {
        File to = new File(prop("lcp.work"), "projects/" + testName);
        deleteTree(to.toPath());
        Path src = from.toPath();
        Files.walkFileTree(src, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName().toString();
                if (!dir.equals(src) && (name.equals("build") || name.equals(".gradle"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.toPath().resolve(src.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.toPath().resolve(src.relativize(file)), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
        return to;
    }

    static File warProject(String testName) throws IOException {
        return copyProject(new File(repoRoot(), "gradle-shim/src/functionalTest/projects/war"), testName);
    }

    static void append(File file, String text) throws IOException {
        Files.write(file.toPath(), text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static void write(File file, String text) throws IOException {
        Files.createDirectories(file.getParentFile().toPath());
        Files.write(file.toPath(), text.getBytes(StandardCharsets.UTF_8));
    }

    static String read(File file) throws IOException {
        return new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    }

    static void executable(File file, String script) throws IOException {
        write(file, script);
        Files.setPosixFilePermissions(file.toPath(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The plugin's classes and resources (from java-gradle-plugin's metadata) plus a bundle root. */
    static List<File> pluginClasspath(String bundleRoot) throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream("plugin-under-test-metadata.properties")) {
            if (in == null) {
                throw new IllegalStateException("plugin-under-test-metadata.properties is not on the classpath");
            }
            meta.load(in);
        }
        List<File> cp = new ArrayList<>();
        for (String p : meta.getProperty("implementation-classpath").split(File.pathSeparator)) {
            cp.add(new File(p));
        }
        cp.add(new File(bundleRoot));
        return cp;
    }

    static GradleRunner runner(File projectDir, String bundleRoot, String... args) throws IOException {
        List<String> a = new ArrayList<>();
        a.add("--stacktrace");
        for (String s : args) {
            a.add(s);
        }
        return GradleRunner.create()
                .withGradleInstallation(new File(prop("lcp.gradleInstallation")))
                .withTestKitDir(new File(prop("lcp.testKitDir")))
                .withProjectDir(projectDir)
                .withPluginClasspath(pluginClasspath(bundleRoot))
                .withArguments(a);
    }

    /** Runs with the bundle of the real CLI and the fake engine plugin. */
    static GradleRunner fakeBundle(File projectDir, String... args) throws IOException {
        return runner(projectDir, prop("lcp.bundle"), args);
    }

    /** The directory the bundled binaries of a bundle root are extracted to. */
    static File extractedDir(String bundleRoot) throws Exception {
        File sums = new File(bundleRoot, "META-INF/liberty-checkpoint/linux-amd64/SHA256SUMS");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new FileInputStream(sums)) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : md.digest()) {
            hex.append(String.format("%02x", b));
        }
        return new File(System.getenv("XDG_CACHE_HOME"), "liberty-checkpoint/bin/" + hex);
    }

    /** Lines from..to (1-based, inclusive) of contract/events.jsonl. */
    static String golden(int from, int to) throws IOException {
        List<String> lines = Files.readAllLines(new File(repoRoot(), "contract/events.jsonl").toPath(),
                StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(from - 1, to)) + "\n";
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** True while the process of a pid file runs (zombies count as gone). */
    static boolean alive(File pidFile) throws IOException {
        String pid = read(pidFile).trim();
        Path stat = new File("/proc/" + pid + "/stat").toPath();
        if (!Files.exists(stat)) {
            return false;
        }
        String s;
        try {
            s = new String(Files.readAllBytes(stat), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return false;
        }
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }
}
