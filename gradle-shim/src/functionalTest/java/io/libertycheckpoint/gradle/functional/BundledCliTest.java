package io.libertycheckpoint.gradle.functional;

import static io.libertycheckpoint.gradle.functional.Fixtures.append;
import static io.libertycheckpoint.gradle.functional.Fixtures.read;
import static io.libertycheckpoint.gradle.functional.Fixtures.write;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.gradle.tooling.BuildCancelledException;
import org.gradle.tooling.CancellationTokenSource;
import org.gradle.tooling.GradleConnectionException;
import org.gradle.tooling.GradleConnector;
import org.gradle.tooling.ProjectConnection;
import org.gradle.tooling.ResultHandler;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;

/**
 * End to end through the real pieces except the container engine: the plugin resolves this host's
 * liberty-checkpoint-binaries zip from the project's repositories (build/binaries-repo), checks it
 * against the sha256 its jar pins and extracts it; the CLI launches the plugin binary beside it over
 * go-plugin (handshake, AutoMTLS, gRPC), and that plugin is plugin/enginetest/fakeplugin, which
 * records each call in $LCP_FAKE_CALLS.
 */
public class BundledCliTest {
    @Rule
    public TestName name = new TestName();

    private File project;
    private String image;
    private final File calls = new File(System.getenv("LCP_FAKE_CALLS"));

    @Before
    public void setUp() throws Exception {
        project = Fixtures.warProject(getClass().getSimpleName() + "-" + name.getMethodName());
        image = "localhost/lcp-gradle-ft-" + name.getMethodName().toLowerCase() + ":1.0-instanton";
        append(new File(project, "build.gradle"), "\nlibertyCheckpoint {\n"
                + "    baseImage = 'localhost/open-liberty:local-checkpoint'\n"
                + "    image = '" + image + "'\n"
                + "}\n");
    }

    /** The last call the fake engine recorded for an operation. */
    private String lastCall(String op) throws Exception {
        String last = null;
        if (calls.exists()) {
            for (String l : Files.readAllLines(calls.toPath())) {
                if (l.contains("\"op\":\"" + op + "\"") && l.contains("\"Image\":\"" + image + "\"")) {
                    last = l;
                }
            }
        }
        return last;
    }

    @Test
    public void checkpointImageThroughTheBundledCliAndGoPlugin() throws Exception {
        BuildResult r = Fixtures.fakeBundle(project, "checkpointImage").build();
        assertEquals(TaskOutcome.SUCCESS, r.task(":checkpointImage").getOutcome());
        String out = r.getOutput();
        assertTrue(out, out.contains("[1/3] containerize...\n"));
        assertTrue(out, out.contains("[2/3] checkpoint done in "));
        assertTrue(out, out.contains("[3/3] commit done in "));
        assertTrue(out, out.contains("Built InstantOn image " + image + " ("));
        assertTrue(out, out.contains("353.0 MB), phase afterAppStart, checkpoint 41.0 MB\n"));

        // This host's binaries were resolved and extracted once, by checksum, next to each other.
        File dir = Fixtures.extractedDir();
        assertTrue(dir + " holds the CLI", new File(dir, "liberty-checkpoint").canExecute());
        assertTrue(dir + " holds the plugin", new File(dir, "liberty-checkpoint-plugin").canExecute());

        // The engine saw the request the build made, validated (absolute paths, defaults).
        String call = lastCall("checkpoint-image");
        assertNotNull("the fake engine recorded the call", call);
        assertTrue(call, call.contains("\"AppArchive\":\"" + new File(project, "build/libs/sample-1.0.war").getAbsolutePath() + "\""));
        assertTrue(call, call.contains("\"ConfigDir\":\"" + new File(project, "src/main/liberty/config").getAbsolutePath() + "\""));
        assertTrue(call, call.contains("\"BaseImage\":\"localhost/open-liberty:local-checkpoint\""));
        assertTrue(call, call.contains("\"Phase\":\"afterAppStart\""));

        String result = read(new File(project, "build/liberty-checkpoint/checkpointImage.json"));
        assertTrue(result, result.startsWith("{\"result\":{\"operation\":\"checkpoint-image\",\"image\":\"" + image + "\""));
        assertEquals(TaskOutcome.UP_TO_DATE, Fixtures.fakeBundle(project, "checkpointImage").build().task(":checkpointImage").getOutcome());
    }

    /**
     * A project for plain Gradle (no TestKit): the plugin on the buildscript classpath, and the
     * bundled CLI behind a wrapper that records its pid and slows the fake engine down (60s steps;
     * the engine writes the cleaned-up marker once its clean-up after a cancel has run).
     */
    private void slowProject(File pid, File cleaned) throws Exception {
        // Extract the bundle the wrapper execs (an earlier test may have done it already).
        assertEquals(TaskOutcome.SUCCESS, Fixtures.fakeBundle(Fixtures.warProject("BundledCliTest-extract"), "checkpointDoctor")
                .build().task(":checkpointDoctor").getOutcome());
        File cli = new File(Fixtures.extractedDir(), "liberty-checkpoint");
        Fixtures.executable(new File(project, "slow-cli"), "#!/bin/sh\n"
                + "echo $$ > " + pid + "\n"
                + "export LCP_FAKE_STEP_DELAY=60s LCP_FAKE_CANCEL_MARKER=" + cleaned + "\n"
                + "exec " + cli + " \"$@\"\n");
        write(new File(project, "build.gradle"), "buildscript { dependencies { classpath files("
                + Fixtures.pluginClasspath().stream().map(f -> "'" + f.getAbsolutePath() + "'").collect(Collectors.joining(", ")) + ") } }\n"
                + "apply plugin: 'war'\napply plugin: 'io.libertycheckpoint.checkpoint'\nversion = '1.0'\n"
                + "libertyCheckpoint { executable = file('slow-cli'); image = '" + image + "' }\n");
        write(new File(project, "gradle.properties"), "org.gradle.daemon.idletimeout=120000\n");
    }

