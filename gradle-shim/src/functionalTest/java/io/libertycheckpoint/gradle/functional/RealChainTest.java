package io.libertycheckpoint.gradle.functional;

import static io.libertycheckpoint.gradle.functional.Fixtures.append;
import static io.libertycheckpoint.gradle.functional.Fixtures.read;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.GradleRunner;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The whole chain, as a user runs it: the sample project (gradle-shim/sample) resolves the plugin
 * through pluginManagement from a Maven repository (the published jar and its marker), runs the
 * real liberty-checkpoint CLI with the Podman engine plugin beside it (bin/, as its executable),
 * builds the InstantOn image on the local base image, restores it, and the restored server answers
 * HTTP.
 *
 * <p>Switched on with {@code make test-gradle GRADLE_REAL_CHAIN=1} (build.gradle excludes this
 * class otherwise); then a missing piece fails the test, it never skips.
 */
public class RealChainTest {
    private File project;
    private String image;
    private String container;

    @Before
    public void setUp() throws Exception {
        if (!"true".equals(System.getProperty("lcp.realChain"))) {
            throw new IllegalStateException("the real chain is switched off: run make test-gradle GRADLE_REAL_CHAIN=1");
        }
        project = Fixtures.copyProject(new File(Fixtures.repoRoot(), "gradle-shim/sample"), "RealChainTest");
        String id = Long.toString(System.currentTimeMillis(), 36);
        image = "localhost/lcp-gradle-realchain:" + id + "-instanton";
        container = "lcp-gradle-realchain-" + id;
        String base = System.getProperty("lcp.realChain.baseImage", "");
        append(new File(project, "build.gradle"), "\nlibertyCheckpoint {\n    image = '" + image + "'\n"
                + "    executable = '" + new File(Fixtures.repoRoot(), "bin/liberty-checkpoint").getAbsolutePath() + "'\n"
                + (base.isEmpty() ? "" : "    baseImage = '" + base + "'\n") + "}\n");
    }

    @After
    public void removeWhatThisTestCreated() throws Exception {
        if (image == null) {
            return;
        }
        podman("rm", "--force", "--ignore", container);
        podman("rmi", "--force", "--ignore", image);
    }

    private static String podman(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Arrays.asList(args));
        cmd.add(0, "podman");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } finally {
            p.waitFor(120, TimeUnit.SECONDS);
        }
    }

    private GradleRunner gradle(String... tasks) {
        List<String> args = new ArrayList<>();
        args.add("--stacktrace");
        // mavenLocal() in the sample's pluginManagement: the repository the Makefile published to.
        args.add("-Dmaven.repo.local=" + Fixtures.prop("lcp.testM2"));
        args.addAll(Arrays.asList(tasks));
        return GradleRunner.create()
                .withGradleInstallation(new File(Fixtures.prop("lcp.gradleInstallation")))
                .withTestKitDir(new File(Fixtures.prop("lcp.testKitDir")))
                .withProjectDir(project)
                .withArguments(args);
    }

    @Test(timeout = 30 * 60_000)
    public void sampleBuildsCheckpointsAndRestoresAndAnswersHttp() throws Exception {
        long t0 = System.currentTimeMillis();
        BuildResult built = gradle("checkpointImage").build();
        long buildMs = System.currentTimeMillis() - t0;
        System.out.println(built.getOutput());
        assertEquals(TaskOutcome.SUCCESS, built.task(":war").getOutcome());
        assertEquals(TaskOutcome.SUCCESS, built.task(":checkpointImage").getOutcome());
        assertTrue(built.getOutput(), built.getOutput().contains("Built InstantOn image " + image + " ("));
        String result = read(new File(project, "build/liberty-checkpoint/checkpointImage.json"));
        // The image is really in Podman, with the id the build reported.
        String id = podman("image", "inspect", "--format", "{{.Id}}", image);
        assertTrue(result + " vs podman's " + id, id.length() == 64 && result.contains("\"imageId\":\"sha256:" + id + "\""));
        // Jib's files, which the CLI writes into the --output-dir the task gives it.
        assertEquals("sha256:" + id + "\n", read(new File(project, "build/liberty-checkpoint/image.id")));
        assertTrue(read(new File(project, "build/liberty-checkpoint/image.json")).contains("\"imageId\": \"sha256:" + id + "\""));

        assertEquals(TaskOutcome.UP_TO_DATE, gradle("checkpointImage").build().task(":checkpointImage").getOutcome());

        long t1 = System.currentTimeMillis();
        BuildResult restored = gradle("checkpointRestore", "-Pliberty.checkpoint.keepRunning",
                "-Pliberty.checkpoint.containerName=" + container).build();
        long restoreMs = System.currentTimeMillis() - t1;
        String out = restored.getOutput();
        System.out.println(out);
        assertTrue(out, out.contains(image + ": restored from checkpoint, ready in "));
        assertTrue(out, out.contains("/sample/hello answered HTTP 200"));
        // The verdict rests on a fact a cold start cannot produce: the JVM started in the checkpoint run.
        assertTrue(out, out.contains("before its container was created"));

        // Ask the restored server ourselves, on the loopback port the restore published.
        Matcher port = Pattern.compile("port 9080 -> 127\\.0\\.0\\.1:(\\d+)").matcher(out);
        assertTrue(out, port.find());
        HttpURLConnection http = (HttpURLConnection) new URL("http://127.0.0.1:" + port.group(1) + "/sample/hello").openConnection();
        http.setConnectTimeout(5_000);
        http.setReadTimeout(10_000);
        assertEquals(200, http.getResponseCode());
        String body;
        try (InputStream in = http.getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(body, body.startsWith("Hello from the InstantOn sample"));
        podman("rm", "--force", container);

        BuildResult doctor = gradle("checkpointDoctor", "-Pliberty.checkpoint.image=" + image).build();
        System.out.println(doctor.getOutput());
        System.out.printf("real chain: gradle checkpointImage %d ms, gradle checkpointRestore %d ms (both with Gradle start-up)%n",
                buildMs, restoreMs);
    }
}
