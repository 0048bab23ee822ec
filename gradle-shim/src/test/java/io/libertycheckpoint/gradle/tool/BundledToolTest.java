package io.libertycheckpoint.gradle.tool;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BundledToolTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final byte[] CLI = "#!/bin/sh\necho cli\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PLUGIN = "#!/bin/sh\necho plugin\n".getBytes(StandardCharsets.UTF_8);

    /** A class loader that sees a bundle like the jar's; sums can be given wrong on purpose. */
    private ClassLoader bundle(String cliSum) throws Exception {
        File root = tmp.newFolder();
        Path dir = root.toPath().resolve(BundledTool.RESOURCE_DIR);
        Files.createDirectories(dir);
        Files.write(dir.resolve("liberty-checkpoint"), CLI);
        Files.write(dir.resolve("liberty-checkpoint-plugin"), PLUGIN);
        Files.write(dir.resolve("SHA256SUMS"), (cliSum + "  liberty-checkpoint\n" + sha(PLUGIN) + "  liberty-checkpoint-plugin\n")
                .getBytes(StandardCharsets.UTF_8));
        return new URLClassLoader(new URL[] {root.toURI().toURL()}, null);
    }

    private static String sha(byte[] b) throws Exception {
        return BundledTool.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    public void extractsOnceIntoADirectoryNamedByChecksum() throws Exception {
        BundledTool tool = new BundledTool(bundle(sha(CLI)));
        Path cache = tmp.newFolder("cache").toPath();
        Path cli = tool.extract(cache);
        assertEquals(cache.resolve("bin").resolve(tool.key()).resolve("liberty-checkpoint"), cli);
        assertEquals(64, tool.key().length());
        assertArrayEquals(CLI, Files.readAllBytes(cli));
        assertArrayEquals(PLUGIN, Files.readAllBytes(cli.resolveSibling("liberty-checkpoint-plugin")));
        assertTrue(Files.isExecutable(cli));
        assertTrue(Files.isExecutable(cli.resolveSibling("liberty-checkpoint-plugin")));

        long modified = Files.getLastModifiedTime(cli).toMillis();
        Thread.sleep(20);
        assertEquals(cli, tool.extract(cache));
        assertEquals("not extracted again", modified, Files.getLastModifiedTime(cli).toMillis());
        assertEquals(1, list(cache.resolve("bin")).size());
    }

    @Test
    public void aDamagedDirectoryIsReplaced() throws Exception {
        BundledTool tool = new BundledTool(bundle(sha(CLI)));
        Path cache = tmp.newFolder("cache").toPath();
        Path cli = tool.extract(cache);
        Files.delete(cli.resolveSibling("liberty-checkpoint-plugin"));
        assertEquals(cli, tool.extract(cache));
        assertArrayEquals(PLUGIN, Files.readAllBytes(cli.resolveSibling("liberty-checkpoint-plugin")));
    }

    @Test
    public void aWrongChecksumFailsAndLeavesNothing() throws Exception {
        BundledTool tool = new BundledTool(bundle(sha("other".getBytes(StandardCharsets.UTF_8))));
        Path cache = tmp.newFolder("cache").toPath();
        try {
            tool.extract(cache);
            fail("extracted a binary with the wrong checksum");
        } catch (ToolFailure f) {
            assertTrue(f.getMessage(), f.getMessage().contains("liberty-checkpoint has sha256"));
            assertEquals("executable", f.setting());
        }
        assertEquals(new ArrayList<Path>(), list(cache.resolve("bin")));
    }

    @Test
    public void concurrentBuildsShareOneExtraction() throws Exception {
        ClassLoader cl = bundle(sha(CLI));
        Path cache = tmp.newFolder("cache").toPath();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(pool.submit(() -> new BundledTool(cl).extract(cache)));
            }
            Set<Path> paths = new HashSet<>();
            for (Future<Path> f : results) {
                Path p = f.get();
                assertArrayEquals(CLI, Files.readAllBytes(p));
                paths.add(p);
            }
            assertEquals(1, paths.size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals("no temporary directories left", 1, list(cache.resolve("bin")).size());
    }

    @Test
    public void missingBundleSaysSo() throws Exception {
        BundledTool tool = new BundledTool(new URLClassLoader(new URL[] {tmp.newFolder().toURI().toURL()}, null));
        try {
            tool.extract(tmp.newFolder("cache").toPath());
            fail();
        } catch (ToolFailure f) {
            assertTrue(f.getMessage(), f.getMessage().contains("missing from the plugin jar"));
        }
    }

    @Test
    public void platforms() {
        assertTrue(BundledTool.supported("Linux", "amd64"));
        assertTrue(BundledTool.supported("Linux", "x86_64"));
        assertFalse(BundledTool.supported("Linux", "aarch64"));
        assertFalse(BundledTool.supported("Mac OS X", "x86_64"));
        assertFalse(BundledTool.supported("Windows 11", "amd64"));
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        }
    }
}