    private static void awaitTool(File pid) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (!pid.exists() || !Fixtures.alive(pid)) {
            assertTrue("the tool did not start", System.currentTimeMillis() < deadline);
            Thread.sleep(100);
        }
        Thread.sleep(1500); // well into the first step (60s)
    }

    /**
     * Cancelling the build (as an IDE, or the daemon when Ctrl-C hits the client) stops the tool:
     * it gets SIGTERM, cancels the operation, the engine cleans up, and no process is left.
     */
    @Test(timeout = 120_000)
    public void cancellingTheBuildStopsTheToolAfterItsCleanUp() throws Exception {
        File pid = new File(project, "tool.pid");
        File cleaned = new File(project, "cleaned-up");
        slowProject(pid, cleaned);

        CancellationTokenSource cancel = GradleConnector.newCancellationTokenSource();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ProjectConnection c = GradleConnector.newConnector()
                .useInstallation(new File(Fixtures.prop("lcp.gradleInstallation")))
                .useGradleUserHomeDir(new File(Fixtures.prop("lcp.testKitDir")))
                .forProjectDirectory(project).connect();
        try {
            c.newBuild().forTasks("checkpointImage").withCancellationToken(cancel.token())
                    .run(new ResultHandler<Void>() {
                        @Override
                        public void onComplete(Void result) {
                            done.countDown();
                        }

                        @Override
                        public void onFailure(GradleConnectionException e) {
                            failure.set(e);
                            done.countDown();
                        }
                    });
            awaitTool(pid);
            long t0 = System.currentTimeMillis();
            cancel.cancel();
            assertTrue("the build did not end after cancel", done.await(60, TimeUnit.SECONDS));
            long took = System.currentTimeMillis() - t0;
            assertTrue("build failed with a cancellation: " + failure.get(), failure.get() instanceof BuildCancelledException);
            assertTrue("the engine's clean-up ran", cleaned.exists());
            assertFalse("the tool is not running", Fixtures.alive(pid));
            assertTrue("cancel took " + took + "ms", took < 20_000);
            assertFalse(new File(project, "build/liberty-checkpoint/checkpointImage.json").exists());
            System.out.println("cancel: build ended " + took + "ms after the cancel request");
        } finally {
            c.close();
            stopAll(ProcessHandle.current(), pid, false);
        }
    }

    /**
     * Ctrl-C in a terminal on a build without the daemon: SIGINT reaches the whole foreground
     * process group (here: a session of the test's own). Gradle's JVM shuts down, and on its way out
     * the plugin gives the tool one SIGTERM and time to clean up; the tool itself, in its own
     * session, gets nothing else.
     */
    @Test(timeout = 180_000)
    public void ctrlCOnABuildWithoutDaemonLetsTheToolCleanUp() throws Exception {
        File pid = new File(project, "tool.pid");
        File cleaned = new File(project, "cleaned-up");
        slowProject(pid, cleaned);
        File log = new File(project, "gradle.log");
        // env --default-signal: a process started from a Gradle test worker inherits SIGINT as
        // ignored (the daemon ignores it), unlike a shell in a terminal.
        ProcessBuilder pb = new ProcessBuilder("setsid", "env", "--default-signal=INT,TERM",
                new File(Fixtures.prop("lcp.gradleInstallation"), "bin/gradle").getPath(),
                "--no-daemon", "--console=plain", "-g", new File(Fixtures.prop("lcp.work"), "no-daemon-home").getPath(),
                "checkpointImage").directory(project).redirectErrorStream(true).redirectOutput(log);
        Process gradle = pb.start();
        try {
            awaitTool(pid);
            long t0 = System.currentTimeMillis();
            // setsid made gradle the leader of a new process group: signal the group, as a terminal does.
            assertEquals(0, new ProcessBuilder("sh", "-c", "kill -INT -" + gradle.pid()).inheritIO().start().waitFor());
            assertTrue("gradle did not stop:\n" + read(log), gradle.waitFor(60, TimeUnit.SECONDS));
            long took = System.currentTimeMillis() - t0;
            String out = read(log);
            assertTrue("the engine's clean-up ran:\n" + out, cleaned.exists());
            assertFalse("the tool is not running:\n" + out, Fixtures.alive(pid));
            assertTrue(out, out.contains("liberty-checkpoint: cancelling, cleaning up"));
            System.out.println("ctrl-c: gradle exited " + took + "ms after SIGINT");
        } finally {
            stopAll(gradle.toHandle(), pid, true);
        }
    }

    /** Whatever a failed run of a test left: the Gradle it started, the tool and the tool's plugin. */
    private static void stopAll(ProcessHandle gradle, File toolPid, boolean withGradle) throws Exception {
        List<ProcessHandle> all = new ArrayList<>();
        if (withGradle) {
            all.add(gradle);
            gradle.descendants().forEach(all::add);
        }
        if (toolPid.exists()) {
            ProcessHandle.of(Long.parseLong(read(toolPid).trim())).ifPresent(t -> {
                all.add(t);
                t.descendants().forEach(all::add);
            });
        }
        all.forEach(ProcessHandle::destroy);
        Thread.sleep(2_000);
        all.forEach(ProcessHandle::destroyForcibly);
    }
}
