package io.libertycheckpoint.gradle.functional;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.gradle.testkit.runner.GradleRunner;

/**
 * What the functional tests share: fixture projects copied into build/functional/&lt;test&gt;, a
 * GradleRunner on the TestKit-ready installation (see gradleTestInstallation in build.gradle) with
 * the plugin's classes (and the sha256 of the binaries) on its classpath; the war project resolves
 * the binaries, the real CLI with the fake engine plugin, from build/binaries-repo.
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

    /** A fresh copy of a project directory (without build/ and .gradle/) for one test. */
    static File copyProject(File from, String testName) throws IOException {
        Path to = new File(prop("lcp.work"), "projects/" + testName).toPath();
        if (Files.exists(to)) {
            try (Stream<Path> s = Files.walk(to)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(to.getParent());
        try (Stream<Path> s = Files.walk(from.toPath())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path rel = from.toPath().relativize(p);
                if (!rel.startsWith("build") && !rel.startsWith(".gradle")) {
                    Files.copy(p, to.resolve(rel.toString()));
                }
            }
        }
        return to.toFile();
    }

    /** The war fixture, with the repository of this build's binaries zip. */
    static File warProject(String testName) throws IOException {
        File p = copyProject(new File(repoRoot(), "gradle-shim/src/functionalTest/projects/war"), testName);
        append(new File(p, "build.gradle"), "\nrepositories { maven { url '" + prop("lcp.binariesRepo") + "' } }\n");
        return p;
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

    /** The plugin's classes and resources (from java-gradle-plugin's metadata), the pinned checksums among them. */
    static List<File> pluginClasspath() throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream("plugin-under-test-metadata.properties")) {
            meta.load(in);
        }
        List<File> cp = new ArrayList<>();
        for (String p : meta.getProperty("implementation-classpath").split(File.pathSeparator)) {
            cp.add(new File(p));
        }
        return cp;
    }

    /** A build of the project with the plugin and the bundle of the real CLI and the fake engine plugin. */
    static GradleRunner fakeBundle(File projectDir, String... args) throws IOException {
        List<String> a = new ArrayList<>();
        a.add("--stacktrace");
        a.addAll(java.util.Arrays.asList(args));
        return GradleRunner.create().withGradleInstallation(new File(prop("lcp.gradleInstallation")))
                .withTestKitDir(new File(prop("lcp.testKitDir"))).withProjectDir(projectDir)
                .withPluginClasspath(pluginClasspath()).withArguments(a);
    }

    /** The directory this host's binaries are extracted to: named by the sha256 of the zip. */
    static File extractedDir() throws Exception {
        File[] zips = new File(prop("lcp.bundle")).listFiles((d, n) -> n.endsWith(".zip"));
        if (zips == null || zips.length != 1) {
            throw new IllegalStateException("the test bundle " + prop("lcp.bundle") + " holds one zip, this host's (make bundle-test)");
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(zips[0].toPath()))) {
            hex.append(String.format("%02x", b));
        }
        return new File(System.getenv("XDG_CACHE_HOME"), "liberty-checkpoint/bin/" + hex);
    }

    /** Lines from..to (1-based, inclusive) of contract/events.jsonl. */
    static String golden(int from, int to) throws IOException {
        List<String> lines = Files.readAllLines(new File(repoRoot(), "contract/events.jsonl").toPath(), StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(from - 1, to)) + "\n";
    }

    /** True while the process of a pid file runs (zombies count as gone). */
    static boolean alive(File pidFile) throws IOException {
        Path stat = new File("/proc/" + read(pidFile).trim() + "/stat").toPath();
        try {
            String s = read(stat.toFile());
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }
}
