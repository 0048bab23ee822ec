package io.libertycheckpoint.gradle.functional;

import static io.libertycheckpoint.gradle.functional.Fixtures.append;
import static io.libertycheckpoint.gradle.functional.Fixtures.read;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
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
 * HTTP. Then it ships: checkpointPush to a real registry the test starts (lcp-shiptest registry:
 * Debian's docker-registry, TLS from a CA of this run via certDir, htpasswd via creds), whose
 * manifest by the digest in image.digest must hash to it, and checkpointKube, whose YAML and
 * seccomp profile must decode strictly into the Kubernetes and runtime-spec types.
 *
 * <p>Switched on with {@code make test-gradle GRADLE_REAL_CHAIN=1} (build.gradle excludes this
 * class otherwise); then a missing piece fails the test, it never skips.
 */
public class RealChainTest {
    private File project;
    private String image;
    private String container;
    private String runId;
    private Process registry;
    private String pulled;
    private File played;

    @Before
    public void setUp() throws Exception {
        if (!"true".equals(System.getProperty("lcp.realChain"))) {
            throw new IllegalStateException("the real chain is switched off: run make test-gradle GRADLE_REAL_CHAIN=1");
        }
        project = Fixtures.copyProject(new File(Fixtures.repoRoot(), "gradle-shim/sample"), "RealChainTest");
        runId = Long.toString(System.currentTimeMillis(), 36);
        image = "localhost/lcp-gradle-realchain:" + runId + "-instanton";
        container = "lcp-gradle-realchain-" + runId;
        String base = System.getProperty("lcp.realChain.baseImage", "");
        append(new File(project, "build.gradle"), "\nlibertyCheckpoint {\n    image = '" + image + "'\n"
                + "    executable = '" + new File(Fixtures.repoRoot(), "bin/liberty-checkpoint").getAbsolutePath() + "'\n"
                + (base.isEmpty() ? "" : "    baseImage = '" + base + "'\n") + "}\n");
    }

    @After
    public void removeWhatThisTestCreated() throws Exception {
        if (played != null) {
            podman("kube", "down", played.getPath());
        }
        if (pulled != null) {
            podman("rmi", "--ignore", pulled); // the pulled tag only: the image is also the run's own
        }
        if (registry != null) {
            registry.destroy();
            registry.waitFor(30, TimeUnit.SECONDS);
        }
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

    /** Runs podman; it must succeed. */
    private static String podmanOk(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Arrays.asList(args));
        cmd.add(0, "podman");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertTrue(String.join(" ", cmd), p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(String.join(" ", cmd) + ": " + out, 0, p.exitValue());
        return out;
    }

    /** Runs bin/lcp-shiptest; it must succeed. */
    private static String shiptest(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Arrays.asList(args));
        cmd.add(0, Fixtures.prop("lcp.realChain.shiptest"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(String.join(" ", cmd) + ": " + out, 0, p.exitValue());
        return out;
    }

    /** Starts the test registry (it stops when this JVM goes away: its stdin closes). */
    private Properties startRegistry(File dir) throws Exception {
        registry = new ProcessBuilder(Fixtures.prop("lcp.realChain.shiptest"), "registry", dir.getPath())
                .redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue("lcp-shiptest registry: " + line, line != null && line.startsWith("ready "));
        Properties props = new Properties();
        try (InputStream in = new FileInputStream(new File(dir, "registry.properties"))) {
            props.load(in);
        }
        return props;
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

        // Ship: push to a real registry with its CA (certDir, TLS verified) and its user (creds).
        Properties reg = startRegistry(new File(project, "build/registry"));
        String dest = reg.getProperty("addr") + "/lcp/sample:" + runId;
        BuildResult pushed = gradle("checkpointPush", "-Pliberty.checkpoint.destination=" + dest,
                "-Pliberty.checkpoint.certDir=" + reg.getProperty("certDir"), "-Pliberty.checkpoint.tlsVerify=true",
                "-Pliberty.checkpoint.creds=" + reg.getProperty("creds")).build();
        out = pushed.getOutput();
        System.out.println(out);
        assertFalse("the password never reaches the build's output", out.contains(reg.getProperty("password")));
        String digest = read(new File(project, "build/liberty-checkpoint/image.digest")).trim();
        assertTrue(digest, digest.matches("sha256:[0-9a-f]{64}"));
        assertTrue(out, out.contains("Pushed " + dest + "@" + digest));
        // The registry serves that digest: its manifest, fetched by digest, hashes to it.
        String served = shiptest("manifest", new File(project, "build/registry/registry.properties").getPath(), dest, digest);

        File kubeDir = new File(project, "build/kube");
        BuildResult kube = gradle("checkpointKube", "-Pliberty.checkpoint.kubeDirectory=" + kubeDir.getPath()).build();
        out = kube.getOutput();
        System.out.println(out);
        assertTrue(out, out.contains("Pod Security Standards: only the \"privileged\" level admits the pod"));
        String strict = shiptest("kube", new File(kubeDir, "lcp-gradle-realchain.yaml").getPath());
        assertTrue(strict, strict.contains("seccomp profile liberty-checkpoint-lcp-gradle-realchain.json"));
        System.out.println("real chain: " + served + "; " + strict);

        // The pod, from the registry: Podman pulls what was pushed (the run's CA and user), kube writes
        // the YAML for that reference, and podman kube play (the Kubernetes engine here) restores it.
        podmanOk("pull", "--quiet", "--tls-verify=true", "--cert-dir", reg.getProperty("certDir"), "--creds", reg.getProperty("creds"), dest);
        pulled = dest;
        String repoDigests = podmanOk("image", "inspect", "--format", "{{.RepoDigests}}", dest);
        assertTrue("the pulled image is the pushed one: " + repoDigests, repoDigests.contains(reg.getProperty("addr") + "/lcp/sample@" + digest));
        String app = "lcp-gradle-realchain-" + runId;
        File playDir = new File(project, "build/kube-play");
        out = gradle("checkpointKube", "-Pliberty.checkpoint.image=" + dest, "-Pliberty.checkpoint.appName=" + app,
                "-Pliberty.checkpoint.kubeDirectory=" + playDir.getPath()).build().getOutput();
        File yaml = new File(playDir, app + ".yaml");
        assertTrue(out, read(yaml).contains("image: " + dest));
        new java.net.ServerSocket(9080).close(); // podman kube play publishes the pod's port 9080 on the host: it must be free
        played = yaml;
        podmanOk("kube", "play", "--seccomp-profile-root", playDir.getPath(), yaml.getPath());
        String pod = podmanOk("pod", "ps", "--filter", "name=^" + app, "--format", "{{.Name}}");
        String ctr = "";
        for (String line : podmanOk("ps", "-a", "--filter", "pod=" + pod, "--format", "{{.Names}} {{.IsInfra}}").split("\n")) {
            if (line.endsWith(" false")) {
                ctr = line.substring(0, line.indexOf(' '));
            }
        }
        assertFalse("the application container of pod " + pod, ctr.isEmpty());
        String logs = "";
        for (long end = System.currentTimeMillis() + 180_000; System.currentTimeMillis() < end; Thread.sleep(500)) {
            logs = podman("logs", ctr);
            if (logs.contains("CWWKC0452I") || logs.contains("CWWKE0961I")) {
                break;
            }
        }
        assertTrue("the pod restored from the checkpoint, not a cold start:\n" + logs, logs.contains("CWWKC0452I"));
        int status = 0;
        for (long end = System.currentTimeMillis() + 60_000; status != 200 && System.currentTimeMillis() < end; Thread.sleep(250)) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:9080/sample/hello").openConnection();
                c.setConnectTimeout(2_000);
                c.setReadTimeout(5_000);
                status = c.getResponseCode();
            } catch (java.io.IOException notYet) {
                // the pod's server is still resuming
            }
        }
        assertEquals("GET /sample/hello on the pod", 200, status);
        podmanOk("kube", "down", yaml.getPath());
        played = null;
        assertEquals("podman kube down leaves no pod", "", podman("pod", "ps", "--filter", "name=^" + app, "--format", "{{.Name}}"));
        String resumed = logs.lines().filter(l -> l.contains("CWWKC0452I")).findFirst().orElse("");
        System.out.println("real chain: kube play of the pulled image's YAML restored pod " + pod + ": " + resumed.trim());
        System.out.printf("real chain: gradle checkpointImage %d ms, gradle checkpointRestore %d ms (both with Gradle start-up)%n",
                buildMs, restoreMs);
    }
}
